/**
 * Sec-WebSocket-Extensions (RFC 6455 §9.1):
 *   extension-list = 1#( token *( ";" token [ "=" ( token / quoted-string ) ] ) )
 * A linear scanner, no regular expressions: header values come from the peer (the lesson of
 * ws CVE-2021-32640 and CVE-2024-37890).
 */
import { HandshakeError } from './errors';

export type ExtensionParam = [name: string, value: string | true];

export interface ExtensionElement {
  name: string;
  params: ExtensionParam[];
}

// RFC 7230 tchar: ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA
const tokenChars = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") tokenChars[c.charCodeAt(0)] = 1;

export const isTokenChar = (code: number): boolean => code < 128 && tokenChars[code] === 1;

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

export function parseExtensionList(header: string): ExtensionElement[] {
  const elements: ExtensionElement[] = [];
  const n = header.length;
  let i = 0;
  const fail = (what: string): never => {
    throw new HandshakeError('WSW_HS_EXTENSION', `invalid Sec-WebSocket-Extensions header: ${what} at offset ${i}`);
  };
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && isTokenChar(header.charCodeAt(i))) i++;
    if (i === start) fail('expected a token');
    return header.slice(start, i);
  };
  const quoted = (): string => {
    i++; // opening quote
    let value = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\') i++;
      if (i >= n) break;
      value += header[i++];
    }
    if (i >= n) fail('unterminated quoted string');
    i++; // closing quote
    // RFC 6455 §9.1: a quoted value must still be a token once unquoted.
    if (!isToken(value)) fail('quoted parameter value is not a token');
    return value;
  };

  for (;;) {
    skipSpace();
    if (i < n && header[i] === ',') {
      i++; // empty list elements are allowed by the # rule
      continue;
    }
    if (i >= n) break;
    const name = token();
    const params: ExtensionParam[] = [];
    skipSpace();
    while (i < n && header[i] === ';') {
      i++;
      skipSpace();
      const key = token();
      skipSpace();
      let value: string | true = true;
      if (i < n && header[i] === '=') {
        i++;
        skipSpace();
        value = i < n && header[i] === '"' ? quoted() : token();
        skipSpace();
      }
      params.push([key, value]);
    }
    elements.push({ name, params });
    skipSpace();
    if (i < n && header[i] !== ',') fail('expected "," or ";"');
  }
  if (elements.length === 0) fail('empty extension list');
  return elements;
}

export function formatExtension({ name, params }: ExtensionElement): string {
  return [name, ...params.map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; ');
}
