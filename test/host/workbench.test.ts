// The extension end to end in a real extension host: commands, models, trees, the webview.
// Driven through the commands with arguments (as a context menu or a keybinding would pass them),
// against the extension's own echo server; asserts the frames the model recorded.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { WorkbenchApi } from '../../src/extension/extension';
import type { FrameRecord } from '../../src/extension/model/connections';
import { HOST_MODE, SCREENSHOT_DIR, answerPrompts, getExtension, report, screenshot, until, webviewDom } from './helpers';

const cmd = <T = unknown>(name: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`websocketWorkbench.${name}`, ...args);
const text = (f: FrameRecord) => Buffer.from(f.payload).toString('utf8');
const brief = (f: FrameRecord) => `${f.direction} ${f.opcode} fin=${f.fin ? 1 : 0} ${JSON.stringify(text(f))}`;
const HOSTILE = '<img src=x onerror=alert(1)>';

async function api(): Promise<WorkbenchApi> {
  const ext = getExtension();
  return (ext.isActive ? ext.exports : await ext.activate()) as WorkbenchApi;
}

describe(`WebSocket Workbench (${HOST_MODE}) @installed`, () => {
  it('registers every contributed command, activating lazily', async () => {
    const ext = getExtension();
    const contributed = (ext.packageJSON.contributes.commands as { command: string; category: string }[]);
    assert.ok(contributed.length >= 18, `${contributed.length} commands`);
    for (const c of contributed) assert.equal(c.category, 'WebSocket', c.command);
    // onCommand / onView are inferred from contributes; a webview panel serializer has no
    // contribution point, so VS Code restores our panel after a reload only with onWebviewPanel
    // (as its own markdown preview and simple browser declare it): the one explicit event.
    assert.deepEqual(ext.packageJSON.activationEvents, ['onWebviewPanel:websocketWorkbench.panel']);
    await cmd('showLog');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, []);
    report(`${contributed.length} commands registered; activate() itself took ${(await api()).activateMs.toFixed(1)} ms`);
  });

  it('starts an echo server, connects, echoes and closes @installed', async () => {
    const { servers, connections } = await api();
    const server = await cmd<{ id: string; url: string }>('startEchoServer', { port: 0, secure: false });
    const id = await cmd<string>('newConnection', { url: server.url });
    await cmd('sendText', { connectionId: id, text: 'installed' });
    const entry = connections.require(id);
    await until('echo', () => entry.frames.find((f) => f.direction === 'in' && text(f) === 'installed'));
    const info = await cmd<{ code: number; wasClean: boolean }>('sendClose', { connectionId: id, code: 1000, reason: '' });
    assert.deepEqual(info, { code: 1000, reason: '', wasClean: true });
    await cmd('removeConnection', { connectionId: id });
    await cmd('stopServer', { serverId: server.id });
    assert.equal(servers.list().length, 0);
  });
});

