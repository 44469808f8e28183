/** Deterministic building blocks for the synthetic corpora: a seeded PRNG and exact-size filling. */

/** A seeded PRNG (mulberry32): the same seed gives the same sequence on every platform. */
export interface Prng {
  /** Uniform 32-bit unsigned integer. */
  next(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
  pick<T>(items: readonly T[]): T;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const below = (n: number) => next() % n;
  return { next, below, pick: (items) => items[below(items.length)] };
}

const encoder = new TextEncoder();

/**
 * Text of exactly `size` UTF-8 octets: pieces from `nextPiece` while they fit, then `closing`,
 * then ASCII spaces and a final newline, so no multi-byte character is ever cut.
 */
export function textOfSize(size: number, nextPiece: () => string, closing = ''): string {
  const room = size - encoder.encode(closing).length - 1;
  const pieces: string[] = [];
  let used = 0;
  for (;;) {
    const piece = nextPiece();
    const length = encoder.encode(piece).length;
    if (used + length > room) break;
    pieces.push(piece);
    used += length;
  }
  return pieces.join('') + closing + ' '.repeat(room - used) + '\n';
}

/** Octets of exactly `size`: `body` is cut or zero-padded so that `head + body + tail` fits. */
export function octetsOfSize(size: number, head: Uint8Array, body: Uint8Array, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(size);
  out.set(head, 0);
  out.set(body.subarray(0, size - head.length - tail.length), head.length);
  out.set(tail, size - tail.length);
  return out;
}
