/** Pure parsing helpers for command input (no 'vscode': unit-testable). */
import { isValidWireCloseCode } from '../engine/constants';

/** Null when `url` is a usable ws:// or wss:// URL, else what is wrong with it. */
export function validateWebSocketUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'Not a URL: try ws://127.0.0.1:9001/';
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `The scheme must be ws:// or wss://, not ${parsed.protocol}//`;
  if (!parsed.hostname) return 'The URL has no host';
  if (parsed.hash) return 'A WebSocket URL has no #fragment (RFC 6455 §3)';
  return null;
}

/** 'de ad be ef', 'deadbeef', '0xdeadbeef', 'de:ad' -> bytes; throws on anything else. */
export function parseHex(text: string): Uint8Array {
  const clean = text.trim().replace(/^0x/i, '').replace(/[\s:,-]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`not hex: ${JSON.stringify(text.slice(0, 40))}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Null when `text` is base64 (standard or URL-safe, not both; padding optional but right), else what is wrong. */
export function base64Problem(text: string): string | null {
  const clean = text.trim().replace(/\s/g, '');
  const body = clean.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(body) || clean.length - body.length > 2) return 'Not base64: use A-Z a-z 0-9 + / (or - _), = only at the end';
  if (/[+/]/.test(body) && /[-_]/.test(body)) return 'Not base64: it mixes + / with the URL-safe - _';
  // A final group of one character holds no whole byte: something was cut off.
  if (body.length % 4 === 1) return `Not base64: ${body.length} characters cannot end a group (a character is missing or extra)`;
  if (clean.length !== body.length && clean.length % 4 !== 0) return 'Not base64: wrong padding';
  return null;
}

export function parseBase64(text: string): Uint8Array {
  const problem = base64Problem(text);
  if (problem) throw new Error(problem);
  return Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'base64'));
}

/** "Name: value; Other: value" -> header pairs. */
export function parseHeaders(text: string): { name: string; value: string }[] {
  return text
    .split(/[;\n]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.indexOf(':');
      if (colon <= 0) throw new Error(`header ${JSON.stringify(part)}: use Name: value`);
      const name = part.slice(0, colon).trim();
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error(`header name ${JSON.stringify(name)} is not an HTTP token`);
      return { name, value: part.slice(colon + 1).trim() };
    });
}

/** "4, 4, 8" -> [4, 4, 8]; throws unless every entry is a non-negative integer. */
export function parseSizes(text: string): number[] {
  const sizes = text.split(/[\s,]+/).filter(Boolean).map(Number);
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error(`sizes: ${JSON.stringify(text)}: use numbers like 4, 4, 8`);
  return sizes;
}

/** Payload sizes of `count` fragments of a `length`-byte message, as even as possible. */
export function evenFragments(length: number, count: number): number[] {
  const n = Math.max(1, Math.min(count, Math.max(1, length)));
  const base = Math.floor(length / n);
  return Array.from({ length: n }, (_, i) => base + (i < length % n ? 1 : 0));
}

/** Null when `text` is a close code that may be sent (RFC 6455 §7.4), else what is wrong. */
export function closeCodeProblem(text: string): string | null {
  if (!/^\d+$/.test(text.trim())) return 'A number, e.g. 1000 or 4000';
  const code = Number(text.trim());
  return isValidWireCloseCode(code) ? null : `${code} may not be sent (1000-1003, 1007-1014, 3000-4999); Compose Raw Frame sends any code`;
}
