/**
 * The opening handshake parsers, both sides: an upgrade request through parseHttpHead and
 * acceptClientRequest (server), a response through parseHttpHead and validateServerResponse
 * (client). Inputs are valid heads broken by byte and line mutations, huge header values, many
 * header lines, and random bytes. Invariant: a parsed result, "need more bytes", or a
 * HandshakeError with an HTTP status, never another exception; a refusal is itself a valid
 * HTTP response with that status; a head that parses from a prefix parses the same in full.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  HandshakeError,
  acceptClientRequest,
  acceptKeyFor,
  buildClientRequest,
  parseHttpHead,
  validateServerResponse,
  type HeadLimits,
  type HttpHead,
  type ServerHandshakeOptions,
} from '../../../src/engine';
import type { FuzzTarget } from '../harness';
import { mutate } from '../mutate';
import { Rng, hashBytes } from '../random';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
/** The client whose responses we check: offers two subprotocols and permessage-deflate. */
const client = buildClientRequest({ host: 'example.com', path: '/', subprotocols: ['chat', 'Super.Chat'], deflate: { clientMaxWindowBits: true }, key: KEY });
const clientNoDeflate = buildClientRequest({ host: 'example.com', path: '/', key: KEY });

const bigLimits: HeadLimits = { maxHeadBytes: 2 * 1024 * 1024, maxHeaders: 100_000 };
const serverStatuses = new Set([400, 405, 426, 431]);

const serverOptions: ServerHandshakeOptions[] = [
  {},
  { deflate: {}, selectSubprotocol: (offered) => offered[0] },
  { deflate: { serverMaxWindowBits: 10, clientMaxWindowBits: 9, serverNoContextTakeover: true }, selectSubprotocol: (offered) => offered[offered.length - 1] },
];

function extensionOffer(rng: Rng): string {
  const params = ['server_no_context_takeover', 'client_no_context_takeover', 'server_max_window_bits', 'client_max_window_bits', 'x_unknown'];
  const values = ['8', '9', '15', '16', '7', '010', '"12"', '"1 2"', '', '=', '"', '\\"', '-1', 'a'];
  const elements: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    let element = rng.chance(0.85) ? 'permessage-deflate' : rng.pick(['x-webkit-deflate-frame', 'foo', 'permessage-deflate;', '"q"']);
    for (let j = rng.int(0, 4); j > 0; j--) {
      const name = rng.pick(params);
      element += rng.pick(['; ', ';', ' ; ']) + name + (rng.chance(0.5) ? '=' + rng.pick(values) : '');
    }
    elements.push(element);
  }
  return elements.join(rng.pick([', ', ',', ' ,, ']));
}

function extraHeaders(rng: Rng): string[] {
  const lines: string[] = [];
  for (let i = rng.int(0, 5); i > 0; i--) {
    const name = rng.pick(['X-Test', 'Cookie', 'Authorization', 'Origin', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions', 'Upgrade', 'Connection', 'Host', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Accept']);
    lines.push(`${name}: ${rng.pick(['chat', 'websocket', 'Upgrade, keep-alive', '13', '', ' a , , b ', 'permessage-deflate; client_max_window_bits', 'x'.repeat(rng.size(200))])}`);
  }
  if (rng.chance(0.05)) lines.push(`X-Huge: ${'h'.repeat(rng.int(10_000, 300_000))}`);
  if (rng.chance(0.05)) for (let i = rng.int(90, 300); i > 0; i--) lines.push(`X-Many-${i}: ${i}`);
  return lines;
}

