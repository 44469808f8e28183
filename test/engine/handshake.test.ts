import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptClientRequest, acceptKeyFor, buildClientRequest, refusal, validateServerResponse, type ClientHandshake, type ServerHandshakeOptions } from '../../src/engine/handshake';
import { parseHttpHead, type HttpHead } from '../../src/engine/http';
import { HandshakeError } from '../../src/engine/errors';
import { utf8 } from './helpers';

const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const head = (raw: string, limits?: Parameters<typeof parseHttpHead>[1]): HttpHead => {
  const parsed = parseHttpHead(latin1(raw), limits);
  assert.ok(parsed, 'complete head');
  return parsed;
};

/** RFC 6455 §1.3: the sample nonce and its accept value. */
const sampleNonce = utf8('the sample nonce');
const sampleKey = 'dGhlIHNhbXBsZSBub25jZQ==';
const sampleAccept = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

describe('RFC 6455 §4.1 client request', () => {
  test('§1.3 key and accept', () => {
    assert.equal(Buffer.from(sampleNonce).toString('base64'), sampleKey);
    assert.equal(acceptKeyFor(sampleKey), sampleAccept);
  });

  test('the §1.2 request, byte for byte', () => {
    const hs = buildClientRequest({ host: 'server.example.com', path: '/chat', origin: 'http://example.com', subprotocols: ['chat', 'superchat'], key: sampleNonce });
    assert.equal(hs.key, sampleKey);
    assert.equal(
      text(hs.request),
      'GET /chat HTTP/1.1\r\n' +
        'Host: server.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${sampleKey}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        'Origin: http://example.com\r\n' +
        'Sec-WebSocket-Protocol: chat, superchat\r\n' +
        '\r\n',
    );
    assert.deepEqual(hs.offer, { subprotocols: ['chat', 'superchat'], deflate: null });
  });

  test('a deflate offer and extra headers; an empty path becomes /', () => {
    const hs = buildClientRequest({ host: 'h:8080', path: '', deflate: { serverNoContextTakeover: true }, headers: [['Authorization', 'Bearer x']], key: sampleNonce });
    assert.equal(
      text(hs.request),
      'GET / HTTP/1.1\r\nHost: h:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${sampleKey}\r\nSec-WebSocket-Version: 13\r\n` +
        'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits\r\n' +
        'Authorization: Bearer x\r\n\r\n',
    );
  });

  test('the default key is 16 random bytes, new every time', () => {
    const a = buildClientRequest({ host: 'h', path: '/' }).key;
    const b = buildClientRequest({ host: 'h', path: '/' }).key;
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.notEqual(a, b);
  });

  test('misuse: a key that is not 16 bytes, bad or duplicate subprotocols, CRLF in a header', () => {
    assert.throws(() => buildClientRequest({ host: 'h', path: '/', key: new Uint8Array(15) }), RangeError);
    assert.throws(() => buildClientRequest({ host: 'h', path: '/', subprotocols: ['a b'] }), RangeError);
    assert.throws(() => buildClientRequest({ host: 'h', path: '/', subprotocols: [''] }), RangeError);
    assert.throws(() => buildClientRequest({ host: 'h', path: '/', subprotocols: ['a', 'a'] }), RangeError);
    assert.throws(() => buildClientRequest({ host: 'h\r\nX: y', path: '/' }), RangeError);
  });
});

