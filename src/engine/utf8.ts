/**
 * Incremental UTF-8 validation (RFC 3629) that fails at the first byte that cannot start or
 * continue a valid sequence, even in the middle of a frame or fragment: Autobahn's 6.4.x cases
 * check exactly this fail-fast behaviour.
 *
 * The bulk of each chunk goes through Buffer's native validator; only a partial sequence that
 * straddles two chunks (at most 3 bytes on each side) takes the byte-level state machine.
 */
import { isUtf8 } from 'node:buffer';

/** Length of the sequence a lead byte starts, or 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

export class Utf8Validator {
  /** Continuation bytes still needed by the sequence in progress. */
  private need = 0;
  /** Allowed range of the next continuation byte (narrower right after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;

  /** True while no sequence is left incomplete. */
  get atBoundary(): boolean {
    return this.need === 0;
  }

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
  }

  /** Validates the next bytes of the stream; false as soon as they cannot be valid UTF-8. */
  feed(bytes: Uint8Array): boolean {
    let i = 0;
    const end = bytes.length;
    if (end < SHORT_TEXT) {
      // Byte by byte: for a short chunk with a character outside ASCII, the native validator's
      // call cost more than the whole walk (ws walks texts under 24 bytes in JavaScript too).
      // ASCII outside a sequence, most of any text, skips the state machine.
      for (; i < end; i++) {
        const byte = bytes[i];
        if ((byte < 0x80 && this.need === 0) || this.step(byte)) continue;
        return false;
      }
      return true;
    }
    while (this.need > 0 && i < end) if (!this.step(bytes[i++])) return false;
    if (i === end) return true;
    const tail = incompleteTailStart(bytes, i);
    if (tail > i && !isValidRange(bytes, i, tail)) return false;
    for (let j = tail; j < end; j++) if (!this.step(bytes[j])) return false;
    return true;
  }

  /** Validates the end of the stream: false when it stops inside a sequence. */
  finish(): boolean {
    const complete = this.need === 0;
    this.reset();
    return complete;
  }

  private step(byte: number): boolean {
    if (this.need === 0) {
      switch (sequenceLength(byte)) {
        case 1:
          return true;
        case 0:
          return false;
        case 2:
          this.need = 1;
          break;
        case 3:
          this.need = 2;
          // E0 must not encode an overlong; ED must not encode a surrogate (U+D800-DFFF).
          if (byte === 0xe0) this.lo = 0xa0;
          else if (byte === 0xed) this.hi = 0x9f;
          break;
        case 4:
          this.need = 3;
          // F0 must not be overlong; F4 must stay at or below U+10FFFF.
          if (byte === 0xf0) this.lo = 0x90;
          else if (byte === 0xf4) this.hi = 0x8f;
          break;
      }
      return true;
    }
    if (byte < this.lo || byte > this.hi) return false;
    this.need--;
    this.lo = 0x80;
    this.hi = 0xbf;
    return true;
  }
}

/** Below this many bytes a JavaScript ASCII scan is cheaper than a call into the native validator. */
const SHORT_TEXT = 32;

/** Whether bytes[from, to) is valid UTF-8 on its own, without a view when it is all of `bytes`. */
function isValidRange(bytes: Uint8Array, from: number, to: number): boolean {
  if (to - from < SHORT_TEXT) {
    let ascii = true;
    for (let k = from; k < to && ascii; k++) ascii = bytes[k] < 0x80;
    if (ascii) return true;
  }
  return isUtf8(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to));
}

/** Start of a sequence left incomplete at the end of `bytes` (or bytes.length when none is). */
function incompleteTailStart(bytes: Uint8Array, from: number): number {
  const end = bytes.length;
  let p = end - 1;
  while (p >= from && p > end - 4 && (bytes[p] & 0xc0) === 0x80) p--;
  if (p < from) return end;
  const length = sequenceLength(bytes[p]);
  return length > 1 && end - p < length ? p : end;
}

/** Whole-buffer validation, for close reasons and complete messages. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
