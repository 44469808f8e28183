// The transport under faults and limits: time-outs, refusals, resets, protocol errors on the
// wire, connection limits, backpressure, IPv6 loopback. Raw node:net peers play the broken side.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { connect, listen, listenRaw, sendPaced, type WebSocketConnection } from '../../src/transport';
import { splitFrames } from '../../src/wire';
import { acceptKeyFor, encodeFrame } from '../../src/engine';
import { acceptUpgrade, eventually, rawClient, rawServer, within } from '../reliability/helpers';

/** Collects everything a raw socket receives until the peer closes it. */
function readAll(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  return new Promise((resolve) => socket.on('close', () => resolve(Buffer.concat(chunks))));
}

const upgradeRequest = (extra = '', version = '13') =>
  `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: ${version}\r\n${extra}\r\n`;

describe('client faults', () => {
  test('a refused connection is WSW_CONNECT_REFUSED', async () => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await assert.rejects(connect(`ws://127.0.0.1:${port}/`), { code: 'WSW_CONNECT_REFUSED' });
  });

  test('a host that does not resolve is WSW_CONNECT_DNS', async () => {
    await assert.rejects(connect('ws://no-such-host.invalid/', { handshakeTimeoutMs: 5000 }), { code: 'WSW_CONNECT_DNS' });
  });

  test('bad URLs are refused before any socket opens', async () => {
    for (const url of ['http://127.0.0.1/', 'not a url', 'ws://127.0.0.1/#frag']) {
      await assert.rejects(connect(url), { code: 'WSW_CONNECT_URL' });
    }
  });

  test('a non-101 answer is WSW_CONNECT_HANDSHAKE with the status and headers', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 403 Forbidden\r\nX-Why: no token\r\nContent-Length: 0\r\n\r\n')));
    try {
      await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`), (error: Error & { code?: string; response?: { status: number; headers: [string, string][] } }) => {
        assert.equal(error.code, 'WSW_CONNECT_HANDSHAKE');
        assert.equal(error.response?.status, 403);
        assert.deepEqual(error.response?.headers[0], ['X-Why', 'no token']);
        assert.match(error.message, /403 Forbidden/);
        assert.match(error.message, /X-Why: no token/);
        return true;
      });
    } finally {
      await server.stop();
    }
  });

  test('a server that never answers the upgrade hits the handshake time-out', async () => {
    const server = await rawServer(() => {});
    try {
      const started = Date.now();
      await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`, { handshakeTimeoutMs: 200 }), { code: 'WSW_CONNECT_TIMEOUT' });
      assert.ok(Date.now() - started < 5000);
    } finally {
      await server.stop();
    }
  });

  test('a server that never answers our close is dropped after the close time-out, unclean', async () => {
    const server = await rawServer((socket) => acceptUpgrade(socket, () => {}));
    try {
      const ws = await connect(`ws://127.0.0.1:${server.port}/`, { closeTimeoutMs: 200 });
      const info = await ws.close(1000);
      assert.equal(info.closeTimedOut, true);
      assert.equal(info.wasClean, false);
      assert.equal(info.code, 1006);
    } finally {
      await server.stop();
    }
  });

  test('a client waits for the server to drop TCP after the close handshake, then it is clean', async () => {
    const server = await rawServer((socket) =>
      acceptUpgrade(socket, (s) => s.on('data', () => {
        // Answer the (masked) close with an unmasked close 1000, then drop TCP a little later.
        s.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
        setTimeout(() => s.end(), 50);
      })),
    );
    try {
      const ws = await connect(`ws://127.0.0.1:${server.port}/`, { closeTimeoutMs: 2000 });
      const info = await ws.close(1000);
      assert.deepEqual([info.wasClean, info.code, info.closeTimedOut], [true, 1000, false]);
    } finally {
      await server.stop();
    }
  });

  test('a peer that resets mid-frame ends the connection with 1006, unclean', async () => {
    const server = await rawServer((socket) => acceptUpgrade(socket, (s) => {
      s.write(Buffer.from([0x82, 0x7e, 0x01, 0x00, 1, 2, 3])); // 256-byte binary frame, 3 bytes sent
      setTimeout(() => s.resetAndDestroy(), 20);
    }));
    try {
      const ws = await connect(`ws://127.0.0.1:${server.port}/`);
      const info = await ws.closed;
      assert.deepEqual([info.wasClean, info.code], [false, 1006]);
    } finally {
      await server.stop();
    }
  });

  test('a masked frame from a server fails the connection with 1002', async () => {
    const server = await rawServer((socket) => acceptUpgrade(socket, (s) => {
      for (const part of encodeFrame({ opcode: 1, payload: Buffer.from('hi'), mask: Buffer.from([1, 2, 3, 4]) })) s.write(part);
      s.on('data', () => setTimeout(() => s.end(), 10));
    }));
    try {
      const ws = await connect(`ws://127.0.0.1:${server.port}/`);
      const failed = once(ws, 'failed');
      const info = await ws.closed;
      const [error] = await failed;
      assert.equal(error.code, 'WSW_ERR_MASK_FORBIDDEN');
      assert.equal(info.sent?.code, 1002);
      assert.equal(info.failure?.closeCode, 1002);
    } finally {
      await server.stop();
    }
  });
});

