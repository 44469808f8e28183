/** RFC 6455 §5.5.1 close frame payloads: an optional 2-byte code and a UTF-8 reason. */
import { isValidWireCloseCode } from './constants';
import { ProtocolError, UsageError } from './errors';
import { isValidUtf8 } from './utf8';

export interface ClosePayload {
  /** null when the frame had no payload (the peer gets "1005 no status received"). */
  code: number | null;
  reason: string;
}

const encoder = new TextEncoder();
// ignoreBOM: a reason that begins with U+FEFF keeps it (the default decoder drops it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Reads a received close payload, failing with 1002 (bad length or code) or 1007 (bad reason).
 * `validCode` decides which codes a peer may send (default: RFC 6455 §7.4 with the IANA
 * registry's 1012-1014).
 */
export function parseClosePayload(payload: Uint8Array, validCode: (code: number) => boolean = isValidWireCloseCode): ClosePayload {
  if (payload.length === 0) return { code: null, reason: '' };
  if (payload.length === 1) throw new ProtocolError(1002, 'WSW_ERR_INVALID_CLOSE_PAYLOAD', 'close frame payload of 1 byte');
  const code = (payload[0] << 8) | payload[1];
  if (!validCode(code)) throw new ProtocolError(1002, 'WSW_ERR_INVALID_CLOSE_CODE', `invalid close code ${code}`);
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason)) throw new ProtocolError(1007, 'WSW_ERR_INVALID_UTF8', 'close reason is not valid UTF-8');
  return { code, reason: decoder.decode(reason) };
}

/** The reason of a close payload (after its code), as text. */
export function closeReasonText(payload: Uint8Array): string {
  return decoder.decode(payload.subarray(2));
}

/** Builds a close payload to send; a code that may not go on the wire is a UsageError. */
export function encodeClosePayload(code: number | null, reason = ''): Uint8Array {
  if (code === null) {
    if (reason) throw new UsageError('WSW_USAGE_CLOSE_REASON_WITHOUT_CODE', 'a close reason needs a close code');
    return new Uint8Array(0);
  }
  if (!isValidWireCloseCode(code)) throw new UsageError('WSW_USAGE_CLOSE_CODE', `close code ${code} may not be sent (valid: 1000-1003, 1007-1014, 3000-4999)`);
  const text = encoder.encode(reason);
  if (text.length > 123) throw new UsageError('WSW_USAGE_CLOSE_REASON_LENGTH', `close reason is ${text.length} bytes; at most 123 fit in a control frame`);
  const out = new Uint8Array(2 + text.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/** Shortens text to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}
