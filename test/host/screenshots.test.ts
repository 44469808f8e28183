// Proves the screenshot path of the harness (workbench and webview PNGs in reports/screenshots/).
// The webview here is a stand-in made by the test; replace it with the extension's own panel.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { SCREENSHOT_DIR, report, screenshot, until } from './helpers';

describe('screenshots', function () {
  let panel: vscode.WebviewPanel | undefined;
  before(function () {
    if (!SCREENSHOT_DIR) this.skip(); // nobody to take them (e.g. VS Code desktop)
  });
  after(() => panel?.dispose());

  it('of the workbench and of a webview', async () => {
    panel = vscode.window.createWebviewPanel('wswHostTest', 'Screenshot probe', vscode.ViewColumn.One, { enableScripts: true });
    const rendered = new Promise<string>((resolve) => panel!.webview.onDidReceiveMessage((m: { text: string }) => resolve(m.text)));
    const nonce = randomBytes(16).toString('base64');
    panel.webview.html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
</head><body style="font-family: var(--vscode-font-family); color: var(--vscode-foreground)">
<h1>WebSocket Workbench</h1><p id="t">host test webview</p>
<script nonce="${nonce}">acquireVsCodeApi().postMessage({ text: document.getElementById('t').textContent });</script>
</body></html>`;
    assert.equal(await rendered, 'host test webview');
    await until('webview visible', () => panel!.visible);
    const window = await screenshot('workbench');
    const webview = await screenshot('webview', { webview: true });
    for (const f of [window!, webview!]) assert.ok(fs.statSync(f).size > 1000, `${f} is a real PNG`);
    report(`wrote ${window} and ${webview}`);
  });
});
