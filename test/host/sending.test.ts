// Send Fragmented Message with a chop size and sync, checked at the echo server's socket (the
// reads it got and the frames in them); Start Echo Server with wss:// (our self-signed
// certificate); and both commands' palette prompts, answered in the workbench as a user would.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { WorkbenchApi } from '../../src/extension/extension';
import type { FrameRecord } from '../../src/extension/model/connections';
import { splitFrames } from '../../src/wire';
import { HOST_MODE, SCREENSHOT_DIR, answerPrompts, getExtension, until } from './helpers';

const cmd = <T = unknown>(name: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`websocketWorkbench.${name}`, ...args);
const text = (f: FrameRecord) => Buffer.from(f.payload).toString('utf8');

async function api(): Promise<WorkbenchApi> {
  const ext = getExtension();
  return (ext.isActive ? ext.exports : await ext.activate()) as WorkbenchApi;
}

/** A client frame as the server read it: opcode, FIN and the unmasked payload. */
function describeFrame(octets: Uint8Array): string {
  const masked = (octets[1] & 0x80) !== 0;
  const len7 = octets[1] & 0x7f;
  const start = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
  const mask = masked ? octets.subarray(start, start + 4) : null;
  const payload = Buffer.from(octets.subarray(start + (masked ? 4 : 0)));
  if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
  return `${octets[0] & 0x0f} fin=${octets[0] >> 7} masked=${masked ? 1 : 0} ${JSON.stringify(payload.toString('utf8'))}`;
}

// 'fragmented!' as fragments [3, 3, 5] with a ping after the first: masked client frames of
// 2 + 4 + payload octets: 9 ("fra"), 18 (ping "ping after 1"), 9 ("gme"), 11 ("nted!")
const FRAMES = ['1 fin=0 masked=1 "fra"', '9 fin=1 masked=1 "ping after 1"', '0 fin=0 masked=1 "gme"', '0 fin=1 masked=1 "nted!"'];
const FRAME_OCTETS = [9, 18, 9, 11];

