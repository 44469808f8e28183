import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeClosePayload, parseClosePayload, truncateUtf8 } from '../../src/engine/close';
import { CloseCode, closeCodeNames, isValidWireCloseCode } from '../../src/engine/constants';
import { ProtocolError, UsageError } from '../../src/engine/errors';
import { hex, toHex, utf8 } from './helpers';

const validCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const invalidCodes = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

const codeBytes = (code: number): string => code.toString(16).padStart(4, '0');

describe('RFC 6455 §7.4 status codes', () => {
  test('the wire table: 1000-1003, 1007-1014, 3000-4999 valid; the rest not', () => {
    for (const code of validCodes) assert.equal(isValidWireCloseCode(code), true, String(code));
    for (const code of invalidCodes) assert.equal(isValidWireCloseCode(code), false, String(code));
    let valid = 0;
    for (let code = 0; code <= 0xffff; code++) if (isValidWireCloseCode(code)) valid++;
    assert.equal(valid, 4 + 8 + 2000);
  });

  test('registered names', () => {
    assert.equal(closeCodeNames[1000], 'NormalClosure');
    assert.equal(closeCodeNames[1005], 'NoStatusReceived');
    assert.equal(closeCodeNames[1015], 'TlsHandshake');
    assert.equal(CloseCode.MessageTooBig, 1009);
  });
});

describe('RFC 6455 §5.5.1 received close payloads', () => {
  test('the codes a peer may send can be narrowed (the conformance runner takes Autobahn 0.10.9\'s, without 1012-1014)', () => {
    const before1012 = (code: number) => isValidWireCloseCode(code) && (code < 1012 || code > 1014);
    assert.deepEqual(parseClosePayload(hex('03f4'), isValidWireCloseCode), { code: 1012, reason: '' });
    assert.throws(() => parseClosePayload(hex('03f4'), before1012), (e: unknown) => e instanceof ProtocolError && e.code === 'WSW_ERR_INVALID_CLOSE_CODE' && e.closeCode === 1002);
    assert.deepEqual(parseClosePayload(hex('03e8'), before1012), { code: 1000, reason: '' });
  });

  test('empty payload: no code (reported as 1005 by the connection)', () => {
    assert.deepEqual(parseClosePayload(new Uint8Array(0)), { code: null, reason: '' });
  });

  test('code only, and code with a UTF-8 reason', () => {
    assert.deepEqual(parseClosePayload(hex('03e8')), { code: 1000, reason: '' });
    assert.deepEqual(parseClosePayload(hex('0fa0 4f4b 20e282ac')), { code: 4000, reason: 'OK €' });
  });

  test('a reason that begins with U+FEFF keeps it (the default TextDecoder drops a leading BOM)', () => {
    assert.deepEqual(parseClosePayload(hex('03e8efbbbf')), { code: 1000, reason: '\ufeff' });
    assert.deepEqual(parseClosePayload(hex('03e8efbbbf41')), { code: 1000, reason: '\ufeffA' });
  });

  test('a 1-byte payload → 1002 WSW_ERR_INVALID_CLOSE_PAYLOAD', () => {
    assert.throws(() => parseClosePayload(hex('03')), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1002 && e.code === 'WSW_ERR_INVALID_CLOSE_PAYLOAD');
  });

  for (const code of invalidCodes) {
    test(`code ${code} on the wire → 1002 WSW_ERR_INVALID_CLOSE_CODE`, () => {
      assert.throws(() => parseClosePayload(hex(codeBytes(code))), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1002 && e.code === 'WSW_ERR_INVALID_CLOSE_CODE');
    });
  }

  for (const code of validCodes) {
    test(`code ${code} on the wire is accepted`, () => {
      assert.deepEqual(parseClosePayload(hex(codeBytes(code) + '6869')), { code, reason: 'hi' });
    });
  }

  for (const [name, reason] of [['overlong', 'c080'], ['surrogate', 'eda080'], ['truncated', 'e282'], ['above U+10FFFF', 'f4908080'], ['lone continuation', '80']]) {
    test(`reason with invalid UTF-8 (${name}) → 1007 WSW_ERR_INVALID_UTF8`, () => {
      assert.throws(() => parseClosePayload(hex('03e8' + reason)), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1007 && e.code === 'WSW_ERR_INVALID_UTF8');
    });
  }

  test('an invalid code is reported before an invalid reason', () => {
    assert.throws(() => parseClosePayload(hex('03edff')), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1002);
  });
});

describe('Close payloads to send', () => {
  test('code and reason, big-endian code first', () => {
    assert.equal(toHex(encodeClosePayload(1000)), '03e8');
    assert.equal(toHex(encodeClosePayload(4999, 'bye')), '1387627965');
    assert.equal(toHex(encodeClosePayload(null)), '');
  });

  test('codes that may not be sent are a UsageError', () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      assert.throws(() => encodeClosePayload(code), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_CODE', String(code));
    }
  });

  test('a reason without a code, and a reason over 123 bytes, are UsageErrors', () => {
    assert.throws(() => encodeClosePayload(null, 'why'), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_REASON_WITHOUT_CODE');
    assert.equal(encodeClosePayload(1000, 'x'.repeat(123)).length, 125);
    assert.throws(() => encodeClosePayload(1000, 'x'.repeat(124)), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_REASON_LENGTH');
    assert.throws(() => encodeClosePayload(1000, '€'.repeat(42)), UsageError); // 126 bytes
  });

  test('truncateUtf8 never splits a character', () => {
    assert.equal(truncateUtf8('hello', 10), 'hello');
    assert.equal(truncateUtf8('hello', 3), 'hel');
    assert.equal(truncateUtf8('a€b', 3), 'a');
    assert.equal(truncateUtf8('a€b', 4), 'a€');
    assert.equal(truncateUtf8('𝄞𝄞', 7), '𝄞');
    for (let max = 0; max < 20; max++) {
      const out = truncateUtf8('aé€𝄞é€𝄞', max);
      assert.ok(utf8(out).length <= max);
      assert.ok('aé€𝄞é€𝄞'.startsWith(out));
    }
  });
});
