// sendPaced (chop size / sync) over a real loopback connection: our client to our echo server,
// the server's socket reads recorded; plus the pure parts (refused chop sizes, cancel).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, listen, sendPaced, type WebSocketConnection, type WebSocketServer } from '../../src/transport';
import { splitFrames } from '../../src/wire';


describe('sendPaced', () => {
  let server: WebSocketServer;
  let client: WebSocketConnection;
  let reads: Buffer[] = [];
  const echoes: string[] = [];
  let serverSocket: WebSocketConnection['socket'];
  /** Between two writes: until the server has read all that was written (a loaded kernel may deliver late, and two writes would arrive as one read). */
  const turn = async () => {
    for (let i = 0; i < 2000 && serverSocket.bytesRead < client.socket.bytesWritten; i++) await new Promise((r) => setImmediate(r));
  };

  before(async () => {
    server = await listen({ host: '127.0.0.1', port: 0 });
    const peer = new Promise<WebSocketConnection>((resolve) => server.on('connection', (ws) => resolve(ws)));
    const address = server.server.address() as { port: number };
    client = await connect(`ws://127.0.0.1:${address.port}/`);
    client.on('message', (data) => echoes.push(Buffer.from(data).toString()));
    const ws = await peer;
    ws.on('message', (data, binary) => ws.send(data, { binary }));
    serverSocket = ws.socket;
    ws.socket.prependListener('data', (chunk: Buffer) => reads.push(Buffer.from(chunk))); // before the engine unmasks in place
  });
  after(async () => {
    await client.close(1000);
    await server.close();
  });

  async function echoed(text: string): Promise<void> {
    for (let i = 0; i < 200 && !echoes.includes(text); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(echoes.includes(text), `echo of ${text}`);
  }

  test('chop size 3: each frame in 3-octet writes, read apart by the server, frames intact', async () => {
    reads = [];
    const result = await sendPaced(client, new TextEncoder().encode('abcdefgh'), { binary: false, fragments: [4, 4], chopSize: 3 }, undefined, turn);
    // two masked frames of 2 + 4 + 4 = 10 octets: 3, 3, 3, 1 each
    assert.deepEqual(result, { frames: 2, writes: [3, 3, 3, 1, 3, 3, 3, 1], completed: true });
    await echoed('abcdefgh');
    assert.deepEqual(reads.map((r) => r.length), [3, 3, 3, 1, 3, 3, 3, 1]);
    assert.deepEqual(splitFrames(Buffer.concat(reads)).map((f) => [f[0], f.length]), [[0x01, 10], [0x80, 10]]);
  });

  test('sync: one write per frame; without either: one write for all', async () => {
    reads = [];
    const pings = new Map([[0, new TextEncoder().encode('p')]]);
    const synced = await sendPaced(client, new TextEncoder().encode('xyz'), { binary: false, fragments: [1, 2], pingsAfter: pings, sync: true }, undefined, turn);
    assert.deepEqual(synced.writes, [7, 7, 8]);
    await echoed('xyz');
    assert.deepEqual(reads.map((r) => r.length), [7, 7, 8]);
    reads = [];
    const coalesced = await sendPaced(client, new TextEncoder().encode('uvw'), { binary: false, fragments: [1, 2], pingsAfter: pings }, undefined, turn);
    assert.deepEqual(coalesced.writes, [22]);
    await echoed('uvw');
    assert.deepEqual(reads.map((r) => r.length), [22]);
  });

  test('a chop size below 1 or not whole is refused before anything is sent', async () => {
    for (const chopSize of [0, -1, 1.5]) {
      await assert.rejects(sendPaced(client, new Uint8Array(1), { chopSize }, undefined, turn), RangeError);
    }
    assert.equal(client.state, 'open');
  });

  test('cancelled between two writes: the connection is dropped (a frame cut short cannot be finished)', async () => {
    const abort = new AbortController();
    let turns = 0;
    const result = await sendPaced(client, new Uint8Array(20), { binary: true, chopSize: 2 }, abort.signal, async () => {
      if (++turns === 3) abort.abort();
      await turn();
    });
    assert.equal(result.completed, false);
    assert.ok(result.writes.length >= 2 && result.writes.length < 13, `${result.writes.length} writes`);
    const info = await client.closed;
    assert.equal(info.wasClean, false);
  });
});
