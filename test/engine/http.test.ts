import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultHeadLimits, formatHead, hasHeaderToken, headerValues, parseHttpHead, singleHeader } from '../../src/engine/http';
import { HandshakeError } from '../../src/engine/errors';
import { join, utf8 } from './helpers';

const latin1 = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

const rfcRequest =
  'GET /chat HTTP/1.1\r\n' +
  'Host: server.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Origin: http://example.com\r\n' +
  'Sec-WebSocket-Protocol: chat, superchat\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  '\r\n';

const hsError = (code: string, status?: number) => (e: unknown) => e instanceof HandshakeError && e.code === code && (status === undefined || e.status === status);

describe('RFC 7230 §3 message head', () => {
  test('the RFC 6455 §1.2 request, with WebSocket data after it', () => {
    const data = join([latin1(rfcRequest), Uint8Array.of(0x81, 0x00)]);
    const head = parseHttpHead(data);
    assert.ok(head);
    assert.deepEqual(head.startLine, ['GET', '/chat', 'HTTP/1.1']);
    assert.equal(head.length, rfcRequest.length);
    assert.deepEqual(head.headers, [
      ['Host', 'server.example.com'],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Origin', 'http://example.com'],
      ['Sec-WebSocket-Protocol', 'chat, superchat'],
      ['Sec-WebSocket-Version', '13'],
    ]);
  });

  test('every proper prefix is incomplete (null), the whole head parses', () => {
    const data = latin1(rfcRequest);
    for (let end = 0; end < data.length; end++) assert.equal(parseHttpHead(data.subarray(0, end)), null, `prefix of ${end} bytes`);
    assert.ok(parseHttpHead(data));
  });

  test('a response start line keeps the reason phrase with its spaces; values are trimmed; bytes are Latin-1', () => {
    const head = parseHttpHead(latin1('HTTP/1.1 403 Not Allowed Here\r\nX:  a b \t\r\nY:\r\nZ: caf\u00e9\r\n\r\n'));
    assert.deepEqual(head?.startLine, ['HTTP/1.1', '403', 'Not Allowed Here']);
    assert.deepEqual(head?.headers, [['X', 'a b'], ['Y', ''], ['Z', 'caf\u00e9']]);
  });

  test('limits: a head of exactly maxHeadBytes parses; without an end at the limit → 431', () => {
    const limits = { maxHeadBytes: 100, maxHeaders: 10 };
    const base = 'GET / HTTP/1.1\r\nX: ';
    const exact = base + 'a'.repeat(100 - base.length - 4) + '\r\n\r\n';
    assert.equal(exact.length, 100);
    assert.equal(parseHttpHead(latin1(exact), limits)?.length, 100);
    const over = base + 'a'.repeat(100 - base.length - 3) + '\r\n\r\n';
    assert.throws(() => parseHttpHead(latin1(over), limits), hsError('WSW_HS_HEAD_TOO_LARGE', 431));
    assert.equal(parseHttpHead(latin1('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(60)), limits), null);
    assert.throws(() => parseHttpHead(latin1('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(81)), limits), hsError('WSW_HS_HEAD_TOO_LARGE', 431));
    assert.equal(defaultHeadLimits.maxHeadBytes, 16 * 1024);
  });

  test('a TLS handshake record (0x16) is refused at its first octet, not waited on', () => {
    const clientHello = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03);
    for (const bytes of [clientHello.subarray(0, 1), clientHello]) {
      assert.throws(() => parseHttpHead(bytes), (e: unknown) => e instanceof HandshakeError && e.code === 'WSW_HS_MALFORMED' && /does not speak TLS/.test(e.message));
    }
  });

  test('limits: maxHeaders header fields parse, one more → 431', () => {
    const limits = { maxHeadBytes: 10_000, maxHeaders: 3 };
    assert.equal(parseHttpHead(latin1('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n'), limits)?.headers.length, 3);
    assert.throws(() => parseHttpHead(latin1('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n'), limits), hsError('WSW_HS_TOO_MANY_HEADERS', 431));
  });

  for (const [name, head] of [
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost\r\n\r\n'],
    ['an empty header name', 'GET / HTTP/1.1\r\n: x\r\n\r\n'],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: x\r\n  folded\r\n\r\n'],
    ['a start line with one space', 'GET /\r\nHost: x\r\n\r\n'],
    ['a start line without spaces', 'GET\r\n\r\n'],
    ['an empty start line', '\r\n\r\n'],
    ['a start line starting with a space', ' GET / HTTP/1.1\r\n\r\n'],
  ]) {
    test(`malformed: ${name} → 400 WSW_HS_MALFORMED`, () => {
      assert.throws(() => parseHttpHead(latin1(head)), hsError('WSW_HS_MALFORMED', 400));
    });
  }
});

describe('Header helpers', () => {
  const headers: [string, string][] = [
    ['Connection', 'keep-alive, Upgrade'],
    ['connection', ' ,TE ,, '],
    ['X-One', 'a'],
    ['x-two', 'b'],
    ['X-TWO', 'c'],
  ];
  test('headerValues and hasHeaderToken match names case-insensitively, tokens in any case, on any line', () => {
    assert.deepEqual(headerValues(headers, 'CONNECTION'), ['keep-alive, Upgrade', ' ,TE ,, ']);
    for (const token of ['keep-alive', 'upgrade', 'te']) assert.equal(hasHeaderToken(headers, 'connection', token), true, token);
    // Parts of tokens, empty ones and other headers' tokens are not tokens of this one.
    for (const token of ['keep', 'upgrad', 'alive, upgrade', '', 'a', 'c']) assert.equal(hasHeaderToken(headers, 'connection', token), false, token);
    assert.equal(hasHeaderToken(headers, 'missing', 'upgrade'), false);
  });

  test('singleHeader: one value, none, or a duplicate error', () => {
    assert.equal(singleHeader(headers, 'x-one'), 'a');
    assert.equal(singleHeader(headers, 'x-three'), undefined);
    assert.throws(() => singleHeader(headers, 'X-Two'), hsError('WSW_HS_DUPLICATE_HEADER'));
  });

  test('formatHead writes CRLF lines and a blank line; line breaks in names or values are refused', () => {
    assert.equal(Buffer.from(formatHead('HTTP/1.1 101 Switching Protocols', [['A', 'b'], ['C', '']])).toString('latin1'), 'HTTP/1.1 101 Switching Protocols\r\nA: b\r\nC: \r\n\r\n');
    assert.throws(() => formatHead('GET / HTTP/1.1', [['X', 'a\r\nInjected: yes']]), RangeError);
    assert.throws(() => formatHead('GET / HTTP/1.1', [['X\n', 'a']]), RangeError);
  });
});

describe('Pathological heads are parsed in linear time', () => {
  // With a 2 MB limit: a quadratic scan over these would take many seconds, so a regression shows.
  const big = { maxHeadBytes: 2_000_000, maxHeaders: 50_000 };
  const n = 500_000;

  test('a 500 KB value of spaces, and a 500 KB list of commas', () => {
    const head = parseHttpHead(latin1(`GET / HTTP/1.1\r\nX: ${' '.repeat(n)}y${' '.repeat(n)}\r\nConnection: ${','.repeat(n)}Upgrade\r\n\r\n`), big);
    assert.ok(head);
    assert.equal(singleHeader(head.headers, 'x'), 'y');
    assert.equal(hasHeaderToken(head.headers, 'connection', 'upgrade'), true);
    assert.equal(hasHeaderToken(head.headers, 'connection', 'close'), false);
  });

  test('a 1.5 MB head without its blank line is incomplete, and over the default limit it is refused', () => {
    const partial = latin1('GET / HTTP/1.1\r\n' + 'X: y\r\n'.repeat(250_000));
    assert.equal(parseHttpHead(partial, big), null);
    assert.throws(() => parseHttpHead(partial), hsError('WSW_HS_HEAD_TOO_LARGE', 431));
    assert.throws(() => parseHttpHead(latin1('\r'.repeat(n) + '\n'.repeat(n))), hsError('WSW_HS_HEAD_TOO_LARGE'));
  });

  test('40,000 header lines under a raised limit; one too many over it', () => {
    const lines = 'A: b\r\n'.repeat(40_000);
    assert.equal(parseHttpHead(latin1(`GET / HTTP/1.1\r\n${lines}\r\n`), big)?.headers.length, 40_000);
    assert.throws(() => parseHttpHead(latin1(`GET / HTTP/1.1\r\n${lines}\r\n`), { ...big, maxHeaders: 39_999 }), hsError('WSW_HS_TOO_MANY_HEADERS'));
  });

  test('bytes that are not ASCII do not break the scan', () => {
    const head = parseHttpHead(join([latin1('GET / HTTP/1.1\r\nX: '), new Uint8Array(n).fill(0xff), utf8('\r\n\r\n')]), big);
    assert.equal(head?.headers[0][1].length, n);
  });
});