function request(rng: Rng): string {
  const lines = [
    `${rng.chance(0.9) ? 'GET' : rng.pick(['POST', 'get', 'GET ', ''])} ${rng.pick(['/', '/chat?room=1', '*', '/%00', 'http://x/'])} ${rng.chance(0.9) ? 'HTTP/1.1' : rng.pick(['HTTP/1.0', 'HTTP/2', 'http/1.1'])}`,
    'Host: example.com',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${rng.chance(0.9) ? 'dGhlIHNhbXBsZSBub25jZQ==' : rng.pick(['', 'short==', 'dGhlIHNhbXBsZSBub25jZQ=', '!GhlIHNhbXBsZSBub25jZQ=='])}`,
    `Sec-WebSocket-Version: ${rng.chance(0.9) ? '13' : rng.pick(['8', '13, 8', ''])}`,
  ];
  if (rng.chance(0.5)) lines.push(`Sec-WebSocket-Protocol: ${rng.pick(['chat', 'chat, superchat', 'a b', ',', 'chat,,x'])}`);
  if (rng.chance(0.7)) lines.push(`Sec-WebSocket-Extensions: ${extensionOffer(rng)}`);
  lines.push(...extraHeaders(rng));
  return lines.join('\r\n') + '\r\n\r\n';
}

function response(rng: Rng): string {
  const lines = [
    rng.chance(0.9) ? 'HTTP/1.1 101 Switching Protocols' : rng.pick(['HTTP/1.1 200 OK', 'HTTP/1.0 101 x', 'HTTP/1.1 101', 'HTTP/1.1 abc def', 'ICY 101 ok']),
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${rng.chance(0.9) ? acceptKeyFor(client.key) : rng.pick(['', 'nope', acceptKeyFor('x')])}`,
  ];
  if (rng.chance(0.3)) lines.push(`Sec-WebSocket-Protocol: ${rng.pick(['chat', 'super.chat', 'other', 'chat, chat'])}`);
  if (rng.chance(0.6)) lines.push(`Sec-WebSocket-Extensions: ${extensionOffer(rng)}`);
  lines.push(...extraHeaders(rng));
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Line-level mutations: duplicate, drop, fold, bare LF, NUL, non-ASCII. */
function mutateLines(rng: Rng, head: string): string {
  const lines = head.split('\r\n');
  for (let r = rng.int(1, 3); r > 0; r--) {
    const i = rng.int(0, lines.length - 1);
    switch (rng.int(0, 6)) {
      case 0: lines.splice(i, 0, lines[i]); break;
      case 1: lines.splice(i, 1); break;
      case 2: lines.splice(i + 1, 0, ' folded'); break;
      case 3: lines[i] = lines[i].replace(':', rng.pick([' :', ':\0', '\n', '', '::'])); break;
      case 4: lines[i] += rng.pick(['\u00ff', '\u0080', '\t', ' ', '\r']); break;
      case 5: lines[i] = lines[i].toLowerCase(); break;
      default: lines[i] = lines[i].toUpperCase();
    }
  }
  return lines.join('\r\n');
}

function headOrNull(data: Uint8Array, limits?: HeadLimits): HttpHead | null | HandshakeError {
  try {
    return parseHttpHead(data, limits);
  } catch (error) {
    if (error instanceof HandshakeError) {
      if (error.status !== 400 && error.status !== 431) throw new Error(`parseHttpHead refused with status ${error.status}`, { cause: error });
      return error;
    }
    throw new Error(`parseHttpHead threw ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
  }
}

function checkServer(head: HttpHead): void {
  for (const options of serverOptions) {
    let result;
    try {
      result = acceptClientRequest(head, options);
    } catch (error) {
      throw new Error(`acceptClientRequest threw ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
    const answer = parseHttpHead(result.response);
    if (!answer) throw new Error('the server answer is not a complete HTTP head');
    if (result.ok) {
      if (answer.startLine[1] !== '101') throw new Error(`accepted, yet answered ${answer.startLine.join(' ')}`);
    } else {
      if (!(result.error instanceof HandshakeError) || !serverStatuses.has(result.error.status)) throw new Error(`refused with status ${result.error.status}`);
      if (answer.startLine[1] !== String(result.error.status)) throw new Error(`refusal status line ${answer.startLine.join(' ')} for status ${result.error.status}`);
    }
  }
}

function checkClient(head: HttpHead): void {
  for (const handshake of [client, clientNoDeflate]) {
    try {
      validateServerResponse(head, handshake);
    } catch (error) {
      if (error instanceof HandshakeError) continue;
      throw new Error(`validateServerResponse threw ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
  }
}

export const handshakeTarget: FuzzTarget = {
  name: 'handshake',
  generate(rng) {
    const kind = rng.int(0, 9);
    if (kind === 0) return rng.bytes(rng.size(20000));
    const text = rng.chance(0.5) ? request(rng) : response(rng);
    const head = Buffer.from(kind <= 2 ? text : kind <= 5 ? mutateLines(rng, text) : text, 'latin1');
    const bytes = kind >= 5 ? mutate(rng, head, rng.int(1, 4), 1 << 21) : Uint8Array.from(head);
    // Sometimes WebSocket bytes follow the head, as they may in one TCP segment.
    return rng.chance(0.2) ? Buffer.concat([bytes, rng.bytes(rng.int(1, 20))]) : bytes;
  },
  check(input) {
    const rng = new Rng(hashBytes(input));
    for (const limits of [undefined, bigLimits]) {
      const full = headOrNull(input, limits);
      // What a transport sees as the bytes trickle in: every prefix is "more", the same head, or refused.
      for (let i = 0; i < 3 && input.length > 1; i++) {
        const partial = headOrNull(input.subarray(0, rng.int(1, input.length - 1)), limits);
        if (partial instanceof HandshakeError) {
          if (!(full instanceof HandshakeError) || full.code !== partial.code) throw new Error(`a prefix was refused (${partial.code}) but the whole was not`);
        } else if (partial && !isDeepStrictEqual(partial, full)) throw new Error('a prefix parsed to another head than the whole');
      }
      if (full === null) {
        if (input.length >= (limits ?? { maxHeadBytes: 16384 }).maxHeadBytes) throw new Error('an over-long head was not refused');
        continue;
      }
      if (full instanceof HandshakeError) continue;
      if (full.length > input.length) throw new Error(`head length ${full.length} beyond the input`);
      checkServer(full);
      checkClient(full);
    }
  },
};
