// The runner's raw channel: ordered writes; writes that are not sync and come in the same tick
// leave in one write request (as Twisted buffers them); sync writes each leave alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { socketChannel, type RawChannel } from '../../src/transport/raw-channel';

interface Handle {
  writev?: (...args: unknown[]) => unknown;
  writeBuffer?: (...args: unknown[]) => unknown;
}

/** A loopback pair: our channel on the client side, the bytes the server got, and a count of the socket's write requests. */
async function pair(): Promise<{ channel: RawChannel; received: (octets: number) => Promise<Buffer>; requests: string[]; close: () => void }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  const [peer] = (await accepted) as [net.Socket];
  const chunks: Buffer[] = [];
  peer.on('data', (c: Buffer) => chunks.push(c));
  // Count what reaches libuv: one entry per write request (a system call each, at most).
  const requests: string[] = [];
  const handle = (socket as unknown as { _handle: Handle })._handle;
  for (const name of ['writev', 'writeBuffer'] as const) {
    const original = handle[name]!;
    handle[name] = function (this: unknown, ...args: unknown[]) {
      requests.push(name);
      return original.apply(this, args);
    };
  }
  return {
    channel: socketChannel(socket),
    requests,
    /** What the peer has read once `octets` arrived (or after 5 s, short: the test's check then fails). */
    received: async (octets: number) => {
      for (let waited = 0; chunks.reduce((n, c) => n + c.length, 0) < octets && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      return Buffer.concat(chunks);
    },
    close: () => {
      socket.destroy();
      peer.destroy();
      server.close();
    },
  };
}

test('writes that are not sync, in one tick, leave as one write request, in order', async () => {
  const { channel, received, requests, close } = await pair();
  try {
    const expected: number[] = [];
    for (let i = 0; i < 200; i++) {
      channel.write(Uint8Array.of(i, i, i), false);
      expected.push(i, i, i);
    }
    assert.deepEqual([...(await received(expected.length))], expected);
    assert.deepEqual(requests, ['writev']);
  } finally {
    close();
  }
});

test('sync writes leave one by one, each after the earlier writes; onWritten in order', async () => {
  const { channel, received, requests, close } = await pair();
  try {
    const written: string[] = [];
    channel.write(Buffer.from('a'), false, () => written.push('a'));
    channel.write(Buffer.from('b'), false, () => written.push('b'));
    channel.write(Buffer.from('S'), true, () => written.push('S'));
    channel.write(Buffer.from('T'), true, () => written.push('T'));
    channel.write(Buffer.from('c'), false, () => written.push('c'));
    assert.equal((await received(5)).toString(), 'abSTc');
    for (let i = 0; i < 100 && written.length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(written, ['a', 'b', 'S', 'T', 'c']);
    // "ab" together, then S alone, T alone (after S was flushed), then c.
    assert.deepEqual(requests, ['writev', 'writeBuffer', 'writeBuffer', 'writeBuffer']);
  } finally {
    close();
  }
});
