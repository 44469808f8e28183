// The fuzzers, bounded: each target for a few seconds from a fresh seed (printed; set
// WSW_FUZZ_SEED to reproduce, WSW_FUZZ_SECONDS to run longer), and every input in
// test/fuzz/corpus/ replayed as a regression test. `npm run fuzz -- --seconds N` runs them longer.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { corpusOf, defaultCorpusDir, formatReport, runFuzzer } from '../fuzz/harness';
import { fuzzTargets } from '../fuzz/targets';

const seconds = Number(process.env.WSW_FUZZ_SECONDS ?? 2.5);
const seed = process.env.WSW_FUZZ_SEED !== undefined ? Number(process.env.WSW_FUZZ_SEED) >>> 0 : randomInt(2 ** 31);

describe('corpus: every input that ever broke an invariant still passes', () => {
  for (const target of fuzzTargets) {
    test(target.name, () => {
      for (const [file, input] of corpusOf(target.name)) {
        assert.doesNotThrow(() => target.check(input), `test/fuzz/corpus/${file}`);
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
  test('totals', () => {
    console.log(`fuzz total: ${totals.inputs} inputs in ${(totals.ms / 1000).toFixed(1)} s, seed ${seed}`);
  });
});