describe('Send Fragmented Message with chop size and sync; wss echo server', function () {
  this.timeout(60000);
  let w: WorkbenchApi;
  let server: { id: string; url: string };
  let id: string;
  /** Every read of the echo server's socket for our connection (its sizes and bytes). */
  let reads: Buffer[] = [];

  before(async function () {
    if (HOST_MODE === 'installed') this.skip();
    w = await api();
    server = await cmd('startEchoServer', { port: 0, secure: false });
    id = await cmd<string>('newConnection', { url: server.url, label: 'paced' });
    const peer = await until('the echo server has our peer', () => [...(w.servers.get(server.id)?.peers ?? [])][0]);
    // first in line: the server's engine unmasks payloads in place when its own listener runs
    peer.socket.prependListener('data', (chunk: Buffer) => reads.push(Buffer.from(chunk)));
  });
  after(async () => {
    for (const c of w?.connections.list() ?? []) await w.connections.remove(c.id);
    for (const s of w?.servers.list() ?? []) await w.servers.stop(s.id);
  });

  /** Sends 'fragmented!' with the given pacing; waits for its echo; returns the writes and the server's reads. */
  async function send(options: Record<string, unknown>): Promise<{ writes?: number[]; reads: number[]; frames: string[] }> {
    const entry = w.connections.require(id);
    const from = entry.frames.length;
    reads = [];
    const r = await cmd<{ writes?: number[]; completed?: boolean }>('sendFragmented', { connectionId: id, text: 'fragmented!', fragments: [3, 3, 5], pingsAfter: [0], ...options });
    await until('the echo', () => entry.frames.slice(from).find((f) => f.direction === 'in' && f.opcode === 1 && text(f) === 'fragmented!'));
    // the wire log has the four frames out, as the engine made them
    assert.deepEqual(entry.frames.slice(from).filter((f) => f.direction === 'out').map((f) => `${f.opcode} fin=${f.fin ? 1 : 0} masked=1 ${JSON.stringify(text(f))}`), FRAMES);
    if (r.writes) assert.equal(r.completed, true);
    const all = Buffer.concat(reads);
    return { writes: r.writes, reads: reads.map((b) => b.length), frames: splitFrames(all).map(describeFrame) };
  }

  it('coalesced (no chop, no sync): the four frames reach the server in one read', async () => {
    const got = await send({});
    assert.equal(got.writes, undefined);
    assert.deepEqual(got.frames, FRAMES);
    assert.deepEqual(got.reads, [FRAME_OCTETS.reduce((a, b) => a + b)]);
  });

  it('sync: each frame its own write, and the server reads them one by one', async () => {
    const got = await send({ sync: true });
    assert.deepEqual(got.writes, FRAME_OCTETS);
    assert.deepEqual(got.reads, FRAME_OCTETS);
    assert.deepEqual(got.frames, FRAMES);
  });

  it('chop size 4: every frame in 4-octet writes, read one by one, the same frames', async () => {
    const got = await send({ chopSize: 4 });
    const chunks = FRAME_OCTETS.flatMap((n) => [...Array(Math.ceil(n / 4)).keys()].map((i) => Math.min(4, n - i * 4)));
    assert.deepEqual(chunks, [4, 4, 1, 4, 4, 4, 4, 2, 4, 4, 1, 4, 4, 3]);
    assert.deepEqual(got.writes, chunks);
    assert.deepEqual(got.reads, chunks);
    assert.deepEqual(got.frames, FRAMES);
  });

  it('chop size 1 (octet by octet): 47 writes, the echo intact', async () => {
    const got = await send({ chopSize: 1 });
    assert.deepEqual(got.writes, Array(47).fill(1));
    assert.equal(got.reads.reduce((a, b) => a + b), 47);
    assert.ok(got.reads.length >= 40, `the server saw the octets arrive apart: ${got.reads.length} reads`);
    assert.deepEqual(got.frames, FRAMES);
  });

  it('a bad chop size is refused before anything is sent', async () => {
    const entry = w.connections.require(id);
    const from = entry.frames.length;
    await assert.rejects(Promise.resolve(cmd('sendFragmented', { connectionId: id, text: 'x', fragments: [1], chopSize: 0 })), /chop size/);
    await assert.rejects(Promise.resolve(cmd('sendFragmented', { connectionId: id, text: 'x', fragments: [1], chopSize: 2.5 })), /chop size/);
    assert.equal(entry.frames.length, from);
    assert.equal(entry.state, 'open');
  });

  it('Send Fragmented Message from the palette: fragments, pings, then "Chopped…" with a chop size', async function () {
    if (!SCREENSHOT_DIR) this.skip();
    const entry = w.connections.require(id);
    const from = entry.frames.length;
    reads = [];
    const done = Promise.resolve(cmd<{ fragments: number[]; pingsAfter: number[]; chopSize: number; writes: number[] }>('sendFragmented'));
    const answers = (await answerPrompts('send-fragmented-prompts', [
      { title: 'Fragmented message: text or binary?', pick: 'Text' },
      { title: 'Fragmented message: text', fill: 'fragmented!' },
      { title: 'Fragments of the 11-byte message', fill: '3, 3, 5' },
      { title: 'Send a ping between fragments?', check: ['after fragment 1'] },
      { title: 'How do the frames go onto the socket?', pick: 'Chopped' },
      { title: 'Chop size', fill: '4' },
    ]))!;
    const r = await done;
    assert.ok(r, `the command completed: ${JSON.stringify(answers.steps.map((s) => s.title))}`);
    assert.deepEqual([r.fragments, r.pingsAfter, r.chopSize], [[3, 3, 5], [0], 4]);
    assert.deepEqual(r.writes, [4, 4, 1, 4, 4, 4, 4, 2, 4, 4, 1, 4, 4, 3]);
    assert.deepEqual(answers.steps[4].rows.map((row) => row.split(',')[0]), ['Coalesced', 'One write per frame (sync)', 'Chopped…']);
    await until('the echo', () => entry.frames.slice(from).find((f) => f.direction === 'in' && f.opcode === 1 && text(f) === 'fragmented!'));
    assert.deepEqual(splitFrames(Buffer.concat(reads)).map(describeFrame), FRAMES);
  });

  it('Start Echo Server with wss:// (self-signed): a connection that skips verification echoes; a verifying one is refused', async () => {
    const wss = await cmd<{ id: string; url: string; secure: boolean; fingerprint: string | null }>('startEchoServer', { port: 0, secure: true });
    assert.match(wss.url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(wss.secure, true);
    assert.match(wss.fingerprint ?? '', /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/i);
    const item = w.trees.servers.getTreeItem({ kind: 'server', id: wss.id });
    assert.match(String(item.tooltip), /self-signed certificate, SHA-256/);
    await assert.rejects(Promise.resolve(cmd('newConnection', { url: wss.url, label: 'verifying' })), /certificate/i);
    const conn = await cmd<string>('newConnection', { url: wss.url, label: 'insecure', insecure: true });
    const entry = w.connections.require(conn);
    assert.equal(entry.state, 'open');
    await cmd('sendFragmented', { connectionId: conn, text: 'over tls', fragments: [4, 4], sync: true });
    await until('the echo over TLS', () => entry.frames.find((f) => f.direction === 'in' && text(f) === 'over tls'));
    const info = await cmd<{ wasClean: boolean }>('sendClose', { connectionId: conn, code: 1000, reason: '' });
    assert.equal(info.wasClean, true);
    await cmd('stopServer', { serverId: wss.id });
  });

  it('Start Echo Server from the palette: port 0 and wss://, then a connection to it', async function () {
    if (!SCREENSHOT_DIR) this.skip();
    const started = Promise.resolve(cmd<{ id: string; url: string; secure: boolean } | undefined>('startEchoServer'));
    const answers = (await answerPrompts('echo-server-prompts', [
      { title: 'Echo server: port', fill: '0' },
      { title: 'Echo server: scheme', pick: 'wss://' },
    ]))!;
    const r = await started;
    assert.ok(r, `the command completed: ${JSON.stringify(answers)}`);
    assert.equal(r.secure, true);
    assert.match(r.url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(answers.steps[0].title.includes('0 = any free port'), true);
    // the port prompt checks what is typed
    const bad = Promise.resolve(cmd('startEchoServer'));
    const refused = (await answerPrompts('echo-server-bad-port', [{ title: 'Echo server: port', fill: '70000', stay: true, message: 'port number 0-65535' }]))!;
    assert.match(refused.steps[0].message, /port number 0-65535/);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.equal(await bad, undefined, 'dismissed: the command ends quietly');
    const conn = await cmd<string>('newConnection', { url: r.url, insecure: true });
    assert.equal(w.connections.require(conn).state, 'open');
    await cmd('disconnect', { connectionId: conn });
    await cmd('stopServer', { serverId: r.id });
  });
});
