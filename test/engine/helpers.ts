/**
 * Shared fixtures for the engine tests: hex in and out, deterministic chunkings, and a driver that
 * feeds a Connection and turns its events into plain, comparable records.
 */
import assert from 'node:assert/strict';
import { Connection, FrameParser, encodeFrame, PerMessageDeflate, type ConnectionEvent, type ConnectionOptions, type DeflateParams, type Role } from '../../src/engine';
import { nodeDeflateCodec } from '../../src/transport/deflate-codec';

export { nodeDeflateCodec };

/** "81 05 48" or "810548" → bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex fixture ${text}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function toHex(bytes: Uint8Array | Uint8Array[]): string {
  const parts = Array.isArray(bytes) ? bytes : [bytes];
  return parts.map((b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')).join('');
}

export function join(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** mulberry32: a small seeded PRNG so "random" chunkings are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** Splits a copy of `data` at the given cut points. */
export function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, data.length]) {
    out.push(data.slice(start, p));
    start = p;
  }
  return out;
}

export interface Chunking {
  name: string;
  /** Fresh copies of the pieces (the engine unmasks in place and keeps views). */
  split(data: Uint8Array): Uint8Array[];
}

/** Whole, byte by byte, and three seeded random chunkings. */
export function chunkings(seed = 1): Chunking[] {
  const randomSplit = (s: number): Chunking => ({
    name: `random chunks (seed ${s})`,
    split(data) {
      const random = prng(s);
      const cuts: number[] = [];
      for (let p = 0; p < data.length; ) {
        p += 1 + Math.floor(random() * 9);
        cuts.push(p);
      }
      return splitAt(data, cuts);
    },
  });
  return [
    { name: 'whole', split: (data) => [data.slice()] },
    { name: 'byte by byte', split: (data) => Array.from(data, (b) => Uint8Array.of(b)) },
    randomSplit(seed),
    randomSplit(seed + 1),
    randomSplit(seed + 2),
  ];
}

/** An event reduced to plain data that deepEqual can compare. */
export type Observed =
  | { type: 'message'; binary: boolean; data: string }
  | { type: 'ping' | 'pong'; data: string }
  | { type: 'close-received'; code: number | null; reason: string }
  | { type: 'frame-received' | 'frame-sent'; opcode: number; fin: boolean; rsv: number; payload: string }
  | { type: 'failed'; closeCode: number; code: string }
  | { type: 'closed'; wasClean: boolean; code: number; reason: string; receivedThenSent: boolean | null };

export function observe(event: ConnectionEvent): Observed {
  switch (event.type) {
    case 'message':
      return { type: 'message', binary: event.binary, data: toHex(event.data) };
    case 'ping':
    case 'pong':
      return { type: event.type, data: toHex(event.data) };
    case 'close-received':
      return { type: 'close-received', code: event.code, reason: event.reason };
    case 'frame-received':
    case 'frame-sent':
      return { type: event.type, opcode: event.frame.opcode, fin: event.frame.fin, rsv: event.frame.rsv, payload: toHex(event.frame.payload) };
    case 'failed':
      return { type: 'failed', closeCode: event.error.closeCode, code: event.error.code };
    case 'closed':
      return { type: 'closed', wasClean: event.wasClean, code: event.code, reason: event.reason, receivedThenSent: event.receivedThenSent };
  }
}

/** A mask source that hands out the given keys in turn; the last one repeats. */
export function fixedMasks(...keys: string[]): () => Uint8Array {
  let i = 0;
  return () => hex(keys[Math.min(i++, keys.length - 1)]);
}

export function connection(role: Role, options: Partial<ConnectionOptions> = {}): Connection {
  return new Connection({ role, maskKey: role === 'client' ? fixedMasks('00000000') : undefined, ...options });
}

/** Feeds the pieces one by one and returns the observed events and the bytes written. */
export function drive(conn: Connection, pieces: Uint8Array[]): { events: Observed[]; sent: string } {
  for (const piece of pieces) conn.receiveData(piece);
  return { events: conn.events().map(observe), sent: toHex(conn.dataToSend()) };
}

/**
 * The frame a peer in `peerRole` would send: clients mask (with a fixed key unless told),
 * servers don't.
 */
export function peerFrame(
  peerRole: Role,
  opcode: number,
  payload: Uint8Array | string,
  { fin = true, rsv = 0, mask = '37fa213d' }: { fin?: boolean; rsv?: number; mask?: string } = {},
): Uint8Array {
  const data = typeof payload === 'string' ? utf8(payload) : payload;
  return join(encodeFrame({ opcode, payload: data, fin, rsv, mask: peerRole === 'client' ? hex(mask) : null }));
}

/** The peer of a connection in `role`. */
export const peerOf = (role: Role): Role => (role === 'client' ? 'server' : 'client');

export const noDeflateParams: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

export function deflateFor(role: Role, params: Partial<DeflateParams> = {}): PerMessageDeflate {
  return new PerMessageDeflate({ ...noDeflateParams, ...params }, role, nodeDeflateCodec);
}

export interface SentFrame {
  opcode: number;
  fin: boolean;
  rsv: number;
  payload: string;
}

/** Parses what a connection in `role` wrote (clients' frames are masked, servers' are not). */
export function sentFrames(role: Role, chunks: Uint8Array[]): SentFrame[] {
  const frames: SentFrame[] = [];
  let current: { opcode: number; fin: boolean; rsv: number; pieces: Uint8Array[] } | null = null;
  const parser = new FrameParser(
    {
      onFrameHeader: (h) => void (current = { opcode: h.opcode, fin: h.fin, rsv: h.rsv, pieces: [] }),
      onFramePayload: (chunk) => void current!.pieces.push(chunk.slice()),
      onFrameEnd: () => {
        frames.push({ opcode: current!.opcode, fin: current!.fin, rsv: current!.rsv, payload: toHex(current!.pieces) });
        current = null;
      },
    },
    { expectMasked: role === 'client', allowedRsv: 7, maxFrameSize: Number.MAX_SAFE_INTEGER },
  );
  parser.push(join(chunks));
  assert.equal(current, null, 'the last frame sent is complete');
  return frames;
}

/** The status code of a close frame payload given as hex, or null for an empty one. */
export const closeCodeOf = (payloadHex: string): number | null => (payloadHex.length >= 4 ? parseInt(payloadHex.slice(0, 4), 16) : null);
