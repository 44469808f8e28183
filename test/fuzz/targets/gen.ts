/** Generators of well-formed pieces (UTF-8 text, frames) that the fuzzers then break. */
import { encodeFrame } from '../../../src/engine';
import type { Rng } from '../random';

/** Code points on the edges of UTF-8's byte lengths and around the surrogates. */
const edgeCodePoints = [0x00, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xfffe, 0xffff, 0x10000, 0x10ffff, 0x1f600];

/** Valid UTF-8: ASCII runs and code points of every length, edges included. */
export function randomUtf8(rng: Rng, maxChars: number): Uint8Array {
  const n = rng.size(maxChars);
  let text = '';
  const style = rng.int(0, 3);
  for (let i = 0; i < n; i++) {
    let cp: number;
    const kind = style === 0 ? 0 : rng.int(0, 5);
    if (kind <= 1) cp = rng.int(0x20, 0x7e);
    else if (kind === 2) cp = rng.pick(edgeCodePoints);
    else if (kind === 3) cp = rng.int(0x80, 0x7ff);
    else if (kind === 4) cp = rng.chance(0.5) ? rng.int(0x800, 0xd7ff) : rng.int(0xe000, 0xffff);
    else cp = rng.int(0x10000, 0x10ffff);
    text += String.fromCodePoint(cp);
  }
  return new TextEncoder().encode(text);
}

export const FIXED_MASK = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** Frames as `encodeFrame` makes them, sometimes with a non-minimal length encoding. */
export function frameBytes(rng: Rng, frame: { opcode: number; payload: Uint8Array; fin?: boolean; rsv?: number }, masked: boolean): Uint8Array {
  const mask = masked ? rng.bytes(4) : null;
  const parts = encodeFrame({ ...frame, mask });
  const bytes = Buffer.concat(parts);
  if (!rng.chance(0.05) || frame.payload.length >= 126) return bytes;
  // Re-encode the length with the 16- or 64-bit form (legal on the wire, see the README).
  const wide = rng.chance(0.5);
  const head = Buffer.alloc(wide ? 10 : 4);
  head[0] = bytes[0];
  head[1] = (bytes[1] & 0x80) | (wide ? 127 : 126);
  if (wide) head.writeUInt32BE(frame.payload.length, 6);
  else head.writeUInt16BE(frame.payload.length, 2);
  return Buffer.concat([head, bytes.subarray(2)]);
}

/** Splits `payload` into 1..n pieces at random points. */
export function pieces(rng: Rng, payload: Uint8Array, maxPieces: number): Uint8Array[] {
  const count = rng.int(1, maxPieces);
  const cuts = Array.from({ length: count - 1 }, () => rng.int(0, payload.length)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, payload.length]) {
    out.push(payload.subarray(from, cut));
    from = cut;
  }
  return out;
}

/** A close frame payload: a code (valid or not) and a reason (valid UTF-8 or not). */
export function closePayload(rng: Rng): Uint8Array {
  const kind = rng.int(0, 5);
  if (kind === 0) return new Uint8Array(0);
  if (kind === 1) return rng.bytes(rng.int(1, 125));
  const code = rng.pick([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1011, 1014, 1015, 1016, 2999, 3000, 4999, 5000, 0, 65535]);
  const reason = kind === 2 ? rng.bytes(rng.int(0, 10)) : randomUtf8(rng, 30).subarray(0, 123);
  const out = new Uint8Array(2 + reason.length);
  out[0] = code >> 8;
  out[1] = code & 0xff;
  out.set(reason, 2);
  return out;
}
