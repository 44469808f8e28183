/**
 * The opening handshake (RFC 6455 §4) as pure functions: the client builds its request and
 * checks the 101 response; the server checks a request and builds its answer.
 */
import * as crypto from 'node:crypto';
import { WEBSOCKET_GUID } from './constants';
import { HandshakeError } from './errors';
import { formatExtension, isToken, parseExtensionList, type ExtensionElement } from './extensions';
import { acceptDeflateResponse, deflateOffer, negotiateDeflate, PERMESSAGE_DEFLATE, type DeflateOptions, type DeflateParams } from './deflate';
import { formatHead, hasHeaderToken, headerValues, singleHeader, type HeaderList, type HttpHead } from './http';

/** Node's one-shot digest (20.12 and later): half the cost of a Hash object for a 60-byte input. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

export function acceptKeyFor(key: string): string {
  const input = key + WEBSOCKET_GUID;
  return oneShotHash ? oneShotHash('sha1', input, 'base64') : crypto.createHash('sha1').update(input).digest('base64');
}

// ------------------------------------------------------------------ client

export interface ClientHandshakeOptions {
  /** Host header value, e.g. "example.com:8080" (the port only when not the default). */
  host: string;
  /** Request target: path and query, e.g. "/chat?room=1". */
  path: string;
  origin?: string;
  subprotocols?: string[];
  /** permessage-deflate offer, or false/undefined for none. */
  deflate?: DeflateOptions | false;
  /** Extra headers, sent as given (after the required ones). */
  headers?: HeaderList;
  /** 16 random bytes; injectable for tests. Default: crypto.getRandomValues. */
  key?: Uint8Array;
}

export interface ClientHandshake {
  request: Uint8Array;
  key: string;
  /** What validateServerResponse needs to remember about the offer. */
  offer: { subprotocols: string[]; deflate: ExtensionElement | null };
}

