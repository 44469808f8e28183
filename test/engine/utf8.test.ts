import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { Utf8Validator, isValidUtf8 } from '../../src/engine/utf8';
import { hex, prng, randomBytes, splitAt, utf8 } from './helpers';

/** Feeds the pieces; returns the index of the piece that was refused, or -1 and the finish() result. */
function validate(pieces: Uint8Array[]): { failedAt: number; finished: boolean | null } {
  const validator = new Utf8Validator();
  for (let i = 0; i < pieces.length; i++) if (!validator.feed(pieces[i])) return { failedAt: i, finished: null };
  return { failedAt: -1, finished: validator.finish() };
}

const bytewise = (data: Uint8Array): Uint8Array[] => Array.from(data, (b) => Uint8Array.of(b));

/**
 * Oracle for fail-fast: can `prefix` still become valid UTF-8? It can when it, or it followed by
 * one of a few completions, is valid by Buffer.isUtf8. The second byte of a sequence needs one of
 * 80, 90, A0 or BF depending on its lead (E0 → A0-BF, ED → 80-9F, F0 → 90-BF, F4 → 80-8F); the
 * later ones take any 80-BF.
 */
function viable(prefix: Uint8Array): boolean {
  if (isUtf8(prefix)) return true;
  for (const x of [0x80, 0x90, 0xa0, 0xbf]) {
    for (const tail of [[x], [x, 0x80], [x, 0x80, 0x80]]) {
      if (isUtf8(Uint8Array.from([...prefix, ...tail]))) return true;
    }
  }
  return false;
}

/** Index of the first byte after which `data` can no longer be valid, or -1. */
function firstBadByte(data: Uint8Array): number {
  for (let i = 0; i < data.length; i++) if (!viable(data.subarray(0, i + 1))) return i;
  return -1;
}

const validSamples: [string, string][] = [
  ['ASCII', 'Hello, world'],
  ['2-byte', 'ÿ é ß Ω'],
  ['3-byte', '€ 中文 ﷽ \uffff'],
  ['4-byte', '𝄞 😀 \u{10ffff}'],
  ['boundaries', '\u0000\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}'],
  ['Autobahn 6.2.1 text', 'κόσμε'],
];

describe('RFC 3629 valid text', () => {
  for (const [name, text] of validSamples) {
    const bytes = utf8(text);
    test(`${name}: valid whole, byte by byte, and at every split point`, () => {
      assert.deepEqual(validate([bytes]), { failedAt: -1, finished: true });
      assert.deepEqual(validate(bytewise(bytes)), { failedAt: -1, finished: true });
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(validate(splitAt(bytes, [cut])), { failedAt: -1, finished: true }, `split at ${cut}`);
        for (let cut2 = cut; cut2 <= bytes.length; cut2++) {
          assert.deepEqual(validate(splitAt(bytes, [cut, cut2])), { failedAt: -1, finished: true }, `split at ${cut}, ${cut2}`);
        }
      }
    });
  }

  test('every code point of each length, alone and split at every point', () => {
    for (const cp of [0x24, 0x7f, 0x80, 0xa2, 0x7ff, 0x800, 0x20ac, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10348, 0xfffff, 0x10ffff]) {
      const bytes = utf8(String.fromCodePoint(cp));
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.deepEqual(validate(splitAt(bytes, [cut])), { failedAt: -1, finished: true }, `U+${cp.toString(16)} split at ${cut}`);
      }
    }
  });

  test('an empty stream and empty pieces are valid', () => {
    assert.deepEqual(validate([]), { failedAt: -1, finished: true });
    assert.deepEqual(validate([new Uint8Array(0), hex('e282'), new Uint8Array(0), hex('ac')]), { failedAt: -1, finished: true });
  });
});

