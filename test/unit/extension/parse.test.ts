import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeCodeProblem, evenFragments, parseBase64, parseHeaders, parseHex, parseSizes, validateWebSocketUrl } from '../../../src/extension/parse';

describe('command input parsing', () => {
  test('validateWebSocketUrl', () => {
    assert.equal(validateWebSocketUrl('ws://127.0.0.1:9001/'), null);
    assert.equal(validateWebSocketUrl(' wss://example.com/chat?x=1 '), null);
    assert.match(validateWebSocketUrl('http://example.com/')!, /ws:\/\/ or wss:\/\//);
    assert.match(validateWebSocketUrl('ws://example.com/#top')!, /fragment/);
    assert.match(validateWebSocketUrl('example.com')!, /Not a URL/);
  });

  test('parseHex accepts the usual spellings and refuses the rest', () => {
    for (const s of ['de ad be ef', 'deadbeef', '0xDEADBEEF', 'de:ad:be:ef']) assert.deepEqual([...parseHex(s)], [0xde, 0xad, 0xbe, 0xef]);
    assert.deepEqual([...parseHex('')], []);
    assert.throws(() => parseHex('abc'), /not hex/);
    assert.throws(() => parseHex('zz'), /not hex/);
  });

  test('parseBase64', () => {
    assert.deepEqual([...parseBase64('AAEC')], [0, 1, 2]);
    assert.throws(() => parseBase64('not base64!'), /Not base64/);
    assert.deepEqual([...parseBase64('AAE=')], [0, 1]);
    assert.deepEqual([...parseBase64('__8')], [255, 255]);
    // Silently cut or mixed input is refused, not sent short.
    assert.throws(() => parseBase64('a'), /cannot end a group/);
    assert.throws(() => parseBase64('abcde'), /cannot end a group/);
    assert.throws(() => parseBase64('ab+_'), /mixes/);
    assert.throws(() => parseBase64('AA=A'), /Not base64/);
    assert.throws(() => parseBase64('AAE=='), /padding/);
  });

  test('closeCodeProblem: only codes that may be sent (RFC 6455 §7.4)', () => {
    for (const ok of ['1000', '1003', '1007', '1014', '3000', '4999']) assert.equal(closeCodeProblem(ok), null, ok);
    for (const bad of ['0', '999', '1004', '1005', '1006', '1015', '2999', '5000', '65535']) assert.match(closeCodeProblem(bad) ?? '', /may not be sent/, bad);
    assert.match(closeCodeProblem('abc') ?? '', /A number/);
  });

  test('parseHeaders: "Name: value; Other: value", names must be tokens', () => {
    assert.deepEqual(parseHeaders('Authorization: Bearer a:b; X-Id: 7'), [{ name: 'Authorization', value: 'Bearer a:b' }, { name: 'X-Id', value: '7' }]);
    assert.deepEqual(parseHeaders(''), []);
    assert.throws(() => parseHeaders('novalue'), /Name: value/);
    assert.throws(() => parseHeaders('Bad Name: v'), /token/);
  });

  test('parseSizes and evenFragments', () => {
    assert.deepEqual(parseSizes('4, 4 8'), [4, 4, 8]);
    assert.throws(() => parseSizes('4, -1'), /sizes/);
    assert.deepEqual(evenFragments(11, 3), [4, 4, 3]);
    assert.deepEqual(evenFragments(2, 5), [1, 1]);
    assert.deepEqual(evenFragments(0, 3), [0]);
  });
});
