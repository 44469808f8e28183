/**
 * RFC 6455 §5.3 masking: byte i of the payload is XORed with mask[(offset + i) % 4].
 * Works 32 bits at a time on the 4-byte-aligned middle of the buffer; only the unaligned head and
 * the tail (at most 3 bytes each) take the byte loop.
 */

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** XOR `data` in place with `mask`, starting at position `offset` of the mask stream. */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset = 0): void {
  const length = data.length;
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
