// Every limit, tried over real loopback sockets, each test failing without its protection:
// head size and header count (431, both sides), frame and message size (1009), inflated size
// (a zip bomb gets 1009, both sides), pending handshakes under maxConnections, the TLS handshake
// under the handshake time-out, and the close time-out after a half-open peer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { connect, listen, type WebSocketConnection } from '../../src/transport';
import {
  acceptUpgrade,
  afterHead,
  clientFrame,
  delay,
  failOnUnhandled,
  firstFrame,
  rawClient,
  rawServer,
  readUntilClose,
  upgradedClient,
  upgradeRequest,
  within,
  withoutLeaks,
  zipBomb,
} from './helpers';

failOnUnhandled();

describe('handshake heads', () => {
  test('101 header lines (the limit is 100) are answered 431', () =>
    withoutLeaks(async () => {
      const server = await listen();
      server.on('connection', (ws) => ws.close());
      try {
        const socket = await rawClient(server.port);
        const reply = readUntilClose(socket);
        const many = Array.from({ length: 96 }, (_, i) => `X-H${i}: ${i}\r\n`).join(''); // + 5 required = 101
        socket.write(upgradeRequest(many));
        const { bytes, timedOut } = await reply;
        assert.equal(timedOut, false);
        assert.match(bytes.toString('latin1'), /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
        assert.match(bytes.toString('latin1'), /more than 100 header fields/);
      } finally {
        await server.close();
      }
    }));

  test('a client stops reading a response head at 16 KiB: a server that streams headers forever is refused', () =>
    withoutLeaks(async () => {
      let sent = 0;
      const server = await rawServer((socket) =>
        socket.once('data', () => {
          socket.write('HTTP/1.1 101 Switching Protocols\r\n');
          const timer = setInterval(() => {
            if (socket.destroyed || sent > 64 << 20) return clearInterval(timer);
            const line = Buffer.from(`X-Forever: ${'x'.repeat(4000)}\r\n`);
            sent += line.length;
            socket.write(line);
          }, 1);
          socket.on('close', () => clearInterval(timer));
        }),
      );
      try {
        const started = Date.now();
        await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`, { handshakeTimeoutMs: 20000 }), (error: Error & { code?: string; cause?: { code?: string } }) => {
          assert.equal(error.code, 'WSW_CONNECT_HANDSHAKE');
          assert.equal(error.cause?.code, 'WSW_HS_HEAD_TOO_LARGE');
          assert.match(error.message, /HTTP head exceeds 16384 bytes/);
          return true;
        });
        assert.ok(Date.now() - started < 5000, 'refused at the limit, not at the time-out');
        assert.ok(sent < 1 << 20, `stopped reading after ${sent} bytes`);
      } finally {
        await server.stop();
      }
    }));

  test('a response with 101 header lines is refused by the client', () =>
    withoutLeaks(async () => {
      const server = await rawServer((socket) =>
        acceptUpgrade(socket, () => {}, Array.from({ length: 101 }, (_, i) => `X-H${i}: ${i}\r\n`).join('')),
      );
      try {
        await assert.rejects(connect(`ws://127.0.0.1:${server.port}/`), (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'WSW_HS_TOO_MANY_HEADERS');
      } finally {
        await server.stop();
      }
    }));
});

describe('frame and message size (1009)', () => {
  test('server: a frame announcing more than maxFrameSize fails with 1009 as soon as its header arrives', () =>
    withoutLeaks(async () => {
      const server = await listen({ limits: { maxFrameSize: 1024 } });
      const failed = new Promise<Error & { code?: string }>((resolve) => server.on('connection', (ws) => ws.on('failed', resolve)));
      try {
        const { socket, response } = await upgradedClient(server.port);
        const reply = readUntilClose(socket);
        // The header of a 1 MiB binary frame, masked, and none of its payload.
        socket.write(Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4]));
        const { bytes, timedOut } = await reply;
        assert.equal(timedOut, false, 'the server dropped TCP without waiting for the payload');
        assert.equal(firstFrame(Buffer.concat([afterHead(response), bytes]))?.closeCode, 1009);
        assert.equal((await within(failed, 5000))?.code, 'WSW_ERR_FRAME_TOO_BIG');
      } finally {
        await server.close();
      }
    }));

  test('client: a server frame announcing 2^63-1 bytes fails with 1009', () =>
    withoutLeaks(async () => {
      const server = await rawServer((socket) =>
        acceptUpgrade(socket, (s) => {
          s.write(Buffer.from([0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
          s.on('data', () => s.end()); // the client's close: drop TCP
        }),
      );
      try {
        const ws = await connect(`ws://127.0.0.1:${server.port}/`, { limits: { maxFrameSize: 1 << 20 } });
        const info = await within(ws.closed, 5000);
        ws.terminate();
        assert.equal(info?.failure?.code, 'WSW_ERR_FRAME_TOO_BIG');
        assert.equal(info.sent?.code, 1009);
      } finally {
        await server.stop();
      }
    }));

  test('server: fragments adding up past maxMessageSize fail with 1009 at the fragment that crosses it', () =>
    withoutLeaks(async () => {
      const server = await listen({ limits: { maxMessageSize: 4096 } });
      const messages: number[] = [];
      server.on('connection', (ws) => ws.on('message', (data) => messages.push(data.length)));
      try {
        const { socket, response } = await upgradedClient(server.port);
        const reply = readUntilClose(socket);
        for (let i = 0; i < 4; i++) socket.write(clientFrame(i === 0 ? 2 : 0, new Uint8Array(1024), false));
        socket.write(clientFrame(0, new Uint8Array(1), true)); // 4097 bytes in all
        const { bytes } = await reply;
        assert.equal(firstFrame(Buffer.concat([afterHead(response), bytes]))?.closeCode, 1009);
        assert.deepEqual(messages, []);
      } finally {
        await server.close();
      }
    }));
});

describe('inflated size: a zip bomb gets 1009', () => {
  test('server: 512 MiB of zeros in 0.5 MB of deflate, against a 1 MiB limit, fails with 1009 and memory stays flat', () =>
    withoutLeaks(async () => {
      const server = await listen({ deflate: true, limits: { maxMessageSize: 1 << 20 } });
      const messages: number[] = [];
      const failed = new Promise<Error & { code?: string }>((resolve) =>
        server.on('connection', (ws) => {
          ws.on('message', (data) => messages.push(data.length));
          ws.on('failed', resolve);
        }),
      );
      try {
        const bomb = zipBomb(512 << 20);
        assert.ok(bomb.length < 1 << 20, `bomb of ${bomb.length} bytes`);
        const { socket, response } = await upgradedClient(server.port, 'Sec-WebSocket-Extensions: permessage-deflate\r\n');
        assert.match(response.toString('latin1'), /Sec-WebSocket-Extensions: permessage-deflate/);
        const reply = readUntilClose(socket);
        const rss = process.memoryUsage.rss();
        socket.write(clientFrame(2, bomb, true, 0b100));
        const { bytes } = await reply;
        assert.equal(firstFrame(Buffer.concat([afterHead(response), bytes]))?.closeCode, 1009);
        const error = await within(failed, 5000);
        assert.ok(error, 'the server failed the connection');
        assert.equal(error.code, 'WSW_ERR_MESSAGE_TOO_BIG');
        assert.match(error.message, /inflated message exceeds the limit of 1048576 bytes/);
        assert.deepEqual(messages, []);
        assert.ok(process.memoryUsage.rss() - rss < 200 << 20, 'the bomb was not inflated in full');
      } finally {
        await server.close();
      }
    }));

  test('client: a hostile server sending a bomb fails the connection with 1009', () =>
    withoutLeaks(async () => {
      const bomb = zipBomb(256 << 20);
      // A binary frame with RSV1, unmasked, 64-bit length.
      const header = Buffer.from([0xc2, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0]);
      header.writeUInt32BE(bomb.length, 6);
      const server = await rawServer((socket) =>
        acceptUpgrade(
          socket,
          (s) => {
            s.write(Buffer.concat([header, bomb]));
            s.on('data', () => s.end()); // the client's close: drop TCP
          },
          'Sec-WebSocket-Extensions: permessage-deflate\r\n',
        ),
      );
      try {
        const ws = await connect(`ws://127.0.0.1:${server.port}/`, { deflate: true, limits: { maxMessageSize: 1 << 20 } });
        const messages: number[] = [];
        ws.on('message', (data) => messages.push(data.length));
        const info = await within(ws.closed, 5000);
        ws.terminate();
        assert.ok(info, 'the client failed the connection');
        assert.equal(info.failure?.code, 'WSW_ERR_MESSAGE_TOO_BIG');
        assert.equal(info.sent?.code, 1009);
        assert.deepEqual(messages, []);
      } finally {
        await server.stop();
      }
    }));
});

describe('time-outs and connection limits', () => {
  test('sockets that never send an upgrade request are bounded by maxConnections, not just by the time-out', () =>
    withoutLeaks(async () => {
      const server = await listen({ maxConnections: 3, handshakeTimeoutMs: 20000 });
      const sockets: net.Socket[] = [];
      try {
        let dropped = 0;
        for (let i = 0; i < 20; i++) {
          const socket = net.connect(server.port, '127.0.0.1');
          socket.on('error', () => {});
          socket.on('close', () => dropped++);
          sockets.push(socket);
        }
        await Promise.all(sockets.map((s) => once(s, 'connect').catch(() => {})));
        await delay(500);
        const open = await new Promise<number>((resolve, reject) => server.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
        assert.ok(open <= 6, `${open} sockets held by the server (limit 3 connections + 3 handshakes)`);
        assert.ok(dropped >= 14, `${dropped} of 20 silent sockets dropped`);
      } finally {
        for (const s of sockets) s.destroy();
        await server.close();
      }
    }));

  test('the 503 at maxConnections frees up: once a connection closes, a new client gets in', () =>
    withoutLeaks(async () => {
      const server = await listen({ maxConnections: 1 });
      server.on('connection', () => {});
      try {
        const first = await connect(server.url);
        await assert.rejects(connect(server.url), (e: Error & { response?: { status: number; reason: string } }) => {
          assert.deepEqual([e.response?.status, e.response?.reason], [503, 'Service Unavailable']);
          return true;
        });
        await first.close();
        await delay(50); // the server side sees the end
        const second = await connect(server.url);
        await second.close();
      } finally {
        await server.close();
      }
    }));

  test('wss: a client that opens TCP and never starts TLS is dropped after the handshake time-out', () =>
    withoutLeaks(async () => {
      const server = await listen({ tls: 'self-signed', handshakeTimeoutMs: 300 });
      try {
        const socket = await rawClient(server.port);
        const started = Date.now();
        const { timedOut } = await readUntilClose(socket, 5000);
        assert.equal(timedOut, false, 'dropped by the server');
        assert.ok(Date.now() - started < 2000, `dropped after ${Date.now() - started} ms`);
      } finally {
        await server.close();
      }
    }));

  test('server close time-out: a client that never answers our close is dropped, unclean', () =>
    withoutLeaks(async () => {
      const server = await listen({ closeTimeoutMs: 300 });
      const accepted = once(server, 'connection');
      try {
        const { socket } = await upgradedClient(server.port);
        socket.on('data', () => {}); // reads, never answers
        const [ws] = (await accepted) as [WebSocketConnection];
        const started = Date.now();
        const info = await within(ws.close(1000), 5000);
        ws.terminate();
        assert.ok(info, 'the server released the connection');
        assert.ok(Date.now() - started < 2000);
        assert.deepEqual([info.closeTimedOut, info.wasClean, info.code], [true, false, 1006]);
        assert.equal(server.connections.size, 0);
      } finally {
        await server.close();
      }
    }));

  test('half-open after the closing handshake: a client that never closes its side of TCP is dropped after the close time-out', () =>
    withoutLeaks(async () => {
      const server = await listen({ closeTimeoutMs: 300 });
      const accepted = once(server, 'connection');
      try {
        const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
        socket.on('error', () => {});
        await once(socket, 'connect');
        socket.write(upgradeRequest());
        socket.on('data', () => {});
        const [ws] = (await accepted) as [WebSocketConnection];
        socket.write(clientFrame(8, Uint8Array.of(0x03, 0xe8))); // close 1000, then silence: no FIN ever
        const started = Date.now();
        const info = await within(ws.closed, 5000);
        assert.ok(info, 'the server released the connection');
        assert.ok(Date.now() - started < 2000, `released after ${Date.now() - started} ms`);
        assert.equal(info.closeTimedOut, true);
        assert.equal(server.connections.size, 0);
        socket.destroy();
      } finally {
        await server.close();
      }
    }));
});
