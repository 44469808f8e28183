/**
 * RFC 6455 §5.3 masking: byte i of the payload is XORed with mask[(offset + i) % 4].
 *
 * Three loops, by length: a byte loop for short payloads, a 32-bit word loop for the middle, and
 * for large payloads a 128-bit WebAssembly SIMD kernel that works on a copy in its own memory
 * (two memcpys and one SIMD pass still beat the word loop 3-5×: 64 KiB in 2.9 µs against 9-14 µs
 * here). The SIMD kernel is pure computation, so the engine stays free of I/O; where WebAssembly
 * SIMD is missing the word loop does all of it.
 */

/**
 * Below this many bytes masking is a byte loop: the word loop's set-up costs more than it saves
 * (measured crossover: 32-64). A byte loop also leaves a small frame in V8's heap (encodeFrame).
 */
export const SHORT_PAYLOAD = 48;
/** From this many bytes on, the SIMD kernel's two copies and call cost less than the word loop. */
const SIMD_PAYLOAD = 512;
/** The SIMD kernel masks at most this much per call: the block it copies into its memory. */
const SIMD_BLOCK = 64 * 1024;

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The four mask bytes for stream position `offset`, as the word a Uint32Array sees on this machine. */
function maskWord(mask: Uint8Array, offset: number, littleEndianWord: boolean): number {
  const m0 = mask[offset & 3], m1 = mask[(offset + 1) & 3], m2 = mask[(offset + 2) & 3], m3 = mask[(offset + 3) & 3];
  return littleEndianWord ? (m0 | (m1 << 8) | (m2 << 16) | (m3 << 24)) >>> 0 : ((m0 << 24) | (m1 << 16) | (m2 << 8) | m3) >>> 0;
}

interface SimdKernel {
  /** The kernel's memory: input is copied to its start, masked in place, and copied out. */
  memory: Uint8Array;
  /** XORs bytes [0, end) of memory with the little-endian word `key`, 64 at a time (end rounded up). */
  mask(end: number, key: number): void;
}

/**
 * The module, hand-assembled (it is 140 bytes; a toolchain for it would be heavier than it):
 *
 *   (module
 *     (memory (export "memory") 2)              ;; 128 KiB: one block and room to round up
 *     (func (export "mask") (param $end i32) (param $key i32) (local $at i32) (local $k v128)
 *       (local.set $k (i32x4.splat (local.get $key)))
 *       (loop $next                             ;; 64 bytes a turn: the loop's own add, compare
 *         (v128.store offset=0 (local.get $at)  ;; and branch cost as much as one 16-byte xor
 *           (v128.xor (v128.load offset=0 (local.get $at)) (local.get $k)))
 *         ... the same at offset=16, 32 and 48 ...
 *         (br_if $next (i32.lt_u (local.tee $at (i32.add (local.get $at) (i32.const 64)))
 *                                (local.get $end))))))
 */
function simdKernel(): SimdKernel | null {
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
  const I32 = 0x7f, V128 = 0x7b, SIMD = 0xfd;
  // store($at + offset, xor(load($at + offset), $k)); offset < 128, one LEB128 byte
  const xorAt = (offset: number) => [0x20, 2, 0x20, 2, SIMD, 0x00, 4, offset, 0x20, 3, SIMD, 0x51, SIMD, 0x0b, 4, offset];
  const code = [
    2, 1, I32, 1, V128, // locals: $at, $k
    0x20, 1, SIMD, 0x11, 0x21, 3, // local.get $key; i32x4.splat; local.set $k
    0x03, 0x40, // loop
    ...xorAt(0), ...xorAt(16), ...xorAt(32), ...xorAt(48),
    0x20, 2, 0x41, 0xc0, 0x00, 0x6a, 0x22, 2, 0x20, 0, 0x49, 0x0d, 0, // $at += 64 (signed LEB128: c0 00); br_if $next ($at < $end)
    0x0b, 0x0b, // end loop, end func
  ];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 2, I32, I32, 0]), // type 0: (i32, i32) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0, 2]), // memory: 2 pages, no maximum
    ...section(7, [2, ...name('memory'), 2, 0, ...name('mask'), 0, 0]),
    ...section(10, [1, code.length, ...code]),
  ]);
  // The engine's TypeScript lib has no WebAssembly types (no DOM): the little it uses is declared here.
  const wasm = (globalThis as { WebAssembly?: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: unknown } } }).WebAssembly;
  if (!wasm) return null;
  try {
    const exports = new wasm.Instance(new wasm.Module(bytes)).exports as { memory: { buffer: ArrayBuffer }; mask: (end: number, key: number) => void };
    return { memory: new Uint8Array(exports.memory.buffer), mask: exports.mask };
  } catch {
    return null; // No WebAssembly SIMD here: the word loop does it all.
  }
}

/** Made on first use; null where it cannot be. */
let simd: SimdKernel | null | undefined;
let simdAllowed = true;

