// The transport writes what one chunk of input makes in one go: the engine pauses after each
// message, and the replies of those turns must still leave together (one writev per chunk).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { encodeFrame } from '../../src/engine';
import { listen, type WebSocketConnection } from '../../src/transport';
import { rawClient, upgradeRequest } from '../reliability/helpers';

test('100 small messages in one chunk: 100 echoes, in order, in one write request', async () => {
  const server = await listen({ port: 0 });
  const requests: string[] = [];
  server.on('connection', (ws: WebSocketConnection) => {
    // Count what reaches libuv once the handshake response is out: one entry per write request.
    const handle = (ws.socket as unknown as { _handle: Record<string, (...args: unknown[]) => unknown> })._handle;
    for (const name of ['writev', 'writeBuffer', 'writeLatin1String', 'writeUtf8String']) {
      const original = handle[name];
      handle[name] = function (this: unknown, ...args: unknown[]) {
        requests.push(name);
        return original.apply(this, args);
      };
    }
    ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
  const socket = await rawClient(server.port);
  try {
    socket.write(upgradeRequest());
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const headEnd = async () => {
      while (received.indexOf('\r\n\r\n') < 0) await once(socket, 'data');
      return received.indexOf('\r\n\r\n') + 4;
    };
    const start = await headEnd();
    const frames = Buffer.concat(
      Array.from({ length: 100 }, (_, i) => Buffer.concat(encodeFrame({ opcode: 2, payload: Uint8Array.of(i), mask: Uint8Array.of(1, 2, 3, 4) }))),
    );
    socket.write(frames);
    // 100 unmasked binary frames of one octet: 3 octets each.
    while (received.length - start < 300) await once(socket, 'data');
    const echoes = received.subarray(start);
    for (let i = 0; i < 100; i++) assert.deepEqual([...echoes.subarray(3 * i, 3 * i + 3)], [0x82, 1, i]);
    // One chunk in (600 octets on loopback): one writev out; two if TCP split it.
    assert.ok(requests.length <= 2 && requests.every((r) => r === 'writev'), requests.join(' '));
  } finally {
    socket.destroy();
    await server.close();
  }
});
