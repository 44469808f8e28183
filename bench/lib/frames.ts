/**
 * Frames and payloads for the load generators, written independently of src/engine so that the
 * tool that measures the engine does not depend on it.
 */

export const Opcode = { Text: 0x1, Binary: 0x2 } as const;

/** A fixed, non-zero masking key: the server cannot tell, and the generator never re-masks. */
export const BENCH_MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** Bytes a frame with this payload length takes on the wire. */
export function frameSize(payloadLength: number, masked: boolean): number {
  const extended = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
  return 2 + extended + (masked ? 4 : 0) + payloadLength;
}

/** One complete (FIN) frame; masked when a key is given. */
export function encodeTestFrame(opcode: number, payload: Uint8Array, mask: Uint8Array | null): Buffer {
  const length = payload.length;
  const out = Buffer.allocUnsafe(frameSize(length, mask !== null));
  out[0] = 0x80 | opcode;
  const maskBit = mask ? 0x80 : 0;
  let p = 2;
  if (length < 126) {
    out[1] = maskBit | length;
  } else if (length < 0x10000) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(length, 2);
    p = 4;
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
    p = 10;
  }
  if (!mask) {
    out.set(payload, p);
    return out;
  }
  out.set(mask, p);
  p += 4;
  for (let i = 0; i < length; i++) out[p + i] = payload[i] ^ mask[i & 3];
  return out;
}

/** `count` copies of `frame` back to back, for pipelined writes. */
export function repeatFrame(frame: Buffer, count: number): Buffer {
  const out = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(out, i * frame.length);
  return out;
}

/** A small deterministic PRNG (LCG), so every run and every implementation sees the same bytes. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

export function binaryPayload(size: number, seed = 1): Buffer {
  const next = seededRandom(seed);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = (next() * 256) | 0;
  return out;
}

const WORDS = ('the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were ' +
  'frame mask payload opcode socket handshake message close ping pong deflate window buffer stream parser encoder ' +
  'größe café naïve déjà vu señor ÿes über straße ✓ → € 日本 語').split(' ');

/**
 * Valid UTF-8 text of exactly `size` bytes: words from a small vocabulary (mostly ASCII, some
 * 2-, 3-byte characters), as chat or JSON-like traffic is. Compresses about 3:1 with deflate.
 */
export function textPayload(size: number, seed = 7): Buffer {
  const next = seededRandom(seed);
  const parts: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const word = Buffer.from(WORDS[(next() * WORDS.length) | 0] + (next() < 0.1 ? '. ' : ' '), 'utf8');
    if (length + word.length > size) break;
    parts.push(word);
    length += word.length;
  }
  parts.push(Buffer.alloc(size - length, 0x20));
  return Buffer.concat(parts, size);
}

/** The client's upgrade request, with a fixed key (the server still computes its SHA-1). */
export function upgradeRequest(port: number, path = '/'): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    'latin1',
  );
}

/** Index just after the blank line that ends an HTTP head, or -1. */
export function headEnd(data: Buffer): number {
  const i = data.indexOf('\r\n\r\n', 0, 'latin1');
  return i < 0 ? -1 : i + 4;
}

/**
 * In process, messages from this size on are large: measured for largeMeasureMs, and in `runs`
 * processes rather than `smallRuns` (bench/run.ts).
 */
export const LARGE_MESSAGE = 64 * 1024;

export function sizeLabel(size: number): string {
  return size >= 1024 * 1024 ? `${size / (1024 * 1024)} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
}