export function buildClientRequest(options: ClientHandshakeOptions): ClientHandshake {
  const keyBytes = options.key ?? globalThis.crypto.getRandomValues(new Uint8Array(16));
  if (keyBytes.length !== 16) throw new RangeError('the Sec-WebSocket-Key must be 16 bytes');
  const key = Buffer.from(keyBytes).toString('base64');
  const subprotocols = options.subprotocols ?? [];
  for (const p of subprotocols) if (!isToken(p)) throw new RangeError(`subprotocol ${JSON.stringify(p)} is not a valid token`);
  if (new Set(subprotocols).size !== subprotocols.length) throw new RangeError('subprotocols must be unique');
  const deflate = options.deflate ? deflateOffer(options.deflate) : null;
  const headers: HeaderList = [
    ['Host', options.host],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (options.origin !== undefined) headers.push(['Origin', options.origin]);
  if (subprotocols.length) headers.push(['Sec-WebSocket-Protocol', subprotocols.join(', ')]);
  if (deflate) headers.push(['Sec-WebSocket-Extensions', formatExtension(deflate)]);
  for (const [name] of options.headers ?? []) if (!isToken(name)) throw new RangeError(`header name ${JSON.stringify(name)} is not a valid token`);
  headers.push(...(options.headers ?? []));
  return { request: formatHead(`GET ${options.path || '/'} HTTP/1.1`, headers), key, offer: { subprotocols, deflate } };
}

export interface ClientHandshakeResult {
  protocol: string | null;
  deflate: DeflateParams | null;
  /** The response header lines, for logs. */
  headers: HeaderList;
}

/**
 * Checks the server's answer (§4.2.2 / §4.1 client requirements). `acceptDeflate` turns a
 * permessage-deflate response into the agreement (by default: checked against our offer).
 */
export function validateServerResponse(head: HttpHead, handshake: ClientHandshake, acceptDeflate: (response: ExtensionElement, offered: ExtensionElement) => DeflateParams = acceptDeflateResponse): ClientHandshakeResult {
  try {
    return checkServerResponse(head, handshake, acceptDeflate);
  } catch (error) {
    // The helpers (duplicate headers, extension syntax, deflate parameters) throw without the
    // response; attach it so that every refusal can show the user what the server sent.
    if (error instanceof HandshakeError && !error.response) {
      throw new HandshakeError(error.code, error.message, error.status, { status: Number(head.startLine[1]), reason: head.startLine[2], headers: head.headers });
    }
    throw error;
  }
}

function checkServerResponse(head: HttpHead, handshake: ClientHandshake, acceptDeflate: typeof acceptDeflateResponse): ClientHandshakeResult {
  const [version, statusText, reason] = head.startLine;
  const status = Number(statusText);
  const response = { status, reason, headers: head.headers };
  const fail = (code: ConstructorParameters<typeof HandshakeError>[0], why: string): never => {
    throw new HandshakeError(code, why, 400, response);
  };
  if (!version.startsWith('HTTP/1.')) fail('WSW_HS_HTTP_VERSION', `unexpected response version ${version}`);
  if (status !== 101) fail('WSW_HS_STATUS', `server answered ${statusText} ${reason} instead of 101 Switching Protocols`);
  if (!hasHeaderToken(head.headers, 'upgrade', 'websocket')) fail('WSW_HS_UPGRADE', 'response lacks "Upgrade: websocket"');
  if (!hasHeaderToken(head.headers, 'connection', 'upgrade')) fail('WSW_HS_CONNECTION', 'response lacks "Connection: Upgrade"');
  const accept = singleHeader(head.headers, 'sec-websocket-accept');
  const expected = acceptKeyFor(handshake.key);
  if (accept !== expected) fail('WSW_HS_ACCEPT', `Sec-WebSocket-Accept is ${JSON.stringify(accept ?? null)}, expected ${expected}`);

  // Subprotocol names are compared exactly, as browsers, ws and python-websockets do: a server
  // answering "CHAT" to an offer of "chat" did not choose an offered value (§4.1).
  const protocols = headerValues(head.headers, 'sec-websocket-protocol')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  let protocol: string | null = null;
  if (protocols.length > 1) fail('WSW_HS_SUBPROTOCOL', `server chose several subprotocols: ${protocols.join(', ')}`);
  if (protocols.length === 1) {
    if (!handshake.offer.subprotocols.includes(protocols[0])) fail('WSW_HS_SUBPROTOCOL', `server chose subprotocol ${protocols[0]}, which was not offered`);
    protocol = protocols[0];
  }

  let deflate: DeflateParams | null = null;
  const extensionHeader = headerValues(head.headers, 'sec-websocket-extensions').join(', ');
  if (extensionHeader.trim()) {
    for (const element of parseExtensionList(extensionHeader)) {
      if (element.name !== PERMESSAGE_DEFLATE || !handshake.offer.deflate) fail('WSW_HS_EXTENSION', `server accepted extension ${element.name}, which was not offered`);
      if (deflate) fail('WSW_HS_EXTENSION', 'server accepted permessage-deflate twice');
      deflate = acceptDeflate(element, handshake.offer.deflate!);
    }
  }
  return { protocol, deflate, headers: head.headers };
}

// ------------------------------------------------------------------ server

export interface ServerHandshakeOptions {
  /** Picks one of the client's subprotocols (in the client's order), or null for none. */
  selectSubprotocol?: (offered: string[]) => string | null;
  /** Accept permessage-deflate with these settings, or false to decline every offer. */
  deflate?: DeflateOptions | false;
  /** Extra response headers. */
  headers?: HeaderList;
}

export type ServerHandshakeResult =
  | {
      ok: true;
      response: Uint8Array;
      protocol: string | null;
      deflate: DeflateParams | null;
      path: string;
      /** Why deflate offers were declined, if they were (for logs). */
      declinedExtensions: string[];
    }
  | { ok: false; response: Uint8Array; error: HandshakeError };

/** Checks a client's request (§4.2.1) and builds the 101 response, or the 4xx refusal. */
export function acceptClientRequest(head: HttpHead, options: ServerHandshakeOptions = {}): ServerHandshakeResult {
  try {
    return acceptOrThrow(head, options);
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    return { ok: false, response: refusal(error), error };
  }
}

/** The application's choice; its mistakes refuse this handshake (500), they do not escape into the server. */
function chooseSubprotocol(select: (offered: string[]) => string | null, offered: string[]): string | null {
  let protocol: string | null;
  try {
    protocol = select(offered);
  } catch (error) {
    throw new HandshakeError('WSW_HS_SUBPROTOCOL', `selectSubprotocol failed: ${(error as Error)?.message ?? String(error)}`, 500);
  }
  if (protocol !== null && !offered.includes(protocol)) {
    throw new HandshakeError('WSW_HS_SUBPROTOCOL', `selectSubprotocol chose ${JSON.stringify(protocol)}, which the client did not offer`, 500);
  }
  return protocol;
}

function acceptOrThrow(head: HttpHead, options: ServerHandshakeOptions): ServerHandshakeResult {
  const [method, target, version] = head.startLine;
  if (method !== 'GET') throw new HandshakeError('WSW_HS_METHOD', `method ${method} is not GET`, 405);
  if (version !== 'HTTP/1.1') throw new HandshakeError('WSW_HS_HTTP_VERSION', `${version} is not HTTP/1.1`, 400);
  if (!singleHeader(head.headers, 'host')) throw new HandshakeError('WSW_HS_MALFORMED', 'missing Host header', 400);
  if (!hasHeaderToken(head.headers, 'upgrade', 'websocket')) throw new HandshakeError('WSW_HS_UPGRADE', 'missing "Upgrade: websocket"', 400);
  if (!hasHeaderToken(head.headers, 'connection', 'upgrade')) throw new HandshakeError('WSW_HS_CONNECTION', 'missing "Connection: Upgrade"', 400);
  const versionHeader = singleHeader(head.headers, 'sec-websocket-version');
  if (versionHeader !== '13') throw new HandshakeError('WSW_HS_VERSION', `unsupported Sec-WebSocket-Version ${JSON.stringify(versionHeader ?? null)} (this server speaks 13)`, 426);
  const key = singleHeader(head.headers, 'sec-websocket-key') ?? '';
  if (!isBase64Of16Bytes(key)) throw new HandshakeError('WSW_HS_KEY', `Sec-WebSocket-Key ${JSON.stringify(key)} is not 16 bytes in base64`, 400);

  const offered = headerValues(head.headers, 'sec-websocket-protocol')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  for (const p of offered) if (!isToken(p)) throw new HandshakeError('WSW_HS_SUBPROTOCOL', `invalid subprotocol ${JSON.stringify(p)}`, 400);
  const protocol = offered.length && options.selectSubprotocol ? chooseSubprotocol(options.selectSubprotocol, offered) : null;

  let deflate: DeflateParams | null = null;
  let declinedExtensions: string[] = [];
  const responseHeaders: HeaderList = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', acceptKeyFor(key)],
  ];
  if (protocol !== null) responseHeaders.push(['Sec-WebSocket-Protocol', protocol]);
  const extensionHeader = headerValues(head.headers, 'sec-websocket-extensions').join(', ');
  if (extensionHeader.trim()) {
    const offers = parseExtensionList(extensionHeader);
    if (options.deflate !== false && options.deflate !== undefined) {
      const { accepted, declined } = negotiateDeflate(offers, options.deflate);
      declinedExtensions = declined;
      if (accepted) {
        deflate = accepted.params;
        responseHeaders.push(['Sec-WebSocket-Extensions', formatExtension(accepted.response)]);
      }
    }
  }
  responseHeaders.push(...(options.headers ?? []));
  return { ok: true, response: formatHead('HTTP/1.1 101 Switching Protocols', responseHeaders), protocol, deflate, path: target, declinedExtensions };
}

const reasons: Record<number, string> = { 400: 'Bad Request', 405: 'Method Not Allowed', 426: 'Upgrade Required', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

/** A plain-text 4xx answer that says what was wrong; 426 names the version we speak, 405 the method. */
export function refusal(error: HandshakeError): Uint8Array {
  const body = Buffer.from(`${error.message}\n`, 'utf8');
  const headers: HeaderList = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', 'close'],
  ];
  if (error.status === 426) headers.push(['Sec-WebSocket-Version', '13']);
  // RFC 7231 §6.5.5: a 405 MUST say which methods are allowed.
  if (error.status === 405) headers.push(['Allow', 'GET']);
  const head = formatHead(`HTTP/1.1 ${error.status} ${reasons[error.status] ?? 'Bad Request'}`, headers);
  return Buffer.concat([head, body]);
}

function isBase64Of16Bytes(key: string): boolean {
  // 16 bytes are 22 base64 characters and "==".
  if (key.length !== 24 || !key.endsWith('==')) return false;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}
