/**
 * A small seeded PRNG (mulberry32) with the helpers the fuzzers need. Everything random in a fuzz
 * run comes from one of these, so a run is reproduced by its seed.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (this.next() * 256) | 0;
    return out;
  }

  /** Mostly small, sometimes large: sizes spread over orders of magnitude up to `max`. */
  size(max: number): number {
    const bits = this.int(0, Math.ceil(Math.log2(max + 1)));
    return Math.min(max, this.int(0, 2 ** bits));
  }
}

/** FNV-1a over the bytes: a stable 32-bit seed derived from an input (for replayable chunkings). */
export function hashBytes(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * Cut points for feeding `length` bytes in pieces: small pieces, large pieces, or a mix,
 * including empty pieces now and then (a transport may well deliver those).
 */
export function chunking(rng: Rng, length: number): number[] {
  const sizes: number[] = [];
  const style = rng.int(0, 3);
  let left = length;
  while (left > 0) {
    let n: number;
    if (style === 0) n = rng.int(1, 3);
    else if (style === 1) n = rng.int(1, 64);
    else if (style === 2) n = rng.size(Math.max(1, left));
    else n = rng.chance(0.5) ? rng.int(1, 7) : rng.size(Math.max(1, left));
    if (rng.chance(0.02)) n = 0;
    n = Math.min(n, left);
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

/** Splits a copy of `data` by the sizes (each piece a fresh view of the copy). */
export function split(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const copy = Uint8Array.from(data);
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const n of sizes) {
    out.push(copy.subarray(offset, offset + n));
    offset += n;
  }
  if (offset < copy.length) out.push(copy.subarray(offset));
  return out;
}
