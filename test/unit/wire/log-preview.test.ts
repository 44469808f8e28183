import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hexPreview, payloadPreview } from '../../../src/wire/log-preview';
import { wrapText } from '../../../src/wire/text-wrap';

const text = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

describe('hexPreview (Autobahn binLogData)', () => {
  test('up to 60 octets in full', () => {
    assert.equal(hexPreview(new Uint8Array(60).fill(0xab)), 'ab'.repeat(60));
    assert.equal(hexPreview(new Uint8Array(0)), '');
  });

  test('61 octets and more: the first 64 and " ..."', () => {
    assert.equal(hexPreview(new Uint8Array(61).fill(1)), '01'.repeat(61) + ' ...');
    assert.equal(hexPreview(new Uint8Array(1000).fill(2)), '02'.repeat(64) + ' ...');
  });
});

describe('payloadPreview (Autobahn asciiLogData)', () => {
  test('UTF-8 text as text', () => {
    assert.deepEqual(payloadPreview(text('pongme 1!')), { kind: 'text', value: 'pongme 1!' });
    assert.deepEqual(payloadPreview(text('κόσμε')), { kind: 'text', value: 'κόσμε' });
    assert.deepEqual(payloadPreview(new Uint8Array(0)), { kind: 'text', value: '' });
  });

  test('a close payload that is not UTF-8 as 0x + hex, as the seed shows 1000', () => {
    assert.deepEqual(payloadPreview(hex('03e8')), { kind: 'hex', value: '0x03e8' });
  });

  test('longer than 60 octets: the first 64 and " ..." (so 61-64 octets show whole, plus " ...")', () => {
    assert.equal(payloadPreview(text('a'.repeat(61))).value, 'a'.repeat(61) + ' ...');
    assert.equal(payloadPreview(text('*'.repeat(125))).value, '*'.repeat(64) + ' ...');
  });

  test('a cut through a multi-octet character falls back to hex, as Python\'s strict decode does', () => {
    const payload = text('a'.repeat(63) + 'é');
    assert.equal(payloadPreview(payload).value, '0x' + Buffer.from(payload.subarray(0, 64)).toString('hex') + ' ...');
  });

  test('invalid UTF-8 and encoded surrogates (6.x cases) as hex', () => {
    assert.equal(payloadPreview(hex('cebae1bdb9cf83cebcceb5eda080656469746564')).kind, 'hex');
    assert.equal(payloadPreview(hex('eda080')).value, '0xeda080');
    assert.equal(payloadPreview(hex('c0af')).value, '0xc0af');
  });

  test('a BOM stays in the text', () => {
    assert.equal(payloadPreview(hex('efbbbf41')).value, '\ufeffA');
  });
});

describe('wrapText (Python textwrap.wrap)', () => {
  test('hex with " ...": 100 characters, then the rest', () => {
    const value = '0'.repeat(128) + ' ...';
    assert.deepEqual(wrapText(value, 100), ['0'.repeat(100), '0'.repeat(28) + ' ...']);
  });

  test('a long word filling lines exactly', () => {
    assert.deepEqual(wrapText('a'.repeat(100) + 'b'.repeat(150), 100), ['a'.repeat(100), 'b'.repeat(100), 'b'.repeat(50)]);
    assert.deepEqual(wrapText('x'.repeat(100) + ' y', 100), ['x'.repeat(100), 'y']);
  });

  test('a full line before a long word starts a new line', () => {
    assert.deepEqual(wrapText('x'.repeat(100) + ' ' + 'y'.repeat(120), 100), ['x'.repeat(100), 'y'.repeat(100), 'y'.repeat(20)]);
  });

  test('words are not broken when they fit on the next line', () => {
    assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  });

  test('whitespace: newlines become spaces, tabs expand to 8 columns, trailing space goes', () => {
    assert.deepEqual(wrapText('x\ny', 100), ['x y']);
    assert.deepEqual(wrapText('a\tb', 100), ['a       b']);
    assert.deepEqual(wrapText('ab   ', 100), ['ab']);
  });

  test('leading whitespace stays on the first line only', () => {
    assert.deepEqual(wrapText('  a', 100), ['  a']);
    assert.deepEqual(wrapText('aaa    bbb', 3), ['aaa', 'bbb']);
  });

  test('nothing to show: no lines', () => {
    assert.deepEqual(wrapText('', 100), []);
    assert.deepEqual(wrapText('   ', 100), []);
  });

  test('lengths count code points', () => {
    assert.deepEqual(wrapText('😀'.repeat(3), 2), ['😀😀', '😀']);
  });
});
