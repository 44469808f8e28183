/**
 * Where the engine gets the buffers it fills, and how anything keeps bytes it was lent.
 *
 * Each ArrayBuffer costs V8 an allocation, external-memory accounting and a sweep once it dies:
 * for a 64 KiB buffer, about as much as copying 64 KiB into it. Buffer.allocUnsafe saves that
 * for buffers under 4 KiB by cutting them from a shared 8 KiB pool; `allocFilled` does the same
 * for buffers of 4-256 KiB with shared 1 MiB slabs, one ArrayBuffer for 4 to 256 of them.
 * Receiving 64 KiB messages in 64 KiB chunks went from 9.1 to 14.2 GB per CPU-second
 * (bench/README.md, "Optimisations").
 *
 * The price is Node's own for its pool: a buffer that is kept keeps its whole slab (at most
 * 1 MiB) alive, and its `.buffer` holds other buffers' bytes. So whatever keeps received bytes
 * for long (a wire log, a report) keeps a `copyBytes` of them.
 */

const SLAB_SIZE = 1024 * 1024;
/** Smaller requests already come from Buffer.allocUnsafe's pool. */
const MIN_POOLED = Buffer.poolSize >>> 1;
/** Larger ones would leave too few to a slab to be worth sharing it. */
const MAX_POOLED = SLAB_SIZE / 4;

let slab: Buffer | null = null;
let slabUsed = 0;

/**
 * A buffer of `size` bytes that the caller overwrites in full: not zeroed, and between 4 KiB and
 * 256 KiB cut from a shared slab. Joined message payloads, unmasked and masked frames, the
 * transport's joined writes and zlib's outputs all come from here.
 */
export function allocFilled(size: number): Buffer {
  if (size < MIN_POOLED || size > MAX_POOLED) return Buffer.allocUnsafe(size);
  if (slab === null || slabUsed + size > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + size);
  // 8-byte aligned, as Node aligns its pool: a Float64Array over a message stays possible.
  slabUsed = (slabUsed + size + 7) & ~7;
  return out;
}

/**
 * A copy that holds only these bytes. `Buffer#slice`, unlike `Uint8Array#slice`, is a view of the
 * same memory: it keeps a whole socket read or slab alive and sees later writes to it (the engine
 * unmasks received frames in place).
 */
export function copyBytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}
