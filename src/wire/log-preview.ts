/**
 * How Autobahn's wire log and reports shorten octets and payloads (`binLogData` and
 * `asciiLogData` in autobahntestsuite/fuzzing.py), reproduced with their quirks: anything longer
 * than 60 octets is cut at 64 and marked " ...", and a payload is shown as text only when those
 * (possibly cut) octets, " ..." included, decode as strict UTF-8.
 */

const PREVIEW_OCTETS = 64;
const ELLIPSIS = ' ...';
const ELLIPSIS_OCTETS = new TextEncoder().encode(ELLIPSIS);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isLong(data: Uint8Array): boolean {
  return data.length > PREVIEW_OCTETS - ELLIPSIS.length;
}

/** Lowercase hex of the first 64 octets, plus " ..." when more than 60 were given. */
export function hexPreview(data: Uint8Array): string {
  return isLong(data) ? toHex(data.subarray(0, PREVIEW_OCTETS)) + ELLIPSIS : toHex(data);
}

/** A payload as Autobahn shows it: UTF-8 text when it decodes, else "0x" + hex. */
export interface PayloadPreview {
  kind: 'text' | 'hex';
  value: string;
}

export function payloadPreview(data: Uint8Array): PayloadPreview {
  const shown = isLong(data) ? concat(data.subarray(0, PREVIEW_OCTETS), ELLIPSIS_OCTETS) : data;
  try {
    return { kind: 'text', value: strictUtf8.decode(shown) };
  } catch {
    return { kind: 'hex', value: '0x' + hexPreview(data) };
  }
}

export function toHex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
