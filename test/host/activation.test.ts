// The extension is present, activates lazily (only when its command runs) and stays light.
// index.ts runs this file first, so "not active yet" means nothing else activated it.
// Tests tagged @installed also run against the packaged .vsix (run-tests.mjs --installed).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, HOST_MODE, PROJECT_ROOT, getExtension, report, screenshot, settle } from './helpers';

const SHOW_LOG = 'websocketWorkbench.showLog';

describe(`extension ${EXTENSION_ID} (${HOST_MODE}) @installed`, () => {
  it('is loaded from the expected place, not yet active', () => {
    const ext = getExtension();
    report(`host: VS Code ${vscode.version} (${vscode.env.appName}), Node ${process.version}, extension at ${ext.extensionPath}`);
    if (HOST_MODE === 'installed') {
      assert.notEqual(path.resolve(ext.extensionPath), PROJECT_ROOT, 'the installed copy, not the working tree');
      assert.match(path.basename(ext.extensionPath), new RegExp(`^${EXTENSION_ID.replace(/\./g, '\\.')}-\\d+\\.\\d+\\.\\d+`));
    } else {
      assert.equal(path.resolve(ext.extensionPath), PROJECT_ROOT);
    }
    assert.equal(ext.isActive, false, 'activation is lazy: nothing may activate the extension before its command runs');
  });

  it('contributes "WebSocket: Show Log" and activates when it runs', async () => {
    const ext = getExtension();
    const commands = (ext.packageJSON.contributes?.commands ?? []) as { command: string; title: string; category?: string }[];
    assert.deepEqual(commands.find((c) => c.command === SHOW_LOG), { command: SHOW_LOG, title: 'Show Log', category: 'WebSocket' });
    await settle(); // measure the extension, not the workbench still starting up
    const t0 = performance.now();
    await vscode.commands.executeCommand(SHOW_LOG); // onCommand activation: load the bundle, activate(), run
    const first = performance.now() - t0;
    assert.equal(ext.isActive, true);
    assert.ok((await vscode.commands.getCommands(true)).includes(SHOW_LOG), `${SHOW_LOG} registered`);
    const t1 = performance.now();
    await vscode.commands.executeCommand(SHOW_LOG); // already active: the command alone
    const again = performance.now() - t1;
    report(`activation time: ~${(first - again).toFixed(0)} ms (first "${SHOW_LOG}" incl. activation ${first.toFixed(0)} ms, again ${again.toFixed(0)} ms)`);
    await screenshot(`${HOST_MODE}-show-log`);
  });

  it('reports its bundle size', () => {
    const ext = getExtension();
    const main = path.join(ext.extensionPath, ext.packageJSON.main as string);
    const bytes = fs.statSync(main).size;
    assert.ok(bytes > 0);
    report(`bundle size: ${path.relative(ext.extensionPath, main)} ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`);
  });
});
