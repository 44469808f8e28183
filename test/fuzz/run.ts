/**
 * `npm run fuzz -- [--seconds N] [--seed S] [--target NAME]... [--iteration I]`
 *
 * Runs every fuzz target (or the named ones) for N seconds each (default 60) from seed S (default:
 * random, printed), replaying the corpus first. Any input that breaks an invariant is written to
 * test/fuzz/corpus/ and the exit status is 1. `--iteration I` re-runs one input of a seed.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Rng } from './random';
import { corpusOf, formatReport, iterationSeed, runFuzzer } from './harness';
import { fuzzTargets } from './targets';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    target: { type: 'string', multiple: true },
    iteration: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
if (!(seconds > 0 && seconds <= 7 * 24 * 3600)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : randomInt(2 ** 31);
const names = values.target ?? fuzzTargets.map((t) => t.name);
const targets = names.map((name) => {
  const target = fuzzTargets.find((t) => t.name === name);
  if (!target) throw new Error(`unknown target ${name}; targets: ${fuzzTargets.map((t) => t.name).join(', ')}`);
  return target;
});

async function main(): Promise<boolean> {
  let failed = false;
  if (values.iteration !== undefined) {
    for (const target of targets) {
      const input = target.generate(new Rng(iterationSeed(seed, Number(values.iteration))));
      console.log(`${target.name} seed ${seed} iteration ${values.iteration}: ${input.length} bytes\n${Buffer.from(input).toString('hex')}`);
      target.check(input);
      console.log('invariant holds');
    }
  } else {
    console.log(`fuzzing ${targets.map((t) => t.name).join(', ')} for ${seconds} s each, seed ${seed}`);
    let inputs = 0;
    let ms = 0;
    for (const target of targets) {
      for (const [file, input] of corpusOf(target.name)) {
        try {
          target.check(input);
        } catch (error) {
          failed = true;
          console.log(`corpus ${file} still fails: ${(error as Error).message}`);
        }
      }
      const report = await runFuzzer(target, { seconds, seed });
      console.log(formatReport(report));
      inputs += report.inputs;
      ms += report.ms;
      if (report.failures.length) failed = true;
    }
    console.log(`total: ${inputs} inputs in ${(ms / 1000).toFixed(1)} s, seed ${seed}${failed ? ' — FAILURES, see above' : ', no failures'}`);
  }
  return failed;
}

main().then(
  (failed) => process.exit(failed ? 1 : 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
