/**
 * The HTTP/1.1 head of the opening handshake (RFC 6455 §4, RFC 7230 §3): a bounded, linear
 * parser (no regular expressions over peer input) and header helpers.
 */
import { HandshakeError } from './errors';

export interface HeadLimits {
  /** Most bytes the request or response head may take, including the blank line. */
  maxHeadBytes: number;
  maxHeaders: number;
}

export const defaultHeadLimits: Readonly<HeadLimits> = { maxHeadBytes: 16 * 1024, maxHeaders: 100 };

export type HeaderList = [name: string, value: string][];

export interface HttpHead {
  /** Request: method, target, version. Response: version, status code, reason. */
  startLine: [string, string, string];
  headers: HeaderList;
  /** Bytes the head took, up to and including the blank line; the rest is WebSocket data. */
  length: number;
}

/** Finds \r\n\r\n; returns the index after it, or -1. */
function headEnd(data: Uint8Array, limit: number): number {
  const n = Math.min(data.length, limit);
  for (let i = 3; i < n; i++) {
    if (data[i] === 0x0a && data[i - 1] === 0x0d && data[i - 2] === 0x0a && data[i - 3] === 0x0d) return i + 1;
  }
  return -1;
}

/**
 * Parses a complete head from the start of `data`, or returns null when more bytes are needed.
 * Throws HandshakeError when the head is malformed or over the limits.
 */
export function parseHttpHead(data: Uint8Array, limits: HeadLimits = defaultHeadLimits): HttpHead | null {
  // A TLS handshake record (0x16) never starts an HTTP head: a wss:// client at a ws:// port is
  // told so at once, instead of waiting out the time-out for a blank line that never comes.
  if (data[0] === 0x16) throw new HandshakeError('WSW_HS_MALFORMED', 'a TLS handshake where an HTTP head was expected: this port does not speak TLS (use ws://, or the wss:// port)');
  const end = headEnd(data, limits.maxHeadBytes);
  if (end < 0) {
    if (data.length >= limits.maxHeadBytes) throw new HandshakeError('WSW_HS_HEAD_TOO_LARGE', `HTTP head exceeds ${limits.maxHeadBytes} bytes`, 431);
    return null;
  }
  // Header bytes are ISO-8859-1 (RFC 7230 §3.2.4): one char per byte, never a decoding error.
  const text = latin1(data.subarray(0, end - 4));
  const lines = text.split('\r\n');
  const startParts = splitStartLine(lines[0]);
  if (lines.length - 1 > limits.maxHeaders) throw new HandshakeError('WSW_HS_TOO_MANY_HEADERS', `more than ${limits.maxHeaders} header fields`, 431);
  const headers: HeaderList = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HandshakeError('WSW_HS_MALFORMED', `malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon);
    if (name.trim() !== name) throw new HandshakeError('WSW_HS_MALFORMED', `whitespace in header name ${JSON.stringify(name.slice(0, 80))}`);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { startLine: startParts, headers, length: end };
}

function latin1(bytes: Uint8Array): string {
  // Buffer's native decoder on a view (no copy): spreading bytes into String.fromCharCode was a
  // visible share of every handshake in the profile. (TextDecoder's 'latin1' is windows-1252.)
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

function splitStartLine(line: string): [string, string, string] {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (a <= 0 || b < 0) throw new HandshakeError('WSW_HS_MALFORMED', `malformed start line ${JSON.stringify(line.slice(0, 80))}`);
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1)];
}

/** All values of a header (case-insensitive name), in order. */
export function headerValues(headers: HeaderList, name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  // Compare lengths first: a handshake makes ~8 lookups, and lower-casing every name for each
  // one made a new string per header per lookup.
  for (const [k, v] of headers) if (k.length === wanted.length && k.toLowerCase() === wanted) out.push(v);
  return out;
}

/** The value of a header that must appear at most once; throws on duplicates. */
export function singleHeader(headers: HeaderList, name: string): string | undefined {
  const values = headerValues(headers, name);
  if (values.length > 1) throw new HandshakeError('WSW_HS_DUPLICATE_HEADER', `${name} appears ${values.length} times`);
  return values[0];
}

/**
 * Whether a comma-separated header (any of its lines; `name` and `token` lower-case) lists
 * `token`, in any case. No lists are made: a handshake asks twice, and the lists of tokens were
 * a fifth of checking a request.
 */
export function hasHeaderToken(headers: HeaderList, name: string, token: string): boolean {
  if (token === '') return false; // empty list elements are not tokens
  for (const [k, v] of headers) {
    if (k.length !== name.length || k.toLowerCase() !== name) continue;
    for (let start = 0; start <= v.length; ) {
      const comma = v.indexOf(',', start);
      const end = comma < 0 ? v.length : comma;
      if (end - start >= token.length && v.slice(start, end).trim().toLowerCase() === token) return true;
      start = end + 1;
    }
  }
  return false;
}

export function formatHead(startLine: string, headers: HeaderList): Uint8Array {
  let text = startLine + '\r\n';
  for (const [k, v] of headers) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new RangeError(`header ${JSON.stringify(k)} contains a line break`);
    text += `${k}: ${v}\r\n`;
  }
  return Buffer.from(text + '\r\n', 'latin1');
}