describe('RFC 6455 §4.1 client checks of the server response', () => {
  const offer = (options: Partial<Parameters<typeof buildClientRequest>[0]> = {}): ClientHandshake => buildClientRequest({ host: 'h', path: '/', key: sampleNonce, ...options });
  const response = (extra = '', { upgrade = 'websocket', connection = 'Upgrade', accept = sampleAccept } = {}) =>
    head(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${upgrade}\r\nConnection: ${connection}\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`);
  const refused = (code: string) => (e: unknown) => e instanceof HandshakeError && e.code === code && e.response !== undefined;

  test('the §1.3 response is accepted', () => {
    const result = validateServerResponse(response(), offer());
    assert.deepEqual({ protocol: result.protocol, deflate: result.deflate }, { protocol: null, deflate: null });
  });

  test('Upgrade and Connection are case-insensitive token lists', () => {
    validateServerResponse(response('', { upgrade: 'WebSocket', connection: 'keep-alive, Upgrade' }), offer());
    validateServerResponse(response('', { upgrade: 'foo, websocket', connection: 'UPGRADE' }), offer());
    validateServerResponse(head(`HTTP/1.1 101 OK\r\nupgrade: websocket\r\nconnection: keep-alive\r\nCONNECTION: upgrade\r\nsec-websocket-accept: ${sampleAccept}\r\n\r\n`), offer());
  });

  test('a non-101 answer keeps its status, reason and headers on the error', () => {
    const refusedHead = head('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-Why: origin\r\n\r\n');
    assert.throws(
      () => validateServerResponse(refusedHead, offer()),
      (e: unknown) =>
        e instanceof HandshakeError &&
        e.code === 'WSW_HS_STATUS' &&
        e.response?.status === 403 &&
        e.response.reason === 'Forbidden' &&
        JSON.stringify(e.response.headers) === JSON.stringify([['Content-Type', 'text/plain'], ['X-Why', 'origin']]),
    );
    assert.throws(() => validateServerResponse(head('HTTP/1.1 200 OK\r\n\r\n'), offer()), refused('WSW_HS_STATUS'));
    assert.throws(() => validateServerResponse(head('HTTP/2 101 Switching\r\n\r\n'), offer()), refused('WSW_HS_HTTP_VERSION'));
  });

  test('missing or wrong Upgrade / Connection', () => {
    assert.throws(() => validateServerResponse(response('', { upgrade: 'h2c' }), offer()), refused('WSW_HS_UPGRADE'));
    assert.throws(() => validateServerResponse(head(`HTTP/1.1 101 x\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${sampleAccept}\r\n\r\n`), offer()), refused('WSW_HS_UPGRADE'));
    assert.throws(() => validateServerResponse(response('', { connection: 'keep-alive' }), offer()), refused('WSW_HS_CONNECTION'));
    assert.throws(() => validateServerResponse(response('', { connection: 'upgrades' }), offer()), refused('WSW_HS_CONNECTION'));
  });

  test('a wrong, missing or duplicated Sec-WebSocket-Accept', () => {
    assert.throws(() => validateServerResponse(response('', { accept: 'S3pPLMBiTxaQ9kYGzzhZRbK+xOo=' }), offer()), refused('WSW_HS_ACCEPT'));
    assert.throws(() => validateServerResponse(head('HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), offer()), refused('WSW_HS_ACCEPT'));
    assert.throws(() => validateServerResponse(response(`Sec-WebSocket-Accept: ${sampleAccept}\r\n`), offer()), refused('WSW_HS_DUPLICATE_HEADER'));
  });

  test('subprotocols: the chosen one, none, unsolicited, several', () => {
    assert.equal(validateServerResponse(response('Sec-WebSocket-Protocol: superchat\r\n'), offer({ subprotocols: ['chat', 'superchat'] })).protocol, 'superchat');
    assert.equal(validateServerResponse(response(), offer({ subprotocols: ['chat'] })).protocol, null);
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Protocol: chat\r\n'), offer()), refused('WSW_HS_SUBPROTOCOL'));
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Protocol: other\r\n'), offer({ subprotocols: ['chat'] })), refused('WSW_HS_SUBPROTOCOL'));
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Protocol: chat, superchat\r\n'), offer({ subprotocols: ['chat', 'superchat'] })), refused('WSW_HS_SUBPROTOCOL'));
  });

  test('subprotocols match exactly: a server answering "CHAT" to "chat" is refused (as ws, browsers, python-websockets do)', () => {
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Protocol: CHAT\r\n'), offer({ subprotocols: ['chat'] })), refused('WSW_HS_SUBPROTOCOL'));
    assert.equal(validateServerResponse(response('Sec-WebSocket-Protocol: Chat\r\n'), offer({ subprotocols: ['chat', 'Chat'] })).protocol, 'Chat');
  });

  test('extensions: accepted deflate, unsolicited, unknown, twice, malformed', () => {
    const withDeflate = offer({ deflate: {} });
    assert.deepEqual(validateServerResponse(response('Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n'), withDeflate).deflate, {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 15,
    });
    assert.equal(validateServerResponse(response('Sec-WebSocket-Extensions: \r\n'), withDeflate).deflate, null);
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Extensions: permessage-deflate\r\n'), offer()), refused('WSW_HS_EXTENSION'));
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Extensions: x-foo\r\n'), withDeflate), refused('WSW_HS_EXTENSION'));
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n'), withDeflate), refused('WSW_HS_EXTENSION'));
    assert.throws(
      () => validateServerResponse(response('Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate\r\n'), withDeflate),
      refused('WSW_HS_EXTENSION'),
    );
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Extensions: permessage-deflate; foo\r\n'), withDeflate), refused('WSW_HS_EXTENSION'));
    assert.throws(() => validateServerResponse(response('Sec-WebSocket-Extensions: permessage-deflate;\r\n'), withDeflate), refused('WSW_HS_EXTENSION'));
  });
});

describe('RFC 6455 §4.2 server checks of the client request', () => {
  const request = (overrides: Record<string, string | null> = {}, startLine = 'GET /chat HTTP/1.1') => {
    const headers: Record<string, string | null> = {
      Host: 'server.example.com',
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': sampleKey,
      'Sec-WebSocket-Version': '13',
      ...overrides,
    };
    let raw = startLine + '\r\n';
    for (const [k, v] of Object.entries(headers)) if (v !== null) raw += `${k}: ${v}\r\n`;
    return head(raw + '\r\n', { maxHeadBytes: 4_000_000, maxHeaders: 100 });
  };
  const accept = (h: HttpHead, options?: ServerHandshakeOptions) => acceptClientRequest(h, options);
  const refusedWith = (h: HttpHead, code: string, status: number, options?: ServerHandshakeOptions) => {
    const result = accept(h, options);
    assert.equal(result.ok, false, `expected a refusal ${code}`);
    assert.ok(!result.ok);
    assert.equal(result.error.code, code);
    assert.equal(result.error.status, status);
    const parsed = parseHttpHead(result.response);
    assert.ok(parsed);
    assert.equal(parsed.startLine[1], String(status));
    return { result, parsed };
  };

  test('the §1.3 request gets the §1.3 response, byte for byte', () => {
    const result = accept(request({ Origin: 'http://example.com', 'Sec-WebSocket-Protocol': 'chat, superchat' }), { selectSubprotocol: (offered) => (offered.includes('chat') ? 'chat' : null) });
    assert.ok(result.ok);
    assert.equal(
      text(result.response),
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${sampleAccept}\r\nSec-WebSocket-Protocol: chat\r\n\r\n`,
    );
    assert.equal(result.path, '/chat');
    assert.equal(result.protocol, 'chat');
    assert.equal(result.deflate, null);
  });

  test('case-insensitive tokens: "Upgrade: WebSocket", "Connection: keep-alive, Upgrade"', () => {
    assert.equal(accept(request({ Upgrade: 'WebSocket', Connection: 'keep-alive, Upgrade' })).ok, true);
    assert.equal(accept(request({ Upgrade: 'WEBSOCKET', Connection: 'upgrade,keep-alive' })).ok, true);
  });

  test('method, version, Host, Upgrade, Connection', () => {
    const { parsed } = refusedWith(request({}, 'POST /chat HTTP/1.1'), 'WSW_HS_METHOD', 405);
    // RFC 7231 §6.5.5: a 405 carries Allow.
    assert.deepEqual(parsed.headers.filter(([k]) => k === 'Allow'), [['Allow', 'GET']]);
    refusedWith(request({}, 'GET /chat HTTP/1.0'), 'WSW_HS_HTTP_VERSION', 400);
    refusedWith(request({ Host: null }), 'WSW_HS_MALFORMED', 400);
    refusedWith(request({ Upgrade: null }), 'WSW_HS_UPGRADE', 400);
    refusedWith(request({ Upgrade: 'h2c' }), 'WSW_HS_UPGRADE', 400);
    refusedWith(request({ Connection: 'keep-alive' }), 'WSW_HS_CONNECTION', 400);
    refusedWith(request({ Connection: null }), 'WSW_HS_CONNECTION', 400);
  });

  test('a version other than 13 → 426 with Sec-WebSocket-Version: 13', () => {
    for (const version of ['8', '12', '14', '', null]) {
      const { parsed } = refusedWith(request({ 'Sec-WebSocket-Version': version }), 'WSW_HS_VERSION', 426);
      assert.deepEqual(parsed.startLine, ['HTTP/1.1', '426', 'Upgrade Required']);
      assert.deepEqual(parsed.headers.filter(([k]) => k === 'Sec-WebSocket-Version'), [['Sec-WebSocket-Version', '13']]);
    }
  });

  test('a key that is not 16 bytes of base64 → 400', () => {
    for (const key of [null, '', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ=', 'dGhlIHNhbXBsZSBub25j', 'dGhlIHNhbXBsZSBub25jZSE=', 'dGhlIHNhbXBsZSBub25jZQ===', 'dGhlIHNhbXBsZSBub25j*Q==', 'dGhlIHNhbXBsZSBub25jZQ==x']) {
      refusedWith(request({ 'Sec-WebSocket-Key': key }), 'WSW_HS_KEY', 400);
    }
    refusedWith(request({ 'Sec-WebSocket-Key': null, 'sec-websocket-key': `${sampleKey}, ${sampleKey}` }), 'WSW_HS_KEY', 400);
    assert.equal(accept(request({ 'Sec-WebSocket-Key': 'AAAAAAAAAAAAAAAAAAAAAA==' })).ok, true);
  });

  test('duplicate single-valued headers → 400', () => {
    const h = request();
    h.headers.push(['sec-websocket-key', sampleKey]);
    refusedWith(h, 'WSW_HS_DUPLICATE_HEADER', 400);
  });

  test('subprotocols: chosen by the callback, none, invalid tokens, across several header lines', () => {
    const pickLast = { selectSubprotocol: (offered: string[]) => offered[offered.length - 1] };
    const h = request({ 'Sec-WebSocket-Protocol': 'a, b' });
    h.headers.push(['Sec-WebSocket-Protocol', 'c']);
    const result = accept(h, pickLast);
    assert.ok(result.ok && result.protocol === 'c');
    const none = accept(request({ 'Sec-WebSocket-Protocol': 'a' }), { selectSubprotocol: () => null });
    assert.ok(none.ok && none.protocol === null && !text(none.response).includes('Sec-WebSocket-Protocol'));
    const noCallback = accept(request({ 'Sec-WebSocket-Protocol': 'a' }));
    assert.ok(noCallback.ok && noCallback.protocol === null);
    refusedWith(request({ 'Sec-WebSocket-Protocol': 'a, b c' }), 'WSW_HS_SUBPROTOCOL', 400);
    // the application's mistakes refuse the handshake with 500 instead of escaping into the server
    refusedWith(request({ 'Sec-WebSocket-Protocol': 'a' }), 'WSW_HS_SUBPROTOCOL', 500, { selectSubprotocol: () => 'z' });
    refusedWith(request({ 'Sec-WebSocket-Protocol': 'a' }), 'WSW_HS_SUBPROTOCOL', 500, {
      selectSubprotocol: () => {
        throw new Error('no database');
      },
    });
    const thrown = accept(request({ 'Sec-WebSocket-Protocol': 'a' }), { selectSubprotocol: () => { throw new Error('no database'); } });
    assert.ok(!thrown.ok && /selectSubprotocol failed: no database/.test(thrown.error.message));
  });

  test('permessage-deflate negotiated into the response', () => {
    const result = accept(request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }), { deflate: { serverNoContextTakeover: true } });
    assert.ok(result.ok);
    assert.match(text(result.response), /\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n/);
    assert.deepEqual(result.deflate, { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 });
  });

  test('deflate off, offers declined, unknown extensions ignored, a malformed header refused', () => {
    const off = accept(request({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }), { deflate: false });
    assert.ok(off.ok && off.deflate === null && !text(off.response).includes('Extensions'));
    const declined = accept(request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; server_max_window_bits=16, x-foo' }), { deflate: {} });
    assert.ok(declined.ok && declined.deflate === null);
    assert.equal(declined.declinedExtensions.length, 1);
    const unknown = accept(request({ 'Sec-WebSocket-Extensions': 'x-webkit-deflate-frame' }), { deflate: {} });
    assert.ok(unknown.ok && unknown.deflate === null);
    refusedWith(request({ 'Sec-WebSocket-Extensions': 'permessage-deflate;' }), 'WSW_HS_EXTENSION', 400, { deflate: {} });
  });

  test('extra response headers are appended', () => {
    const result = accept(request(), { headers: [['X-Server', 'wsw']] });
    assert.ok(result.ok && text(result.response).endsWith('X-Server: wsw\r\n\r\n'));
  });

  test('refusals: plain text body with the reason, Content-Length, Connection: close; 431 has its reason phrase', () => {
    const response = refusal(new HandshakeError('WSW_HS_HEAD_TOO_LARGE', 'too big', 431));
    const parsed = parseHttpHead(response);
    assert.ok(parsed);
    assert.deepEqual(parsed.startLine, ['HTTP/1.1', '431', 'Request Header Fields Too Large']);
    assert.deepEqual(parsed.headers, [['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', '8'], ['Connection', 'close']]);
    assert.equal(text(response.subarray(parsed.length)), 'too big\n');
  });

  test('pathological but bounded headers (hundreds of KB of spaces and commas) are handled quickly', () => {
    const n = 300_000;
    const result = accept(
      request({
        Connection: ', '.repeat(n) + 'Upgrade',
        Upgrade: ' '.repeat(n) + 'websocket',
        'Sec-WebSocket-Protocol': ','.repeat(n) + 'chat',
        'Sec-WebSocket-Extensions': ', '.repeat(n) + 'permessage-deflate;' + ' '.repeat(n) + 'client_max_window_bits',
      }),
      { selectSubprotocol: (p) => p[0], deflate: {} },
    );
    assert.ok(result.ok && result.protocol === 'chat' && result.deflate !== null);
    const many = accept(request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; foo, '.repeat(n / 10) + 'permessage-deflate' }), { deflate: {} });
    assert.ok(many.ok && many.deflate !== null && many.declinedExtensions.length === n / 10);
  });
});
