// The fuzzers, bounded: each target for a few seconds from a fresh seed (printed; set
// WSW_FUZZ_SEED to reproduce, WSW_FUZZ_SECONDS to run longer), and every input in
// test/fuzz/corpus/ replayed as a regression test. `npm run fuzz -- --seconds N` runs them longer.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusExpectations, corpusOf, defaultCorpusDir, formatReport, runFuzzer } from '../fuzz/harness';
import { fuzzTargets } from '../fuzz/targets';

const seconds = Number(process.env.WSW_FUZZ_SECONDS ?? 2.5);
const seed = process.env.WSW_FUZZ_SEED !== undefined ? Number(process.env.WSW_FUZZ_SEED) >>> 0 : randomInt(2 ** 31);

describe('corpus: the seeds and every input that ever broke an invariant still pass', () => {
  for (const target of fuzzTargets) {
    test(target.name, () => {
      const corpus = corpusOf(target.name);
      // Each target has hand-made seeds (the edge cases its invariant is about): none means the
      // corpus went missing, and this test would pass having checked nothing.
      assert.ok(corpus.length > 0, `no corpus for ${target.name} in test/fuzz/corpus/`);
      for (const [file, input] of corpus) {
        assert.doesNotThrow(() => target.check(input), `test/fuzz/corpus/${file}`);
        const expected = corpusExpectations(join(defaultCorpusDir, file));
        if (Object.keys(expected).length === 0) continue;
        const outcomes = target.outcomes?.(input) ?? {};
        for (const [label, events] of Object.entries(expected)) assert.deepEqual(outcomes[label], events, `test/fuzz/corpus/${file}, ${label}`);
      }
    });
  }

  test('every corpus file belongs to a target', () => {
    const names = readdirSync(defaultCorpusDir).filter((n) => n.endsWith('.hex'));
    for (const name of names) assert.ok(fuzzTargets.some((t) => name.startsWith(`${t.name}-`)), name);
  });
});

describe(`fuzz for ${seconds} s per target, seed ${seed}`, () => {
  const totals = { inputs: 0, ms: 0 };
  for (const target of fuzzTargets) {
    test(target.name, async () => {
      const report = await runFuzzer(target, { seconds, seed, maxFailures: 3 });
      console.log(formatReport(report));
      totals.inputs += report.inputs;
      totals.ms += report.ms;
      assert.ok(report.inputs > 0, 'no input ran');
      assert.deepEqual(report.failures.map((f) => `${f.file}: ${f.error.split('\n')[0]}`), [], `seed ${seed}: inputs written to the corpus`);
      assert.ok(report.peakRssGrowth < 512 * 1024 * 1024, `RSS grew by ${report.peakRssGrowth} bytes`);
    });
  }
  after(() => console.log(`fuzz total: ${totals.inputs} inputs in ${(totals.ms / 1000).toFixed(1)} s, seed ${seed}`));
});
