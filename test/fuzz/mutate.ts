/** Byte-level mutations of a valid input, in the manner of AFL's havoc stage. */
import type { Rng } from './random';

/** Values that tend to sit on boundaries: lengths 125/126/127, 0x7f/0x80, 0xff, UTF-8 leads. */
const interesting = [0x00, 0x01, 0x7e, 0x7f, 0x80, 0x81, 0x88, 0x89, 0x8a, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xfe, 0xff, 0x0d, 0x0a, 0x20, 0x3a, 0x2c, 0x3b, 0x3d, 0x22];

export function mutate(rng: Rng, input: Uint8Array, rounds = rng.int(1, 8), maxLength = 1 << 20): Uint8Array {
  let data: Uint8Array = Uint8Array.from(input);
  for (let r = 0; r < rounds; r++) {
    const at = data.length ? rng.int(0, data.length - 1) : 0;
    switch (rng.int(0, 10)) {
      case 0: // flip one bit
        if (data.length) data[at] ^= 1 << rng.int(0, 7);
        break;
      case 1: // set a random byte
        if (data.length) data[at] = rng.int(0, 255);
        break;
      case 2: // set an interesting byte
        if (data.length) data[at] = rng.pick(interesting);
        break;
      case 3: // delete a range
        data = concat(data.subarray(0, at), data.subarray(Math.min(data.length, at + rng.size(64) + 1)));
        break;
      case 4: // insert random bytes
        data = concat(data.subarray(0, at), rng.bytes(rng.size(32) + 1), data.subarray(at));
        break;
      case 5: {
        // duplicate a range elsewhere
        const from = data.length ? rng.int(0, data.length - 1) : 0;
        const piece = data.slice(from, from + rng.size(256) + 1);
        const to = data.length ? rng.int(0, data.length) : 0;
        data = concat(data.subarray(0, to), piece, data.subarray(to));
        break;
      }
      case 6: // truncate
        data = data.slice(0, at);
        break;
      case 7: // add or subtract a small number
        if (data.length) data[at] = (data[at] + rng.int(-16, 16)) & 0xff;
        break;
      case 8: {
        // overwrite a 16- or 64-bit big-endian field with an extreme value
        const width = rng.chance(0.5) ? 2 : 8;
        const fill = rng.pick([0x00, 0xff, 0x7f, 0x80]);
        for (let i = 0; i < width && at + i < data.length; i++) data[at + i] = i === 0 ? fill : rng.pick([0x00, 0xff, fill]);
        break;
      }
      case 9: {
        // swap two ranges' worth of bytes (reorders frames or lines)
        if (data.length < 4) break;
        const a = rng.int(0, data.length - 2);
        const b = rng.int(a + 1, data.length - 1);
        const n = Math.min(rng.size(32) + 1, b - a, data.length - b);
        for (let i = 0; i < n; i++) [data[a + i], data[b + i]] = [data[b + i], data[a + i]];
        break;
      }
      default: // repeat one byte many times
        data = concat(data.subarray(0, at), new Uint8Array(rng.size(4096) + 1).fill(data.length ? data[at] : rng.int(0, 255)), data.subarray(at));
    }
    if (data.length > maxLength) data = data.slice(0, maxLength);
  }
  return data;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
