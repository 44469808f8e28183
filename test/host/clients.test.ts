// "Test a Client", the agents × cases results matrix and the panel serializer, end to end in a
// real extension host. Clients under test are our own engine's client (src/transport connect),
// run from this test as an Autobahn harness would: /getCaseCount, /runCase?case=N&agent=A,
// /updateReports?agent=A. One agent echoes (OK verdicts), one never echoes (FAILED verdicts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { WorkbenchApi } from '../../src/extension/extension';
import type { RunEntry } from '../../src/extension/model/runs';
import { connect, type WebSocketConnection } from '../../src/transport';
import { HOST_MODE, SCREENSHOT_DIR, answerPrompts, getExtension, report, screenshot, until, webviewDom } from './helpers';

const cmd = <T = unknown>(name: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`websocketWorkbench.${name}`, ...args);

async function api(): Promise<WorkbenchApi> {
  const ext = getExtension();
  return (ext.isActive ? ext.exports : await ext.activate()) as WorkbenchApi;
}

/** Opens a harness connection; with `echo` every message goes back as it came (text as text). */
async function open(url: string, echo: boolean, insecure = false): Promise<WebSocketConnection> {
  const ws = await connect(url, { handshakeTimeoutMs: 5000, closeTimeoutMs: 3000, insecure });
  const messages: string[] = [];
  ws.on('message', (data, binary) => {
    messages.push(Buffer.from(data).toString('utf8'));
    if (echo && ws.state === 'open') ws.send(data, { binary });
  });
  (ws as WebSocketConnection & { messages: string[] }).messages = messages;
  return ws;
}

/** Runs case number `n` (1-based over the server's selection) as agent `agent`; resolves when the server ended it. */
async function runCase(base: string, n: number, agent: string, echo: boolean): Promise<void> {
  const ws = await open(`${base}runCase?case=${n}&agent=${encodeURIComponent(agent)}`, echo);
  await ws.closed;
}

/** What a control endpoint answered (its one text message), then closed. */
async function ask(url: string, insecure = false): Promise<string[]> {
  const ws = await open(url, false, insecure);
  await ws.closed;
  return (ws as WebSocketConnection & { messages: string[] }).messages;
}

/** The text a matrix cell shows for one run's result of one case. */
function cellText(run: RunEntry, caseId: string): string {
  const r = run.results.get(caseId);
  return r ? `${r.behavior} / ${r.behaviorClose}` : '—';
}

function isPng(file: string | undefined): boolean {
  return !!file && fs.statSync(file).size > 1000 && fs.readFileSync(file).subarray(1, 4).toString('latin1') === 'PNG';
}

