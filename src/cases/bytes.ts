/**
 * Byte helpers for writing cases. Autobahn's cases are Python 2, where every payload is a byte
 * string: `utf8()` stands for its text literals, `hexBytes()` for its `'\xce\xba...'` literals.
 */

const encoder = new TextEncoder();

export const EMPTY: Uint8Array = new Uint8Array(0);

/** UTF-8 octets of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Octets from a hex string such as "cebae1"; whitespace is ignored. */
export function hexBytes(hex: string): Uint8Array {
  const digits = hex.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || /[^0-9a-f]/i.test(digits)) throw new RangeError(`not a hex string: ${hex}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex, like Python's `binascii.b2a_hex`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** `count` copies of one octet (Autobahn's `"\xfe" * 125`). */
export function repeatOctet(octet: number, count: number): Uint8Array {
  return new Uint8Array(count).fill(octet);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Python's `str(bool)`, for result sentences Autobahn formats with `%s`. */
export function pyBool(value: boolean): 'True' | 'False' {
  return value ? 'True' : 'False';
}