describe('WebSocket Workbench end to end @installed', function () {
  this.timeout(60000);
  let w: WorkbenchApi;
  let server: { id: string; url: string; port: number };
  let id: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wsw-host-'));

  // Also run on the installed .vsix: the whole journey (sidebar, connect, fragments with pings on
  // the wire, the suite, a case outcome) must work from the package a user installs.
  before(async function () {
    w = await api();
    await vscode.commands.executeCommand('workbench.view.extension.websocketWorkbench');
  });
  after(async () => {
    w?.panel.close();
    for (const s of w?.servers.list() ?? []) await w.servers.stop(s.id);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Start Echo Server shows the server in the Servers view', async () => {
    server = await cmd('startEchoServer', { port: 0, secure: false });
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    const nodes = w.trees.servers.getChildren();
    assert.equal(nodes.length, 1);
    const item = w.trees.servers.getTreeItem(nodes[0]);
    assert.equal(item.label, server.url);
    assert.equal(item.contextValue, 'server');
    assert.match(String(item.description), /echo · 0 peer/);
  });

  it('New Connection validates the URL and keeps secret header values out of workspace state', async () => {
    await assert.rejects(Promise.resolve(cmd('newConnection', { url: 'http://example.com/' })), /ws:\/\/ or wss:\/\//);
    await assert.rejects(Promise.resolve(cmd('newConnection', { url: 'ws://h/#frag' })), /fragment/);
    const t0 = performance.now();
    id = await cmd<string>('newConnection', {
      url: server.url,
      label: 'echo',
      headers: [{ name: 'Authorization', value: 'Bearer s3cr3t-token', secret: true }, { name: 'X-Plain', value: 'visible' }],
    });
    report(`connect round trip ${(performance.now() - t0).toFixed(0)} ms`);
    const entry = w.connections.require(id);
    assert.equal(entry.state, 'open');
    assert.match(entry.requestHead, /Authorization: Bearer s3cr3t-token/, 'the real value goes on the wire');
    assert.doesNotMatch(entry.maskedRequestHead(), /s3cr3t/);
    const item = w.trees.connections.getTreeItem({ kind: 'connection', id });
    assert.equal(item.label, 'echo');
    assert.equal(item.contextValue, 'connection.open');
    assert.match(String(item.description), /^open/);
    await until('peer in Servers view', () => w.trees.servers.getChildren({ kind: 'server', id: server.id }).length === 1);
    assert.match(w.statusBar.item.text, /open: echo/);
    assert.match(w.statusBar.item.text, new RegExp(`echo :${server.port}`));
  });

  it('New Connection from the palette: the prompts, answered with their defaults', async () => {
    const made = Promise.resolve(cmd<string>('newConnection'));
    // URL (defaults to the running echo server), subprotocols, headers, compression: Enter on each,
    // once the driver sees that prompt (a blind accept before it shows would be lost)
    const steps = ['(1/4): URL', 'Subprotocols (2/4)', 'Extra headers (3/4)', 'Compression (4/4)'].map((title) => ({ title }));
    const answers = await answerPrompts('new-connection-defaults', steps);
    if (answers) assert.deepEqual(answers.steps.map((s) => s.typed), ['nothing', 'nothing', 'nothing', 'nothing']);
    else {
      // nobody drives a browser (VS Code desktop): accept each prompt after a pause
      for (let step = 0; step < steps.length; step++) {
        await new Promise((r) => setTimeout(r, 400));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
    }
    const palId = await made;
    assert.ok(palId, 'a connection was made');
    const entry = w.connections.require(palId);
    assert.equal(entry.spec.url, server.url);
    assert.equal(entry.state, 'open');
    await cmd('disconnect', { connectionId: palId });
    await cmd('removeConnection', { connectionId: palId });
    w.connections.activeId = id;
  });

  it('Send Text: one masked text frame out, the echo in', async () => {
    await cmd('sendText', { connectionId: id, text: 'hello' });
    const entry = w.connections.require(id);
    const echo = await until('echo of hello', () => entry.frames.find((f) => f.direction === 'in' && text(f) === 'hello'));
    const out = entry.frames.find((f) => f.direction === 'out' && text(f) === 'hello')!;
    assert.deepEqual([out.opcode, out.fin, out.rsv, out.masked, out.mask?.length], [1, true, 0, true, 4]);
    assert.deepEqual([echo.opcode, echo.fin, echo.masked], [1, true, false]);
    const children = await until('frames under the connection', () => {
      const c = w.trees.connections.getChildren({ kind: 'connection', id });
      return c.length >= 2 ? c : undefined;
    });
    const labels = children.map((c) => w.trees.connections.getTreeItem(c).label);
    assert.deepEqual(labels.slice(-2), ['→ TEXT 5 B', '← TEXT 5 B']);
  });

  it('Send Fragmented Message with pings between chosen fragments: the frames on the wire', async () => {
    const entry = w.connections.require(id);
    const from = entry.frames.length;
    const r = await cmd<{ fragments: number[] }>('sendFragmented', { connectionId: id, text: 'fragmented!', fragments: [3, 3, 5], pingsAfter: [0, 1] });
    assert.deepEqual(r.fragments, [3, 3, 5]);
    await until('echo of the whole message', () => entry.frames.slice(from).find((f) => f.direction === 'in' && f.opcode === 1));
    const frames = entry.frames.slice(from);
    assert.deepEqual(frames.filter((f) => f.direction === 'out').map(brief), [
      'out 1 fin=0 "fra"',
      'out 9 fin=1 "ping after 1"',
      'out 0 fin=0 "gme"',
      'out 9 fin=1 "ping after 2"',
      'out 0 fin=1 "nted!"',
    ]);
    assert.deepEqual(frames.filter((f) => f.direction === 'in').map(brief), ['in 10 fin=1 "ping after 1"', 'in 10 fin=1 "ping after 2"', 'in 1 fin=1 "fragmented!"']);
  });

  it('Send Ping, Send Binary (hex and base64), Send JSON', async () => {
    const entry = w.connections.require(id);
    const from = entry.frames.length;
    await cmd('sendPing', { connectionId: id, payload: 'are you there' });
    await cmd('sendBinary', { connectionId: id, hex: 'de ad be ef' });
    await cmd('sendBinary', { connectionId: id, base64: 'AAEC' });
    await cmd('sendJson', { connectionId: id, text: '{"a": [1, 2]}' });
    await assert.rejects(Promise.resolve(cmd('sendJson', { connectionId: id, text: '{nope' })), /Not valid JSON/);
    await until('four answers', () => entry.frames.slice(from).filter((f) => f.direction === 'in').length >= 4 || undefined);
    const inbound = entry.frames.slice(from).filter((f) => f.direction === 'in');
    assert.deepEqual(inbound.map((f) => [f.opcode, Buffer.from(f.payload).toString('hex')]), [
      [10, Buffer.from('are you there').toString('hex')],
      [2, 'deadbeef'],
      [2, '000102'],
      [1, Buffer.from('{"a": [1, 2]}').toString('hex')],
    ]);
  });

  it('the webview renders one row per frame, a hostile payload as text, through the ready handshake', async () => {
    const entry = w.connections.require(id);
    await cmd('sendText', { connectionId: id, text: HOSTILE });
    await until('hostile echo', () => entry.frames.find((f) => f.direction === 'in' && text(f) === HOSTILE));
    await cmd('showWireLog', { connectionId: id });
    const probe = await until('rows rendered', async () => {
      const p = await w.panel.probe();
      return p.rows === entry.frames.length ? p : undefined;
    });
    assert.equal(probe.images, 0, 'no <img> was created from the payload');
    assert.ok(probe.scripts.some((s) => s.endsWith('/dist/webview.js')), probe.scripts.join(', '));
    assert.ok(!probe.scripts.some((s) => s.includes('alert')), `no script from the payload: ${probe.scripts.join(', ')}`);
    const hostileRows = probe.renderedRowTexts.filter((t) => t.includes(HOSTILE));
    assert.equal(hostileRows.length, 2, `out and in rows show the payload as text: ${probe.renderedRowTexts.join('\n')}`);
    assert.match(hostileRows[0], /→ out \| TEXT \| 1 \| 0 \| 28 \|/);
    // the same, read from outside through the webview's iframes (Playwright on the driver side)
    if (SCREENSHOT_DIR) {
      const dom = (await webviewDom('hostile-rows', '.viewport .row'))!;
      assert.equal(dom.images, 0, 'no <img> element anywhere in the webview document');
      assert.equal(dom.texts.filter((t) => t.includes(HOSTILE)).length, 2, dom.texts.join('\n'));
      assert.match(dom.csp ?? '', /^default-src 'none'; style-src [^;]+; img-src [^;]+; font-src [^;]+; script-src 'nonce-[A-Za-z0-9+/=]{24}'$/);
      assert.ok(dom.scripts.some((src) => src.endsWith('/dist/webview.js')));
      report(`webview DOM (Playwright): ${dom.count} row elements, ${dom.images} <img>, CSP ${dom.csp?.split(';')[0]}`);
    }
    if (SCREENSHOT_DIR) {
      // a user clicks the first row (the text "hello"): its full text and hex appear
      const clicked = (await webviewDom('row-detail', '.detail', [{ click: '.viewport .row >> nth=0' }], { waitFor: 'Frame #1 · sent' }))!;
      assert.match(clicked.texts[0], /Frame #1 · sent TEXT · fin=1 rsv=0 · 5 bytes · masked/);
      assert.match(clicked.texts[0], /Texthello/);
      assert.match(clicked.texts[0], /000000 {2}68 65 6c 6c 6f/);
      // keyboard: Escape hides it, ArrowDown + Enter opens the next row (the echo)
      const keyed = (await webviewDom('row-detail-keys', '.detail', [{ press: 'Escape', on: '.viewport' }, { press: 'ArrowDown', on: '.viewport' }, { press: 'Enter', on: '.viewport' }], { waitFor: 'Frame #2 · received' }))!;
      assert.match(keyed.texts[0], /Frame #2 · received TEXT/);
      // filters: received pings' answers only, then a text filter
      const pongs = (await webviewDom('filter-pong', '.viewport .row', [{ press: 'Escape', on: '.viewport' }, { select: 'select[aria-label=Opcode]', value: '10' }, { select: 'select[aria-label=Direction]', value: 'in' }]))!;
      assert.deepEqual(pongs.texts.map((t) => /"(.*)"/.exec(t)?.[1]), ['ping after 1', 'ping after 2', 'are you there']);
      const filtered = (await webviewDom('filter-text', '.viewport .row', [{ select: 'select[aria-label=Opcode]', value: 'all' }, { fill: 'input[type=search]', value: 'onerror' }]))!;
      assert.equal(filtered.count, 1, filtered.texts.join('\n'));
      assert.ok(filtered.texts[0].includes(HOSTILE));
      await webviewDom('filter-reset', '.viewport .row', [{ fill: 'input[type=search]', value: '' }, { select: 'select[aria-label=Direction]', value: 'all' }, { press: 'End', on: '.viewport' }]);
    }
    // live: a new frame appears without re-opening
    await cmd('sendText', { connectionId: id, text: 'live row' });
    await until('live rows', async () => (await w.panel.probe()).renderedRowTexts.some((t) => t.includes('← in') && t.includes('live row')));
    await screenshot('wire-log-workbench');
    await screenshot('wire-log-webview', { webview: true });
  });

  it('the panel restores its state when re-opened', async () => {
    const entry = w.connections.require(id);
    w.panel.close();
    await until('closed', () => !w.panel.visible);
    await w.panel.show();
    const p = await w.panel.probe();
    assert.equal(p.rows, entry.frames.length);
    assert.match(p.bodyText, /echo/);
  });

  it('Export Session writes JSON with every frame and text, secrets masked', async () => {
    const files = await cmd<{ json: string; text: string }>('exportSession', { connectionId: id, path: path.join(tmp, 'session.json') });
    const json = JSON.parse(fs.readFileSync(files.json, 'utf8')) as { frames: { direction: string; opcode: number; payloadHex: string; timeMs: number }[]; headers: { name: string; value: string }[]; requestHead: string };
    const entry = w.connections.require(id);
    assert.equal(json.frames.length, entry.frames.length);
    assert.ok(json.frames.every((f) => typeof f.timeMs === 'number'));
    assert.deepEqual(json.headers.map((h) => h.value), ['••••', 'visible']);
    const all = fs.readFileSync(files.json, 'utf8') + fs.readFileSync(files.text, 'utf8');
    assert.doesNotMatch(all, /s3cr3t/);
    assert.match(fs.readFileSync(files.text, 'utf8'), />> TEXT +fin=0 rsv=0 len=3 +"fra"/);
  });

  it('Send Close with a code and reason: close frames both ways, clean, state in the tree', async () => {
    const entry = w.connections.require(id);
    const info = await cmd<{ code: number; reason: string; wasClean: boolean }>('sendClose', { connectionId: id, code: 4000, reason: 'done' });
    assert.deepEqual(info, { code: 4000, reason: 'done', wasClean: true });
    const closes = entry.frames.filter((f) => f.opcode === 8);
    assert.deepEqual(closes.map((f) => [f.direction, Buffer.from(f.payload).toString('hex')]), [
      ['out', '0fa0' + Buffer.from('done').toString('hex')],
      ['in', '0fa0' + Buffer.from('done').toString('hex')],
    ]);
    assert.equal(entry.state, 'closed');
    assert.equal(w.trees.connections.getTreeItem({ kind: 'connection', id }).contextValue, 'connection.closed');
    const p = await until('state in webview', async () => ((await w.panel.probe()).bodyText.includes('closed') ? true : undefined));
    assert.ok(p);
  });

  it('Compose Raw Frame sends a deliberately invalid frame; the server fails the connection with 1002', async () => {
    const raw = await cmd<string>('newConnection', { url: server.url, label: 'raw' });
    const hex = await cmd<string>('composeRawFrame', { connectionId: raw, opcode: 3, fin: true, rsv: 0, mask: '01020304', payload: 'x' });
    assert.equal(hex, '8381' + '01020304' + '79'); // 'x' ^ 0x01
    const entry = w.connections.require(raw);
    await until('connection ended', () => entry.state === 'closed' || entry.state === 'failed');
    assert.equal(entry.closeInfo?.received?.code, 1002);
    await cmd('clearLog', { connectionId: raw });
    assert.equal(entry.frames.length, 0);
  });

  it('a server that sends a reserved opcode: that frame is a row of its own, marked rejected, and the connection fails with 1002', async () => {
    const bad = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', (head) => {
        const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(head.toString())![1];
        const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        socket.write(Buffer.from([0x83, 0x01, 0x41]));
      });
    });
    bad.listen(0, '127.0.0.1');
    await once(bad, 'listening');
    try {
      const conn = await cmd<string>('newConnection', { url: `ws://127.0.0.1:${(bad.address() as net.AddressInfo).port}/`, label: 'rejected frame' });
      const entry = w.connections.require(conn);
      const row = await until('the rejected row', () => entry.frames.find((f) => f.rejected));
      assert.deepEqual([row.direction, row.opcode, row.fin, row.rejected], ['in', 3, true, { reason: 'reserved opcode 3', length: 1 }]);
      const sent = await until('our close frame', () => entry.frames.find((f) => f.direction === 'out' && f.opcode === 8));
      assert.equal(Buffer.from(sent.payload).readUInt16BE(0), 1002);
      assert.ok(sent.seq > row.seq, 'logged in wire order: the bad frame, then our close');
    } finally {
      bad.close();
    }
  });

  it('Saved messages: several per connection, a name replaces its message, sent again by name, deleted', async () => {
    const c = await cmd<string>('newConnection', { url: server.url, label: 'saved messages' });
    const entry = w.connections.require(c);
    await cmd('saveMessage', { connectionId: c, name: 'hello', text: 'hello again' });
    await cmd('saveMessage', { connectionId: c, name: 'bytes', hex: 'de ad be ef' });
    await cmd('saveMessage', { connectionId: c, name: 'hello', text: 'hello, replaced' });
    assert.deepEqual(entry.spec.messages, [{ name: 'hello', binary: false, data: 'hello, replaced' }, { name: 'bytes', binary: true, data: 'deadbeef' }]);
    await cmd('sendSavedMessage', { connectionId: c, name: 'bytes' });
    await cmd('sendSavedMessage', { connectionId: c, name: 'hello' });
    const echoes = await until('both echoes', () => {
      const inbound = entry.frames.filter((f) => f.direction === 'in' && f.opcode !== 8);
      return inbound.length >= 2 ? inbound : undefined;
    });
    assert.deepEqual(echoes.map((f) => [f.opcode, Buffer.from(f.payload).toString('hex')]), [[2, 'deadbeef'], [1, Buffer.from('hello, replaced').toString('hex')]]);
    await assert.rejects(Promise.resolve(cmd('sendSavedMessage', { connectionId: c, name: 'nope' })), /no saved message "nope" \(it has "hello", "bytes"\)/);
    await cmd('deleteSavedMessage', { connectionId: c, name: 'hello' });
    assert.deepEqual(entry.spec.messages?.map((m) => m.name), ['bytes']);
    await cmd('disconnect', { connectionId: c });
  });

  it('Send Close with a code that may not be sent is refused and leaves the connection open; the close shows how it ended', async () => {
    const c = await cmd<string>('newConnection', { url: server.url, label: 'close checks' });
    const entry = w.connections.require(c);
    await assert.rejects(Promise.resolve(cmd('sendClose', { connectionId: c, code: 5000 })), /close code 5000 may not be sent/);
    await assert.rejects(Promise.resolve(cmd('sendClose', { connectionId: c, code: 1000, reason: 'x'.repeat(124) })), /124 bytes/);
    assert.equal(entry.state, 'open', 'not stuck in closing');
    await cmd('sendPong', { connectionId: c, payload: 'by hand' });
    const pong = await until('our pong', () => entry.frames.find((f) => f.direction === 'out' && f.opcode === 10));
    assert.equal(text(pong), 'by hand');
    const info = await cmd<{ code: number; wasClean: boolean }>('sendClose', { connectionId: c, code: 4000, reason: 'done' });
    assert.deepEqual([info.code, info.wasClean], [4000, true]);
    const item = w.trees.connections.getTreeItem({ kind: 'connection', id: c });
    assert.match(String(item.description), /^closed 4000 clean/);
    assert.match(String(item.tooltip), /closed: 4000 "done" · clean · we closed first/);
    const close = w.trees.connections.getChildren({ kind: 'connection', id: c }).map((n) => w.trees.connections.getTreeItem(n)).find((i) => String(i.label).startsWith('→ CLOSE'));
    assert.match(String(close?.description), /code=4000 reason="done"/, 'close frames show their code and reason, not hex');
  });

  it('Connect twice at once opens one socket; Remove while connecting closes what the connect opens', async () => {
    let sockets = 0;
    const slow = net.createServer((socket) => {
      sockets++;
      socket.on('error', () => {});
      socket.once('data', (head) => {
        const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(head.toString())![1];
        const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
        // Answer after a while, so the second Connect comes while the first is under way.
        setTimeout(() => socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`), 300);
      });
    });
    const open = new Set<net.Socket>();
    slow.on('connection', (s) => (open.add(s), s.on('close', () => open.delete(s))));
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    try {
      const url = `ws://127.0.0.1:${(slow.address() as net.AddressInfo).port}/`;
      const c = await cmd<string>('newConnection', { url, label: 'twice', connect: false });
      await Promise.all([cmd('connect', { connectionId: c }), cmd('connect', { connectionId: c })]);
      assert.equal(sockets, 1, 'one socket for two Connects');
      assert.equal(w.connections.require(c).state, 'open');
      await cmd('disconnect', { connectionId: c });
      const d = await cmd<string>('newConnection', { url, label: 'removed', connect: false });
      const connecting = Promise.resolve(cmd('connect', { connectionId: d })).catch((e: Error) => e);
      await until('connecting', () => sockets === 2);
      await cmd('removeConnection', { connectionId: d });
      assert.match(String(await connecting), /removed while it connected/);
      await until('no socket left open', () => open.size === 0);
    } finally {
      slow.close();
    }
  });

  it('Send Fragmented from the tree asks for pings and the write mode too', async function () {
    const c = await cmd<string>('newConnection', { url: server.url, label: 'fragments from the tree' });
    const done = Promise.resolve(cmd<{ fragments: number[]; pingsAfter: number[]; sync: boolean }>('sendFragmented', { kind: 'connection', id: c }));
    const answers = await answerPrompts('send-fragmented-tree', [
      { title: 'Fragmented message: text or binary?', pick: 'Text' },
      { title: 'Fragmented message: text', fill: 'from the tree' },
      { title: 'Fragments of the 13-byte message', fill: '2' },
      { title: 'Send a ping between fragments?', check: ['after fragment 1'] },
      { title: 'How do the frames go onto the socket?', pick: 'One write per frame' },
    ]);
    if (!answers) this.skip(); // no prompt driver in this mode
    const r = await done;
    assert.deepEqual([r.fragments, r.pingsAfter, r.sync], [[7, 6], [0], true]);
  });

  it('Run Conformance Suite fills the Conformance view; Open Case Report shows the outcome', async () => {
    const runId = await cmd<string>('runConformanceSuite', { url: server.url, cases: ['1.1.1', '1.1.2', '1.1.3', '2.1'] });
    const run = w.runs.get(runId)!;
    assert.equal(run.state, 'done');
    assert.deepEqual([...run.results.keys()].sort(), ['1.1.1', '1.1.2', '1.1.3', '2.1']);
    const tree = w.trees.conformance;
    const [runNode] = tree.getChildren();
    assert.match(String(tree.getTreeItem(runNode).description), /done · 4\/4 cases/);
    const sections = tree.getChildren(runNode);
    assert.deepEqual(sections.map((s) => tree.getTreeItem(s).label), ['1 Framing', '2 Pings/Pongs']);
    const cases = sections.flatMap((s) => tree.getChildren(s));
    assert.deepEqual(cases.map((c) => [tree.getTreeItem(c).label, String(tree.getTreeItem(c).description).split(' · ')[0]]), [
      ['Case 1.1.1', 'OK'], ['Case 1.1.2', 'OK'], ['Case 1.1.3', 'OK'], ['Case 2.1', 'OK'],
    ]);
    await vscode.commands.executeCommand('websocketWorkbench.conformance.focus');
    await cmd('openCaseReport', cases[0]);
    const p = await until('case shown', async () => {
      const probe = await w.panel.probe();
      return probe.bodyText.includes('Case 1.1.1') ? probe : undefined;
    });
    for (const heading of ['Case Description', 'Case Expectation', 'Case Outcome', 'Closing Behavior', 'Opening Handshake', 'Wire Statistics', 'Wire Log']) assert.ok(p.bodyText.includes(heading), heading);
    assert.match(p.bodyText, /OKclose OK/);
    await screenshot('conformance-workbench');
    await screenshot('case-outcome-webview', { webview: true });
  });

  it('the wire log keeps no more rows than logRowLimit, in the webview as in the model', async function () {
    this.timeout(60000);
    const config = vscode.workspace.getConfiguration('websocketWorkbench');
    await config.update('logRowLimit', 200, vscode.ConfigurationTarget.Global);
    try {
      const c = await cmd<string>('newConnection', { url: server.url, label: 'row limit' });
      const entry = w.connections.require(c);
      await cmd('showWireLog', { connectionId: c });
      const ws = w.connections.socket(c);
      for (let i = 0; i < 1000; i++) ws.send(`r${i}`);
      await until('2,000 frames seen', () => entry.frames.at(-1)?.direction === 'in' && text(entry.frames.at(-1)!) === 'r999', 30000);
      const p = await until('the last row in the webview', async () => {
        const probe = await w.panel.probe(10000);
        return probe.renderedRowTexts.at(-1)?.includes('r999') ? probe : undefined;
      }, 30000);
      assert.ok(entry.frames.length <= 220, `${entry.frames.length} frames kept in the model`);
      assert.ok(p.rows >= 200 && p.rows <= 220, `${p.rows} rows kept in the webview for a limit of 200`);
      await cmd('disconnect', { connectionId: c });
    } finally {
      await config.update('logRowLimit', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the wire log stays virtualised with 100,000 frames', async function () {
    this.timeout(150000); // a loaded CI machine: the assertion is about the DOM, not the speed
    const bulk = await cmd<string>('newConnection', { url: server.url, label: 'bulk' });
    const entry = w.connections.require(bulk);
    await cmd('showWireLog', { connectionId: bulk });
    const t0 = performance.now();
    const ws = w.connections.socket(bulk);
    for (let i = 0; i < 50000; i++) ws.send(`m${i}`);
    await until('100,000 frames recorded', () => entry.frames.length >= 100000 || undefined, 60000);
    report(`100,000 frames recorded in ${(performance.now() - t0).toFixed(0)} ms`);
    const p = await until('100,000 rows in the webview', async () => {
      const probe = await w.panel.probe(30000);
      report(`probe: ${probe.rows} rows at ${(performance.now() - t0).toFixed(0)} ms`);
      return probe.rows >= 100000 ? probe : undefined;
    }, 60000);
    const ms = performance.now() - t0;
    assert.ok(p.renderedRows < 200, `${p.renderedRows} row elements for ${p.rows} rows`);
    assert.ok(p.renderedRowTexts.at(-1)?.includes('m49999'), 'autoscroll follows the newest frame');
    report(`100,000 frames recorded and shown in ${ms.toFixed(0)} ms; ${p.renderedRows} row elements in the DOM`);
    await screenshot('wire-log-100k', { webview: true });
    await cmd('disconnect', { connectionId: bulk });
  });
});
