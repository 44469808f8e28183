import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CORPORA, loadCorpus } from '../../../src/cases/corpus/index';
import { createPrng } from '../../../src/cases/corpus/generate';

describe('12.x/13.x corpora', () => {
  test('the PRNG is mulberry32 with fixed output', () => {
    const prng = createPrng(1);
    assert.deepEqual([prng.next(), prng.next(), prng.next()], [2693262067, 11749833, 2265367787]);
  });

  // Fingerprints of the generated corpora: a change to a generator (or to the PRNG) changes
  // what 12.x/13.x send, so it must be deliberate.
  const fingerprints: Record<string, string> = {
    json_data1: '74e25fb7a7fd',
    lena512: 'ff99cd67657c',
    gutenberg_faust: '2996f2837eca',
    html_data1: 'dc49c3e31ca6',
    ooms: 'c2d7e0188fec',
  };

  for (const info of CORPORA) {
    test(`${info.name}: Autobahn's size and flag, deterministic content`, () => {
      const corpus = loadCorpus(info);
      assert.equal(corpus.octets.length, info.size);
      assert.equal(createHash('sha1').update(corpus.octets).digest('hex').slice(0, 12), fingerprints[info.name]);
      if (info.binary) {
        assert.equal(corpus.text, undefined);
      } else {
        // Text corpora are valid UTF-8 of BMP characters only, so string index = code point index.
        assert.equal(corpus.text, new TextDecoder('utf-8', { fatal: true }).decode(corpus.octets));
        assert.equal(Array.from(corpus.text ?? '').length, corpus.text?.length);
      }
    });
  }

  test('the bitmap is a 512x512 8-bit BMP', () => {
    const octets = loadCorpus(CORPORA[1]).octets;
    const view = new DataView(octets.buffer, octets.byteOffset);
    assert.equal(String.fromCharCode(octets[0], octets[1]), 'BM');
    assert.deepEqual([view.getUint32(2, true), view.getInt32(18, true), view.getInt32(22, true), view.getUint16(28, true)], [263222, 512, 512, 8]);
  });
});