describe('RFC 3629 invalid sequences fail at their first impossible byte', () => {
  // [name, bytes, index of the first byte that makes the input impossible]
  const cases: [string, string, number][] = [
    ['overlong 2-byte NUL C0 80', 'c080', 0],
    ['overlong C1 BF', 'c1bf', 0],
    ['overlong 3-byte E0 80 80', 'e08080', 1],
    ['overlong 3-byte E0 9F BF', 'e09fbf', 1],
    ['overlong 4-byte F0 80 80 80', 'f0808080', 1],
    ['overlong 4-byte F0 8F BF BF', 'f08fbfbf', 1],
    ['high surrogate ED A0 80', 'eda080', 1],
    ['low surrogate ED BF BF', 'edbfbf', 1],
    ['surrogate pair ED A0 80 ED B0 80', 'eda080edb080', 1],
    ['above U+10FFFF: F4 90 80 80', 'f4908080', 1],
    ['F5', 'f5808080', 0],
    ['F7 BF BF BF', 'f7bfbfbf', 0],
    ['F8 (5-byte form)', 'f888808080', 0],
    ['FC (6-byte form)', 'fc8480808080', 0],
    ['FE', 'fe', 0],
    ['FF', 'ff', 0],
    ['lone continuation 80', '80', 0],
    ['lone continuation BF after ASCII', '41bf', 1],
    ['lead then ASCII', 'c241', 1],
    ['3-byte lead cut by a new lead', 'e282e2', 2],
    ['4-byte lead cut by ASCII', 'f09f9820', 3],
    ['valid then a bad byte in the middle (Autobahn 6.4.1)', 'cebae1bdb9cf83cebcceb5f4908080656469746564', 12],
    ['Autobahn 6.4.3', 'cebae1bdb9cf83cebcceb5f4908080', 12],
    ['Autobahn 6.4.4', 'cebae1bdb9cf83cebcceb5eda080', 12],
  ];
  for (const [name, bytesHex, bad] of cases) {
    test(`${name}: refused at byte ${bad}, whole and byte by byte`, () => {
      const bytes = hex(bytesHex);
      assert.equal(isUtf8(bytes), false, 'fixture must be invalid');
      assert.equal(firstBadByte(bytes), bad, 'oracle agrees on the position');
      assert.equal(validate([bytes]).failedAt, 0);
      assert.equal(validate(bytewise(bytes)).failedAt, bad);
      // Split right after the bad byte: the first piece already fails.
      assert.equal(validate(splitAt(bytes, [bad + 1])).failedAt, 0);
      // Split right before it: the first piece is still fine, the second fails.
      if (bad > 0) assert.equal(validate(splitAt(bytes, [bad])).failedAt, 1);
      assert.equal(isValidUtf8(bytes), false);
    });
  }

  test('truncation: every proper prefix of a multi-byte character passes feed() but fails finish()', () => {
    for (const text of ['é', '€', '𝄞', 'a€', 'ab𝄞']) {
      const bytes = utf8(text);
      const lastStart = bytes.length - utf8([...text].pop()!).length;
      for (let end = lastStart + 1; end < bytes.length; end++) {
        assert.deepEqual(validate(bytewise(bytes.subarray(0, end))), { failedAt: -1, finished: false }, `${text} cut at ${end}`);
        assert.deepEqual(validate([bytes.subarray(0, end)]), { failedAt: -1, finished: false }, `${text} cut at ${end}, whole`);
      }
    }
  });

  test('finish() resets: the next message starts clean', () => {
    const validator = new Utf8Validator();
    assert.equal(validator.feed(hex('e282')), true);
    assert.equal(validator.atBoundary, false);
    assert.equal(validator.finish(), false);
    assert.equal(validator.atBoundary, true);
    assert.equal(validator.feed(hex('41')), true);
    assert.equal(validator.finish(), true);
  });
});

describe('Differential against Buffer.isUtf8 and TextDecoder({ fatal: true })', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const decodes = (bytes: Uint8Array): boolean => {
    try {
      fatal.decode(bytes);
      return true;
    } catch {
      return false;
    }
  };
  // Mostly-valid text with some damage, so both outcomes are frequent.
  const pieces = ['a', 'é', '€', '𝄞', '\u{10ffff}', '\ud7ff', '\ue000'].map(utf8);
  const damage = [0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x90, 0xa0];

  test('5,000 random inputs in random chunkings: same verdict, failure in the piece holding the first bad byte', () => {
    const random = prng(2024);
    let invalid = 0;
    for (let round = 0; round < 5000; round++) {
      const parts: number[] = [];
      const count = Math.floor(random() * 12);
      for (let i = 0; i < count; i++) {
        const r = random();
        if (r < 0.15) parts.push(damage[Math.floor(random() * damage.length)]);
        else if (r < 0.2) parts.push(...randomBytes(random, 1 + Math.floor(random() * 3)));
        else parts.push(...pieces[Math.floor(random() * pieces.length)]);
      }
      const data = Uint8Array.from(parts);
      const expected = isUtf8(data);
      assert.equal(decodes(data), expected);
      const cuts: number[] = [];
      for (let p = 0; p < data.length; p++) if (random() < 0.3) cuts.push(p);
      const chunks = splitAt(data, cuts);
      const result = validate(chunks);
      const ok = result.failedAt === -1 && result.finished === true;
      assert.equal(ok, expected, `input ${Buffer.from(data).toString('hex')}`);
      const bad = firstBadByte(data);
      if (bad >= 0) {
        invalid++;
        // Which piece holds the first impossible byte?
        let piece = 0;
        for (let start = 0; start + chunks[piece].length <= bad; piece++) start += chunks[piece].length;
        assert.equal(result.failedAt, piece, `fail-fast position for ${Buffer.from(data).toString('hex')}`);
      } else if (!expected) {
        // Only a truncated tail is wrong: every feed passes and finish() refuses.
        assert.deepEqual(result, { failedAt: -1, finished: false });
      }
    }
    assert.ok(invalid > 500, `enough invalid inputs were generated (${invalid})`);
  });

  test('random bytes, byte by byte: refused exactly at the first impossible byte', () => {
    const random = prng(99);
    for (let round = 0; round < 2000; round++) {
      const data = randomBytes(random, 1 + Math.floor(random() * 8));
      const result = validate(bytewise(data));
      assert.equal(result.failedAt, firstBadByte(data), Buffer.from(data).toString('hex'));
      if (result.failedAt === -1) assert.equal(result.finished, isUtf8(data));
    }
  });
});