function simdFor(length: number): SimdKernel | null {
  if (length < SIMD_PAYLOAD || !simdAllowed) return null;
  if (simd === undefined) simd = simdKernel();
  return simd;
}

/** Which loop masks large payloads here. @internal For tests, which also turn the SIMD kernel off to check the word loop. */
export function largePayloadMasking(allowSimd = simdAllowed): 'simd' | 'words' {
  simdAllowed = allowSimd;
  return simdFor(SIMD_PAYLOAD) ? 'simd' : 'words';
}

/** Masks `source` (from stream position `offset`) into `target` at `at`, block by block through the kernel. */
function simdMaskInto(kernel: SimdKernel, source: Uint8Array, mask: Uint8Array, offset: number, target: Uint8Array, at: number): void {
  // Blocks are multiples of 16 bytes, so every block starts at the same mask phase.
  const key = maskWord(mask, offset, true);
  for (let i = 0; i < source.length; i += SIMD_BLOCK) {
    const n = Math.min(SIMD_BLOCK, source.length - i);
    kernel.memory.set(i === 0 && n === source.length ? source : source.subarray(i, i + n));
    kernel.mask(n, key);
    target.set(kernel.memory.subarray(0, n), at + i);
  }
}

/**
 * The byte loop for short payloads: four bytes a turn, with the mask's octets in locals (looking
 * the mask up for every byte was a third of masking 16 bytes). `target` may be `source`.
 */
function maskBytes(source: Uint8Array, mask: Uint8Array, offset: number, target: Uint8Array, at: number): void {
  const length = source.length;
  const m0 = mask[offset & 3], m1 = mask[(offset + 1) & 3], m2 = mask[(offset + 2) & 3], m3 = mask[(offset + 3) & 3];
  let j = 0;
  for (const end = length - 3; j < end; j += 4) {
    target[at + j] = source[j] ^ m0;
    target[at + j + 1] = source[j + 1] ^ m1;
    target[at + j + 2] = source[j + 2] ^ m2;
    target[at + j + 3] = source[j + 3] ^ m3;
  }
  if (j < length) target[at + j] = source[j] ^ m0;
  if (j + 1 < length) target[at + j + 1] = source[j + 1] ^ m1;
  if (j + 2 < length) target[at + j + 2] = source[j + 2] ^ m2;
}

/**
 * Writes `source` XOR `mask` (from stream position `offset`) into `target` from `at`.
 * Short payloads take a byte loop straight into `target`, never a view of it: a view of a small
 * typed array makes V8 move it off the heap, which cost more than the masking itself.
 */
export function maskInto(source: Uint8Array, mask: Uint8Array, target: Uint8Array, at: number, offset = 0): void {
  const length = source.length;
  if (length < SHORT_PAYLOAD) return maskBytes(source, mask, offset, target, at);
  const kernel = simdFor(length);
  if (kernel) return simdMaskInto(kernel, source, mask, offset, target, at);
  const body = target.subarray(at, at + length);
  body.set(source);
  applyMask(body, mask, offset);
}

/** XOR `data` in place with `mask`, starting at position `offset` of the mask stream. */
export function applyMask(data: Uint8Array, mask: Uint8Array, offset = 0): void {
  const length = data.length;
  // Short payloads: the byte loop beats making a Uint32Array view (most chat-sized frames).
  if (length < SHORT_PAYLOAD) return maskBytes(data, mask, offset, data, 0);
  const kernel = simdFor(length);
  if (kernel) return simdMaskInto(kernel, data, mask, offset, data, 0);
  let i = 0;
  // Byte loop until the data pointer is 32-bit aligned (or the data ends).
  const head = Math.min((4 - (data.byteOffset & 3)) & 3, length);
  for (; i < head; i++) data[i] ^= mask[(offset + i) & 3];
  const words = (length - i) >>> 2;
  if (words > 0) {
    const key = maskWord(mask, offset + i, littleEndian);
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    // Four words per turn: the loop's own compare and branch were a third of its time.
    let w = 0;
    for (const end = words - 3; w < end; w += 4) {
      view[w] ^= key;
      view[w + 1] ^= key;
      view[w + 2] ^= key;
      view[w + 3] ^= key;
    }
    for (; w < words; w++) view[w] ^= key;
    i += words << 2;
  }
  for (; i < length; i++) data[i] ^= mask[(offset + i) & 3];
}

/**
 * 4-byte masks from a pool of random bytes: one getRandomValues call per 2,048 masks. Every call
 * returns the same 4-byte buffer with the next mask in it, valid until the next call: use it at
 * once (the engine copies it into the frame), or copy it. A new view per mask cost a client as
 * much as the rest of masking and framing a 16-byte message.
 */
export function pooledRandomMask(): () => Uint8Array {
  const pool = new Uint8Array(8192);
  const key = new Uint8Array(4);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      globalThis.crypto.getRandomValues(pool);
      offset = 0;
    }
    key[0] = pool[offset];
    key[1] = pool[offset + 1];
    key[2] = pool[offset + 2];
    key[3] = pool[offset + 3];
    offset += 4;
    return key;
  };
}
