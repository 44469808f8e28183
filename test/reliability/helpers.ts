/**
 * Shared by the reliability tests: a guard that fails the file on any unhandled rejection or
 * uncaught exception, a leak check over process.getActiveResourcesInfo(), and raw TCP peers that
 * play the broken or hostile side.
 */
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { after } from 'node:test';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { acceptKeyFor, encodeFrame } from '../../src/engine';

/** Records unhandled rejections and uncaught exceptions; asserts at the end of the file that there were none. */
export function failOnUnhandled(): void {
  const seen: string[] = [];
  const onRejection = (reason: unknown) => seen.push(`unhandled rejection: ${(reason as Error)?.stack ?? reason}`);
  const onException = (error: Error) => seen.push(`uncaught exception: ${error.stack ?? error}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  after(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    assert.deepEqual(seen, [], 'no unhandled rejection or uncaught exception');
  });
}

/** The resources that would betray a leak: sockets, servers, timers, child processes, pipes. */
const watched = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'ProcessWrap', 'PipeWrap', 'TTYWrap'] as const;

export type ResourceCounts = Record<(typeof watched)[number], number>;

export function activeResources(): ResourceCounts {
  const counts = Object.fromEntries(watched.map((k) => [k, 0])) as ResourceCounts;
  for (const name of process.getActiveResourcesInfo()) if (name in counts) counts[name as keyof ResourceCounts]++;
  return counts;
}

/** Waits (up to `ms`) until no watched resource is above its count in `before`; fails naming the leak. */
export async function assertReleased(before: ResourceCounts, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  let now = activeResources();
  const leaked = () => watched.filter((k) => now[k] > before[k]);
  while (leaked().length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = activeResources();
  }
  assert.deepEqual(leaked().map((k) => `${k}: ${before[k]} -> ${now[k]}`), [], 'every socket and timer released');
}

/** Runs `body`, then checks that it left no socket, server, timer or process behind. */
export async function withoutLeaks(body: () => Promise<void>): Promise<void> {
  const before = activeResources();
  await body();
  await assertReleased(before);
}

export interface RawServer {
  port: number;
  sockets: Set<net.Socket>;
  stop(): Promise<void>;
}

/** A raw TCP server whose behaviour the test scripts; stop() destroys every socket it accepted. */
export async function rawServer(onSocket: (socket: net.Socket) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads the client's upgrade request, answers 101 (with `extraHeaders`), then hands the socket on. */
export function acceptUpgrade(socket: net.Socket, then: (socket: net.Socket, rest: Buffer) => void, extraHeaders = ''): void {
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    socket.off('data', onData);
    const key = /Sec-WebSocket-Key: *(\S+)/i.exec(head.toString('latin1'))![1];
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyFor(key)}\r\n${extraHeaders}\r\n`);
    then(socket, head.subarray(end + 4));
  };
  socket.on('data', onData);
}

export function rawClient(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect(port, host);
  socket.on('error', () => {});
  return once(socket, 'connect').then(() => socket);
}

export const upgradeRequest = (extra = '') =>
  `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

/** A raw client that has completed the upgrade; `response` is the server's head and what followed. */
export async function upgradedClient(port: number, extra = ''): Promise<{ socket: net.Socket; response: Buffer }> {
  const socket = await rawClient(port);
  socket.write(upgradeRequest(extra));
  let response = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      response = Buffer.concat([response, chunk]);
      if (response.indexOf('\r\n\r\n') >= 0) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed during the upgrade: ${response.toString('latin1')}`)));
  });
  return { socket, response };
}

/** Everything a raw socket receives until it closes, or until `ms` pass (then the socket is destroyed). */
export function readUntilClose(socket: net.Socket, ms = 5000): Promise<{ bytes: Buffer; timedOut: boolean }> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), timedOut: true });
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), timedOut: false });
    });
  });
}

/** A masked client frame (as a raw client sends it). */
export function clientFrame(opcode: number, payload: Uint8Array, fin = true, rsv = 0): Buffer {
  return Buffer.concat(encodeFrame({ opcode, payload, fin, rsv, mask: Uint8Array.of(0x11, 0x22, 0x33, 0x44) }));
}

/** The first frame in `bytes` (an unmasked server frame): opcode and payload; close code if a close. */
export function firstFrame(bytes: Buffer): { opcode: number; payload: Buffer; closeCode: number | null } | null {
  if (bytes.length < 2) return null;
  let length = bytes[1] & 0x7f;
  let at = 2;
  if (length === 126) {
    length = bytes.readUInt16BE(2);
    at = 4;
  } else if (length === 127) {
    length = Number(bytes.readBigUInt64BE(2));
    at = 10;
  }
  const payload = bytes.subarray(at, at + length);
  const opcode = bytes[0] & 0x0f;
  return { opcode, payload, closeCode: opcode === 8 && payload.length >= 2 ? payload.readUInt16BE(0) : null };
}

/** The frames after the HTTP head of a raw response. */
export const afterHead = (bytes: Buffer): Buffer => bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms until it holds or `ms` passed; whether it held (the test asserts). */
export async function eventually(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; !(await condition()); await delay(10)) if (Date.now() > end) return false;
  return true;
}

/**
 * `size` zero bytes as a permessage-deflate payload (RFC 7692 §7.2.1, the 00 00 ff ff dropped),
 * about 1 kB per MiB: copies of one sync-flushed MiB, which end byte-aligned on a non-final
 * block and so concatenate into one valid stream. A 9-bit window, which every receiver accepts.
 */
export function zipBomb(size: number): Buffer {
  const unit = deflateRawSync(Buffer.alloc(Math.min(size, 1 << 20)), { windowBits: 9, level: 9, memLevel: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  const copies = Math.max(1, Math.floor(size / (1 << 20)));
  const all = Buffer.concat(new Array<Buffer>(copies).fill(unit));
  return all.subarray(0, all.length - 4);
}

/** `promise`, or null once `ms` pass (without leaving a timer behind). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
