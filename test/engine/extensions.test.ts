import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatExtension, isToken, parseExtensionList } from '../../src/engine/extensions';
import { HandshakeError } from '../../src/engine/errors';

const isExtensionError = (e: unknown): boolean => e instanceof HandshakeError && e.code === 'WSW_HS_EXTENSION';

describe('RFC 6455 §9.1 Sec-WebSocket-Extensions grammar', () => {
  test('a bare extension', () => {
    assert.deepEqual(parseExtensionList('permessage-deflate'), [{ name: 'permessage-deflate', params: [] }]);
  });

  test('parameters with and without values', () => {
    assert.deepEqual(parseExtensionList('permessage-deflate; client_max_window_bits; server_max_window_bits=10'), [
      { name: 'permessage-deflate', params: [['client_max_window_bits', true], ['server_max_window_bits', '10']] },
    ]);
  });

  test('quoted-string values are unquoted, escapes included', () => {
    assert.deepEqual(parseExtensionList('permessage-deflate; client_max_window_bits="10"'), [{ name: 'permessage-deflate', params: [['client_max_window_bits', '10']] }]);
    assert.deepEqual(parseExtensionList('x; a="1\\0"'), [{ name: 'x', params: [['a', '10']] }]);
    assert.deepEqual(parseExtensionList('x; a="b", y'), [{ name: 'x', params: [['a', 'b']] }, { name: 'y', params: [] }]);
  });

  test('optional whitespace (spaces and tabs) around ; , and =', () => {
    assert.deepEqual(parseExtensionList(' \tfoo ;  a = 1 ,\tbar\t;b  ;c="d" '), [
      { name: 'foo', params: [['a', '1']] },
      { name: 'bar', params: [['b', true], ['c', 'd']] },
    ]);
  });

  test('several elements, the same extension offered twice, empty list elements', () => {
    assert.deepEqual(parseExtensionList('permessage-deflate; client_max_window_bits=10, permessage-deflate'), [
      { name: 'permessage-deflate', params: [['client_max_window_bits', '10']] },
      { name: 'permessage-deflate', params: [] },
    ]);
    assert.deepEqual(parseExtensionList(', ,a,, b ,'), [{ name: 'a', params: [] }, { name: 'b', params: [] }]);
  });

  const malformed = [
    '',
    '   ',
    ',',
    ' , , ',
    'foo;',
    'foo; ',
    'foo; =1',
    'foo;;a',
    'foo bar',
    'foo, ;a',
    ';a',
    'foo; a=',
    'foo; a= ,b',
    'foo; a=b c',
    'foo; a=1=2',
    'foo; a="1',
    'foo; a="',
    'foo; a="1 0"',
    'foo; a=""',
    'foo; a="é"',
    'foo; a="\\"',
    'f@o',
    'foo; b@r',
    'foo; a=b@',
    'fo\u00e9',
    'foo\r\nbar',
  ];
  for (const header of malformed) {
    test(`malformed: ${JSON.stringify(header)} → HandshakeError WSW_HS_EXTENSION`, () => {
      assert.throws(() => parseExtensionList(header), isExtensionError);
    });
  }

  test('formatExtension writes "name; key; key=value"', () => {
    assert.equal(formatExtension({ name: 'permessage-deflate', params: [['server_no_context_takeover', true], ['client_max_window_bits', '10']] }), 'permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
    assert.equal(formatExtension({ name: 'x', params: [] }), 'x');
  });

  test('isToken follows RFC 7230 tchar', () => {
    assert.equal(isToken("!#$%&'*+-.^_`|~09azAZ"), true);
    for (const bad of ['', ' ', 'a b', 'a,b', 'a;b', 'a=b', 'a"b', 'a(b', 'a/b', 'é', '\u0000', '\u007f']) assert.equal(isToken(bad), false, JSON.stringify(bad));
  });
});

describe('Pathological headers are scanned in linear time', () => {
  // Sizes where a quadratic scan would take many seconds: the test hangs visibly if one creeps in.
  const n = 200_000;
  test('hundreds of thousands of commas, spaces and tabs', () => {
    assert.deepEqual(parseExtensionList(','.repeat(n) + 'a'), [{ name: 'a', params: [] }]);
    assert.deepEqual(parseExtensionList(' '.repeat(n) + 'a' + ' \t'.repeat(n)), [{ name: 'a', params: [] }]);
    assert.deepEqual(parseExtensionList(', '.repeat(n) + 'a'), [{ name: 'a', params: [] }]);
    assert.throws(() => parseExtensionList(' '.repeat(n)), isExtensionError);
    assert.throws(() => parseExtensionList('a' + ' '.repeat(n) + 'b'), isExtensionError);
    assert.throws(() => parseExtensionList('a;' + ' '.repeat(n)), isExtensionError);
  });

  test('a huge token, a huge quoted string, an unterminated one, many parameters and elements', () => {
    assert.equal(parseExtensionList('x'.repeat(n))[0].name.length, n);
    assert.equal(parseExtensionList(`a; b="${'c'.repeat(n)}"`)[0].params[0][1], 'c'.repeat(n));
    assert.throws(() => parseExtensionList(`a; b="${'\\c'.repeat(n)}`), isExtensionError);
    assert.throws(() => parseExtensionList(`a; b="${'c '.repeat(n)}"`), isExtensionError);
    assert.equal(parseExtensionList('a' + '; b=1'.repeat(n / 5))[0].params.length, n / 5);
    assert.equal(parseExtensionList('permessage-deflate; client_max_window_bits, '.repeat(n / 40) + 'z').length, n / 40 + 1);
  });
});