describe("a client connection's first moments: frames with the 101, early sends, reading holds", () => {
  // One write: the 101, a small text frame, then a 100 KiB binary frame. The client's first read
  // (64 KiB) ends inside the binary frame; the next read follows in the same turn of the loop.
  async function serverSendingWithTheResponse(): Promise<{ url: string; stop: () => Promise<void> }> {
    const server = await rawServer((socket) => {
      socket.once('data', (request: Buffer) => {
        const key = /Sec-WebSocket-Key: *(\S+)/i.exec(request.toString('latin1'))![1];
        const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyFor(key)}\r\n\r\n`;
        const frames = [...encodeFrame({ opcode: 1, payload: Buffer.from('first') }), ...encodeFrame({ opcode: 2, payload: Buffer.alloc(100 * 1024, 7) })];
        socket.write(Buffer.concat([Buffer.from(head), ...frames.map((f) => Buffer.from(f))]));
      });
    });
    return { url: `ws://127.0.0.1:${server.port}/`, stop: () => server.stop() };
  }

  for (const resumeAtOnce of [false, true]) {
    test(`reach the engine before later reads${resumeAtOnce ? ', also when the caller resumes the socket at once' : ''}`, async () => {
      const server = await serverSendingWithTheResponse();
      try {
        const ws = await connect(server.url);
        if (resumeAtOnce) ws.socket.resume();
        const got: string[] = [];
        ws.on('message', (data) => got.push(`${data.length}`));
        ws.on('failed', (error) => got.push(`failed ${error.code}`));
        await eventually(() => got.length >= 2, 2000);
        assert.deepEqual(got, ['5', `${100 * 1024}`]);
        ws.terminate();
      } finally {
        await server.stop();
      }
    });
  }

  test('a send() before the handlers are attached does not deliver those frames early (they would be lost)', async () => {
    const server = await serverSendingWithTheResponse();
    try {
      const ws = await connect(server.url);
      ws.send('hi');
      const got: number[] = [];
      ws.on('message', (data) => got.push(data.length));
      await eventually(() => got.length >= 2, 2000);
      assert.deepEqual(got, [5, 100 * 1024]);
      ws.terminate();
    } finally {
      await server.stop();
    }
  });

  test('sendPaced() right after connect(): a ping that arrives meanwhile is answered after the last chop', async () => {
    // The server pings as soon as the first chop arrives; the pong must not land inside the frame.
    const reads: Buffer[] = [];
    const server = await rawServer((socket) => acceptUpgrade(socket, (s) => {
      s.on('data', (chunk: Buffer) => {
        if (!reads.length) s.write(Buffer.from([0x89, 0x01, 0x50]));
        reads.push(chunk);
      });
    }));
    try {
      const ws = await connect(`ws://127.0.0.1:${server.port}/`);
      const result = await sendPaced(ws, new Uint8Array(20), { binary: true, chopSize: 2 });
      assert.equal(result.completed, true);
      // Both frames in: the binary one (2 + 4 + 20 octets) and the pong (2 + 4 + 1). (Looking for
      // an 0x8a octet instead also found it in the random mask, one run in a few dozen.)
      await eventually(() => Buffer.concat(reads).length >= 26 + 7, 2000);
      const wire = Buffer.concat(reads);
      const frames = splitFrames(wire).map((f) => f[0]);
      assert.deepEqual(frames, [0x82, 0x8a], `binary frame, then the pong: ${wire.toString('hex')}`);
      ws.terminate();
    } finally {
      await server.stop();
    }
  });

  test('reading holds nest: the socket reads again when the last one is released', async () => {
    const server = await listen();
    server.on('connection', () => {});
    try {
      const ws = await connect(server.url);
      await new Promise((r) => setImmediate(r)); // connect() has released its own hold
      assert.equal(ws.socket.isPaused(), false);
      const first = ws.holdReading();
      const second = ws.holdReading();
      first();
      first(); // a second call of the same release does nothing
      assert.equal(ws.socket.isPaused(), true, 'one hold is left');
      second();
      assert.equal(ws.socket.isPaused(), false);
      await ws.close();
    } finally {
      await server.close();
    }
  });
});

describe('server faults and limits', () => {
  test('a client that sends its upgrade one byte at a time too slowly is dropped (slowloris)', async () => {
    const server = await listen({ handshakeTimeoutMs: 300 });
    const refused = once(server, 'handshake-failed');
    try {
      const socket = await rawClient(server.port);
      const localPort = socket.localPort;
      const ended = readAll(socket);
      const request = upgradeRequest();
      let i = 0;
      const drip = setInterval(() => socket.writable && socket.write(request[i++]), 100);
      const received = await ended;
      clearInterval(drip);
      assert.equal(received.length, 0, 'no response to an incomplete request');
      assert.ok(i < request.length, 'dropped before the request completed');
      const [error, remote] = await refused;
      assert.match(String(error.message), /no complete upgrade request within 300 ms/);
      assert.equal(remote, `127.0.0.1:${localPort}`, 'the refused peer, read before its socket was destroyed');
    } finally {
      await server.close();
    }
  });

  test("a connection's info names its peer, read from the socket when asked, also after the close", async () => {
    const server = await listen();
    try {
      const accepted = once(server, 'connection') as Promise<[WebSocketConnection]>;
      const client = await connect(server.url);
      const [ws] = await accepted;
      const local = client.socket.address() as net.AddressInfo;
      assert.deepEqual([ws.info.remoteAddress, ws.info.remotePort], ['127.0.0.1', local.port]);
      await client.close(1000);
      await ws.closed;
      assert.deepEqual([ws.info.remoteAddress, ws.info.remotePort], ['127.0.0.1', local.port], 'kept once read');
    } finally {
      await server.close();
    }
  });

  test('version 12 is answered 426 with Sec-WebSocket-Version: 13', async () => {
    const server = await listen();
    try {
      const socket = await rawClient(server.port);
      const response = readAll(socket);
      socket.write(upgradeRequest('', '12'));
      const text = (await response).toString();
      assert.match(text, /^HTTP\/1\.1 426 Upgrade Required\r\n/);
      assert.match(text, /\r\nSec-WebSocket-Version: 13\r\n/);
    } finally {
      await server.close();
    }
  });

  test('a head over the byte limit is answered 431', async () => {
    const server = await listen({ headLimits: { maxHeadBytes: 1024, maxHeaders: 100 } });
    try {
      const socket = await rawClient(server.port);
      const response = readAll(socket);
      socket.write(upgradeRequest(`X-Big: ${'a'.repeat(2000)}\r\n`));
      assert.match((await response).toString(), /^HTTP\/1\.1 431 /);
    } finally {
      await server.close();
    }
  });

  test('an unmasked client frame gets close 1002 and the server drops TCP', async () => {
    const server = await listen();
    try {
      const socket = await rawClient(server.port);
      const all = readAll(socket);
      socket.write(upgradeRequest());
      socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // unmasked "hi"
      const bytes = await all;
      const frames = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
      assert.equal(frames[0], 0x88, 'a close frame');
      assert.equal((frames[2] << 8) | frames[3], 1002);
    } finally {
      await server.close();
    }
  });

  test('connections beyond maxConnections are refused with 503', async () => {
    const server = await listen({ maxConnections: 2 });
    server.on('connection', () => {});
    try {
      const a = await connect(server.url);
      const b = await connect(server.url);
      await assert.rejects(connect(server.url), (e: Error & { response?: { status: number } }) => e.response?.status === 503);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await server.close();
    }
  });

  test('a peer that never reads: send reports backpressure and the buffer cap throws instead of growing', async () => {
    const maxBuffered = 8 * 1024 * 1024;
    const server = await listen({ maxBufferedBytes: maxBuffered });
    const accepted = once(server, 'connection');
    const socket = await rawClient(server.port);
    socket.write(upgradeRequest());
    socket.pause(); // never read
    const [ws] = (await accepted) as [WebSocketConnection];
    const chunk = new Uint8Array(1024 * 1024);
    let sawFalse = false;
    let thrown: (Error & { code?: string }) | null = null;
    try {
      for (let i = 0; i < 200; i++) {
        if (!ws.send(chunk)) sawFalse = true;
      }
    } catch (error) {
      thrown = error as Error;
    }
    assert.ok(sawFalse, 'send returned false');
    assert.equal(thrown?.code, 'WSW_USAGE_BACKPRESSURE');
    assert.ok(ws.bufferedAmount < maxBuffered + 2 * 1024 * 1024, `buffered ${ws.bufferedAmount}`);
    socket.destroy();
    await ws.closed;
    await server.close();
  });

  test('over the buffer cap, close() still starts the closing handshake and server.close() ends the connection', async () => {
    const server = await listen({ maxBufferedBytes: 1024 * 1024 });
    const accepted = once(server, 'connection');
    const socket = await rawClient(server.port);
    socket.write(upgradeRequest());
    socket.pause(); // never read
    const [ws] = (await accepted) as [WebSocketConnection];
    try {
      ws.send(new Uint8Array(16 * 1024 * 1024));
      assert.throws(() => ws.send(new Uint8Array(1)), { code: 'WSW_USAGE_BACKPRESSURE' });
      const closed = ws.close(1001, 'bye');
      assert.equal(ws.state, 'closing', 'the close frame was queued');
      const stopped = await within(server.close(1001, 300).then(() => 'stopped'), 5000);
      assert.equal(stopped, 'stopped', 'server.close() resolved');
      const info = await closed;
      assert.equal(info.sent?.code, 1001);
    } finally {
      socket.destroy();
      ws.terminate();
      await server.close();
    }
  });

  test('a refused peer that never closes its side is dropped after a grace second; close() does not wait for it', async () => {
    for (const start of [() => listen({ handshakeTimeoutMs: 5000 }), () => listenRaw({ headTimeoutMs: 5000 }, () => {})]) {
      const server = await start();
      const port = server.port;
      const peer = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }); // keeps its side open
      peer.on('error', () => {});
      const response = new Promise<string>((resolve) => peer.once('data', (d) => resolve(d.toString('latin1'))));
      peer.write(`GET / HTTP/1.1\r\nHost: x\r\n${'X-Big: ' + 'a'.repeat(20000)}\r\n\r\n`);
      assert.match(await response, /^HTTP\/1\.1 4\d\d /);
      const open = () => new Promise<number>((resolve, reject) => server.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
      assert.equal(await open(), 1, 'half-closed, waiting for the peer');
      assert.ok(await eventually(async () => (await open()) === 0, 4000), 'the server dropped the socket after the grace time');
      peer.destroy();
      await server.close();
    }
  });

  test('close() drops sockets still in their TLS handshake (it waited for their time-out)', async () => {
    for (const start of [() => listen({ tls: 'self-signed', handshakeTimeoutMs: 10_000 }), () => listenRaw({ tls: 'self-signed', headTimeoutMs: 10_000 }, () => {})]) {
      const server = await start();
      const silent = net.connect(server.port, '127.0.0.1'); // TCP only: no ClientHello
      silent.on('error', () => {});
      await once(silent, 'connect');
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      const stopped = await within(server.close().then(() => 'stopped'), 3000);
      assert.equal(stopped, 'stopped', 'close() did not wait for the handshake time-out');
      assert.ok(Date.now() - started < 2000, `close() took ${Date.now() - started} ms`);
      if (!silent.destroyed) await within(once(silent, 'close'), 2000);
      assert.equal(silent.destroyed, true);
    }
  });

  test('a selectSubprotocol that throws refuses that handshake with 500 and handshake-failed; the server goes on', async () => {
    const server = await listen({
      selectSubprotocol: (offered) => {
        if (offered.includes('boom')) throw new Error('no database');
        return offered[0];
      },
    });
    server.on('connection', () => {});
    try {
      const failed = once(server, 'handshake-failed');
      await assert.rejects(connect(server.url, { subprotocols: ['boom'] }), (e: Error & { code?: string }) => e.code === 'WSW_CONNECT_HANDSHAKE' && /500/.test(e.message));
      const [error] = await failed;
      assert.match(error.message, /selectSubprotocol failed: no database/);
      const fine = await connect(server.url, { subprotocols: ['chat'] });
      assert.equal(fine.info.protocol, 'chat');
      await fine.close();
    } finally {
      await server.close();
    }
  });

  test('a peer that pings and does not read: while the socket is backed up only the latest ping is answered, so nothing piles up', async () => {
    // The default cap (256 MiB) is left as it is: the pongs must stay bounded without it.
    const server = await listen();
    const accepted = once(server, 'connection');
    const socket = await rawClient(server.port);
    socket.write(upgradeRequest());
    const [ws] = (await accepted) as [WebSocketConnection];
    try {
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      await new Promise((r) => setTimeout(r, 50));
      socket.pause(); // reads nothing for now
      received.length = 0;
      // 256 Ki pings of 125 bytes (33 MiB), each carrying its number: as many pongs would not fit
      // in the kernel's buffers (a few MiB on loopback).
      const count = 256 * 1024;
      const ping = (n: number) => {
        const payload = Buffer.alloc(125);
        payload.writeUInt32BE(n);
        return Buffer.concat([Buffer.from([0x89, 0x80 | 125, 0, 0, 0, 0]), payload]);
      };
      for (let at = 0; at < count; at += 4096) socket.write(Buffer.concat(Array.from({ length: 4096 }, (_, i) => ping(at + i))));
      let peak = 0;
      await eventually(() => {
        peak = Math.max(peak, ws.bufferedAmount);
        return ws.socket.bytesRead >= count * 131;
      }, 20_000);
      assert.ok(peak < 1024 * 1024, `at most ${peak} bytes of pongs were waiting`);
      assert.equal(ws.socket.isPaused(), false, 'the server kept reading');
      socket.resume();
      // The last pong to arrive answers the last ping.
      await eventually(() => {
        const all = Buffer.concat(received);
        return all.length >= 127 && all.readUInt32BE(all.length - 125) === count - 1;
      }, 10_000);
      assert.equal(ws.state, 'open');
    } finally {
      socket.destroy();
      await server.close();
    }
  });

  test('IPv6 loopback works both ways', async () => {
    const server = await listen({ host: '::1' });
    server.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
    try {
      assert.match(server.url, /^ws:\/\/\[::1\]:\d+\/$/);
      const ws = await connect(server.url);
      const echoed = once(ws, 'message');
      ws.send('over ipv6');
      assert.equal(Buffer.from((await echoed)[0] as Uint8Array).toString(), 'over ipv6');
      assert.equal((await ws.close()).wasClean, true);
    } finally {
      await server.close();
    }
  });

  test('closing the server closes its connections with 1001 going away', async () => {
    const server = await listen();
    server.on('connection', () => {});
    const ws = await connect(server.url);
    const received = once(ws, 'close-received');
    await server.close();
    assert.deepEqual(await received, [1001, '']);
    const info = await ws.closed;
    assert.equal(info.wasClean, true);
  });
});
