/**
 * RFC 6455 §5.3 masking: byte i of the payload is XORed with mask[(offset + i) % 4].
 * Works 32 bits at a time on the 4-byte-aligned middle of the buffer; only the unaligned head and
 * the tail (at most 3 bytes each) take the byte loop.
 */

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes the word loop's set-up costs more than it saves (measured crossover: 32-64). */
const SHORT_PAYLOAD = 48;

/**
 * Writes `source` XOR `mask` into `target` from `at`: the copy and the masking in one pass.
 * Short payloads take a byte loop straight into `target`, never a view of it: a view of a small
 * typed array makes V8 move it off the heap, which cost more than the masking itself.
 */
export function maskInto(source: Uint8Array, mask: Uint8Array, target: Uint8Array, at: number): void {
  const length = source.length;
  if (length < SHORT_PAYLOAD) {
    for (let j = 0; j < length; j++) target[at + j] = source[j] ^ mask[j & 3];
    return;
  }
  const body = target.subarray(at, at + length);
  body.set(source);
  applyMask(body, mask);
}

/** XOR `data` in place with `mask`, starting at position `offset` of the mask stream. */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset = 0): void {
  const length = data.length;
  // Short payloads: the byte loop beats making a Uint32Array view (most chat-sized frames).
  if (length < SHORT_PAYLOAD) {
    for (let j = 0; j < length; j++) data[j] ^= mask[(offset + j) & 3];
    return;
  }
  let i = 0;
  // Byte loop until the data pointer is 32-bit aligned (or the data ends).
  const head = Math.min((4 - (data.byteOffset & 3)) & 3, length);
  for (; i < head; i++) data[i] ^= mask[(offset + i) & 3];
  const words = (length - i) >>> 2;
  if (words > 0) {
    const o = offset + i;
    const m0 = mask[o & 3], m1 = mask[(o + 1) & 3], m2 = mask[(o + 2) & 3], m3 = mask[(o + 3) & 3];
    const key = littleEndian
      ? (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0
      : ((m0 << 24) | (m1 << 16) | (m2 << 8) | m3) >>> 0;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] ^= key;
    i += words << 2;
  }
  for (; i < length; i++) data[i] ^= mask[(offset + i) & 3];
}

/**
 * 4-byte masks cut from a pool of random bytes: one getRandomValues call per 2,048 masks.
 * Each mask is a view into the pool, valid until 2,048 more have been cut: use it at once.
 */
export function pooledRandomMask(): () => Uint8Array {
  const pool = new Uint8Array(8192);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      globalThis.crypto.getRandomValues(pool);
      offset = 0;
    }
    offset += 4;
    return pool.subarray(offset - 4, offset);
  };
}