describe('Test a Client, the results matrix and the panel serializer', function () {
  this.timeout(60000);
  let w: WorkbenchApi;
  let server: { id: string; url: string; port: number; caseCount: number; reports: string };
  const CASES = ['1.1.1', '1.1.2', '2.1'];

  before(async function () {
    if (HOST_MODE === 'installed') this.skip();
    w = await api();
    await vscode.commands.executeCommand('workbench.view.extension.websocketWorkbench');
  });
  after(async () => {
    w?.panel.close();
    for (const s of w?.servers.list() ?? []) await w.servers.stop(s.id);
  });

  it('Test a Client starts the fuzzing server on 127.0.0.1, in the Servers view with its URL', async () => {
    server = await cmd('testClient', { port: 0, secure: false, cases: CASES });
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(server.caseCount, 3);
    const node = w.trees.servers.getChildren().find((n) => n.kind === 'server' && n.id === server.id)!;
    const item = w.trees.servers.getTreeItem(node);
    assert.equal(item.label, server.url);
    assert.equal(item.contextValue, 'server.fuzzing');
    assert.equal(item.description, 'fuzzing server · 3 cases · 0 client(s) under test');
    assert.match(w.statusBar.item.text, new RegExp(`fuzzing :${server.port}`));
    // the harness's first question, answered as Autobahn's fuzzing server does
    assert.deepEqual(await ask(`${server.url}getCaseCount`), ['3']);
  });

  it('Copy URL puts the fuzzing server URL on the clipboard', async () => {
    await vscode.env.clipboard.writeText('');
    assert.equal(await cmd('copyServerUrl', { serverId: server.id }), server.url);
    assert.equal(await vscode.env.clipboard.readText(), server.url);
  });

  it('a client under test runs cases: the Conformance view gets a run per agent with its verdicts', async () => {
    for (let n = 1; n <= 3; n++) await runCase(server.url, n, 'wsw-echo', true);
    const run = await until('echo agent results', () => w.runs.list().find((r) => r.kind === 'client' && r.agent === 'wsw-echo' && r.results.size === 3));
    assert.equal(run.url, server.url);
    assert.equal(run.serverId, server.id);
    assert.deepEqual(run.caseIds, CASES);
    assert.deepEqual(CASES.map((c) => [c, run.results.get(c)!.behavior, run.results.get(c)!.behaviorClose]), [
      ['1.1.1', 'OK', 'OK'], ['1.1.2', 'OK', 'OK'], ['2.1', 'OK', 'OK'],
    ]);
    const tree = w.trees.conformance;
    const runNode = tree.getChildren().find((n) => n.kind === 'run' && n.id === run.id)!;
    const runItem = tree.getTreeItem(runNode);
    assert.equal(runItem.label, 'wsw-echo');
    assert.equal(runItem.description, 'client · running · 3/3 cases');
    const cases = tree.getChildren(runNode).flatMap((s) => tree.getChildren(s));
    assert.deepEqual(cases.map((c) => String(tree.getTreeItem(c).description).split(' · ')[0]), ['OK', 'OK', 'OK']);
    // the Servers view lists the agent under the fuzzing server
    const agents = w.trees.servers.getChildren({ kind: 'server', id: server.id });
    assert.deepEqual(agents.map((a) => [w.trees.servers.getTreeItem(a).label, w.trees.servers.getTreeItem(a).description]), [['wsw-echo', '3/3 cases']]);
  });

  it('the results matrix: cases × agents, verdict cells coloured by verdict, updated live as a second agent runs', async () => {
    const target = await cmd<{ kind: string; serverId: string }>('showResultsMatrix', { serverId: server.id });
    assert.deepEqual(target, { kind: 'matrix', serverId: server.id });
    // a client that never echoes: 1.1.1 fails (no echo), 2.1 passes (the engine answers pings itself)
    await runCase(server.url, 1, 'wsw-mute', false);
    await runCase(server.url, 3, 'wsw-mute', false);
    const mute = await until('mute agent results', () => w.runs.list().find((r) => r.kind === 'client' && r.agent === 'wsw-mute' && r.results.size === 2));
    assert.equal(mute.results.get('1.1.1')!.behavior, 'FAILED');
    assert.equal(mute.results.get('2.1')!.behavior, 'OK');
    const echoRun = w.runs.list().find((r) => r.agent === 'wsw-echo')!;
    const probe = await until('matrix with both agents', async () => {
      const p = await w.panel.probe();
      return p.bodyText.includes('wsw-mute') && p.bodyText.includes('1 failed') ? p : undefined;
    });
    assert.equal(probe.images, 0);
    assert.deepEqual(probe.state?.target, { kind: 'matrix', serverId: server.id });
    report(`matrix text: ${probe.bodyText.slice(0, 200)}`);
    if (!SCREENSHOT_DIR) return;
    const cells = (await webviewDom('matrix-cells', '.matrix td.cell'))!;
    // rows = cases in catalogue order, columns = agents in the order they came
    const expected = CASES.flatMap((c) => [cellText(echoRun, c), cellText(mute, c)]);
    assert.deepEqual(cells.texts, expected);
    assert.equal(cells.texts[3], '—', 'wsw-mute did not run 1.1.2');
    const links = (await webviewDom('matrix-links', '.matrix button.cell-link'))!;
    assert.equal(links.count, 5);
    assert.deepEqual(links.classes.map((c) => /verdict-[a-z-]+/.exec(c)?.[0]), ['verdict-ok', 'verdict-failed', 'verdict-ok', 'verdict-ok', 'verdict-ok']);
    const heads = (await webviewDom('matrix-heads', '.matrix thead th, .matrix tbody th'))!;
    assert.deepEqual(heads.texts, ['Case', 'wsw-echo3 done', 'wsw-mute2 done, 1 failed', '1 Framing', '1.1.1', '1.1.2', '2 Pings/Pongs', '2.1']);
    assert.ok(isPng(await screenshot('matrix-webview', { webview: true })));
    assert.ok(isPng(await screenshot('matrix-workbench')));
  });

  it('the matrix is keyboard accessible: arrows move between cells, Enter opens the case, Back returns', async function () {
    if (!SCREENSHOT_DIR) this.skip();
    // focus the first cell (1.1.1 of wsw-echo), move right to wsw-mute's, then down: 1.1.2 has no
    // wsw-mute result, so focus skips to 2.1
    const moved = (await webviewDom('matrix-keys', '.matrix button.cell-link', [
      { press: 'ArrowRight', on: '.matrix button.cell-link >> nth=0' },
      { press: 'ArrowDown', on: '.matrix button.cell-link:focus' },
    ]))!;
    assert.match(moved.focused ?? '', /^Case 2\.1, wsw-mute: behavior OK/);
    await webviewDom('matrix-enter', 'body', [{ press: 'Enter', on: '.matrix button.cell-link:focus' }]);
    const shown = await until('case 2.1 of wsw-mute shown', async () => {
      const p = await w.panel.probe();
      return p.bodyText.includes('Case 2.1') && p.bodyText.includes('wsw-mute') ? p : undefined;
    });
    assert.deepEqual(shown.state?.target, { kind: 'case', runId: w.runs.list().find((r) => r.agent === 'wsw-mute')!.id, caseId: '2.1' });
    await screenshot('matrix-case-webview', { webview: true });
    await webviewDom('matrix-back', 'body', [{ click: 'button.back' }]);
    await until('matrix again', async () => ((await w.panel.probe()).state?.target?.kind === 'matrix' ? true : undefined));
    // a click on a cell opens its case as well
    await webviewDom('matrix-click', 'body', [{ click: '.matrix button.cell-link >> nth=1' }]);
    const clicked = await until('case 1.1.1 of wsw-mute', async () => {
      const p = await w.panel.probe();
      return p.bodyText.includes('Case 1.1.1') && p.bodyText.includes('FAILED') ? p : undefined;
    });
    assert.match(clicked.bodyText, /wsw-mute/);
    // Why it failed, first: the mute client never echoed.
    assert.match(clicked.bodyText, /Why\s*behaviour FAILED: Actual events differ from any expected\.\s*expected \{'OK': \[\('message', u'', False\)\]\}\s*observed \[\]/);
  });

  it('/updateReports writes the reports of every agent; Stop Server ends the client runs', async () => {
    const answer = await ask(`${server.url}updateReports?agent=wsw-echo`);
    assert.deepEqual(answer, []);
    const index = JSON.parse(fs.readFileSync(path.join(server.reports, 'index.json'), 'utf8')) as Record<string, Record<string, { behavior: string }>>;
    assert.deepEqual(Object.keys(index).sort(), ['wsw-echo', 'wsw-mute']);
    assert.deepEqual(Object.keys(index['wsw-echo']).sort(), CASES);
    assert.equal(index['wsw-mute']['1.1.1'].behavior, 'FAILED');
    assert.ok(fs.existsSync(path.join(server.reports, 'index.html')));
    await cmd('stopServer', { serverId: server.id });
    assert.equal(w.servers.get(server.id), undefined);
    for (const r of w.runs.list().filter((r) => r.serverId === server.id)) assert.equal(r.state, 'done', r.agent);
    await assert.rejects(connect(`${server.url}getCaseCount`, { handshakeTimeoutMs: 2000 }));
  });

  it('the serializer restores the panel in a new webview panel (what VS Code does after a window reload)', async () => {
    // A real reload restarts this extension host and with it the test run, so the test plays
    // VS Code's part: it keeps the state the webview saved, makes a panel of the same view type
    // and hands both to the registered serializer.
    const mute = w.runs.list().find((r) => r.agent === 'wsw-mute')!;
    await cmd('openCaseReport', { runId: mute.id, caseId: '1.1.1' });
    const before = await w.panel.probe();
    assert.deepEqual(before.state?.target, { kind: 'case', runId: mute.id, caseId: '1.1.1' });
    assert.equal(before.state?.content?.kind, 'case');
    const saved = before.state;
    w.panel.close();
    await until('panel closed', () => !w.panel.visible);
    const fresh = vscode.window.createWebviewPanel('websocketWorkbench.panel', 'restored', vscode.ViewColumn.One, {});
    await w.panelSerializer.deserializeWebviewPanel(fresh, saved);
    const restored = await w.panel.probe();
    assert.match(restored.bodyText, /Case 1\.1\.1/);
    assert.match(restored.bodyText, /FAILED/);
    assert.doesNotMatch(restored.bodyText, /Restored as it was/, 'the run is still in memory: shown live, not from the saved copy');
    assert.ok(restored.scripts.some((s) => s.endsWith('/dist/webview.js')));
    if (SCREENSHOT_DIR) {
      const dom = (await webviewDom('restored-case', '.case h1'))!;
      assert.match(dom.texts[0], /Case 1\.1\.1/);
      assert.match(dom.csp ?? '', /script-src 'nonce-/);
    }

    // after a real reload the runs are gone from memory: the case shows as the webview kept it
    w.panel.close();
    await until('panel closed', () => !w.panel.visible);
    const later = vscode.window.createWebviewPanel('websocketWorkbench.panel', 'restored', vscode.ViewColumn.One, {});
    await w.panelSerializer.deserializeWebviewPanel(later, { ...saved, target: { kind: 'case', runId: 'r-gone', caseId: '1.1.1' } });
    const kept = await w.panel.probe();
    assert.match(kept.bodyText, /Restored as it was before the window reload/);
    assert.match(kept.bodyText, /Case 1\.1\.1/);

    // a wire log comes back from the connections model (saved connections survive a reload)
    const conn = await cmd<string>('newConnection', { url: 'ws://127.0.0.1:1/', connect: false, label: 'restore-me' });
    w.panel.close();
    await until('panel closed', () => !w.panel.visible);
    const third = vscode.window.createWebviewPanel('websocketWorkbench.panel', 'restored', vscode.ViewColumn.One, {});
    await w.panelSerializer.deserializeWebviewPanel(third, { target: { kind: 'wireLog', connectionId: conn }, filters: { direction: 'all', opcode: 'all', text: '' }, content: null });
    const log = await w.panel.probe();
    assert.match(log.bodyText, /restore-me/);
    assert.deepEqual(log.state?.target, { kind: 'wireLog', connectionId: conn });
    // garbage state (storage can hold anything): an empty panel, no error
    w.panel.close();
    await until('panel closed', () => !w.panel.visible);
    const junk = vscode.window.createWebviewPanel('websocketWorkbench.panel', 'restored', vscode.ViewColumn.One, {});
    await w.panelSerializer.deserializeWebviewPanel(junk, { target: { kind: 'case', runId: 42 }, content: '<img src=x onerror=alert(1)>' });
    const empty = await w.panel.probe();
    assert.match(empty.bodyText, /Nothing to show yet/);
    assert.equal(empty.images, 0);
    await cmd('removeConnection', { connectionId: conn });
  });

  it('Test a Client from the palette: port, scheme and sections prompts; wss with a self-signed certificate', async function () {
    if (!SCREENSHOT_DIR) this.skip();
    const started = Promise.resolve(cmd<{ id: string; url: string; caseCount: number } | undefined>('testClient'));
    const answers = (await answerPrompts('test-client-prompts', [
      { title: 'Test a client: fuzzing server: port', fill: '0' },
      { title: 'Test a client: fuzzing server: scheme', pick: 'wss://', blur: true }, // a pick stays open when the focus leaves it
      { title: 'Which cases may clients under test run?', blur: true }, // every section is picked: accept
    ]))!;
    const result = await started;
    assert.ok(result, `the command completed: ${JSON.stringify(answers)}`);
    assert.match(result.url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(result.caseCount, 517, 'all sections');
    assert.ok(answers.steps[1].rows.some((r) => r.startsWith('wss://')), answers.steps[1].rows.join(' | '));
    assert.match(answers.steps[2].rows[0] ?? '', /^1\.\*/, 'the sections, from 1.*');
    // a client that skips certificate verification (self-signed) gets the case count
    assert.deepEqual(await ask(`${result.url}getCaseCount`, true), ['517']);
    // and one that verifies it is refused
    await assert.rejects(connect(`${result.url}getCaseCount`, { handshakeTimeoutMs: 5000 }), /certificate/i);
    const focused = w.views.servers.visible;
    report(`palette flow: ${answers.steps.map((s) => JSON.stringify(s.title)).join(' -> ')}; Servers view visible: ${focused}`);
    await cmd('stopServer', { serverId: result.id });
  });
});

