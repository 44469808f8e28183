/**
 * The fuzz driver: runs a target for a time budget from a seed, checks its invariant on every
 * input, and writes any input that breaks it to the corpus (test/fuzz/corpus/<target>-<hash>.hex)
 * so it is replayed as a regression test from then on.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from './random';

export interface FuzzTarget {
  name: string;
  /** One input, from the PRNG. Everything check() needs is in the bytes. */
  generate(rng: Rng): Uint8Array;
  /** Throws when the invariant does not hold. A pure function of the input, so replayable. */
  check(input: Uint8Array): void;
  /**
   * What the input does, by label (a role), as the events before 'closed': what a seed's
   * `# expect <label>: <event>, ...` lines are checked against.
   */
  outcomes?(input: Uint8Array): Record<string, string[]>;
}

export interface FuzzFailure {
  iteration: number;
  error: string;
  /** The corpus file the input was written to. */
  file: string;
}

export interface FuzzReport {
  target: string;
  seed: number;
  inputs: number;
  bytes: number;
  ms: number;
  slowestMs: number;
  /** Peak growth of the resident set over the run (bytes). */
  peakRssGrowth: number;
  failures: FuzzFailure[];
}

export interface FuzzRunOptions {
  seconds: number;
  seed: number;
  /** Stop after this many failures. Default 5. */
  maxFailures?: number;
  /** Hard cap on inputs, so every run is bounded even with a clock that misbehaves. */
  maxInputs?: number;
  /** An input slower than this counts as a failure (a hang or a blow-up). Default 2000 ms. */
  slowMs?: number;
  corpusDir?: string;
}

export const defaultCorpusDir = join(__dirname, 'corpus');

/** The PRNG seed of one iteration: reproduce it with `npm run fuzz -- --seed S --iteration I`. */
export function iterationSeed(seed: number, iteration: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(iteration + 1, 0xc2b2ae35)) >>> 0;
}

/**
 * Runs one target. It yields to the event loop every ~50 ms: work that Node defers to the next
 * tick (zlib frees a failed inflater's buffers there) must run, or memory would pile up in a way
 * no real connection ever sees.
 */
export async function runFuzzer(target: FuzzTarget, options: FuzzRunOptions): Promise<FuzzReport> {
  const corpusDir = options.corpusDir ?? defaultCorpusDir;
  const maxFailures = options.maxFailures ?? 5;
  const maxInputs = options.maxInputs ?? 100_000_000;
  const slowMs = options.slowMs ?? 2000;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const rssStart = process.memoryUsage.rss();
  const report: FuzzReport = { target: target.name, seed: options.seed, inputs: 0, bytes: 0, ms: 0, slowestMs: 0, peakRssGrowth: 0, failures: [] };
  let yielded = started;
  for (let iteration = 0; iteration < maxInputs && report.failures.length < maxFailures; iteration++) {
    const now = performance.now();
    if (now >= deadline) break;
    if (now - yielded > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      yielded = performance.now();
    }
    const input = target.generate(new Rng(iterationSeed(options.seed, iteration)));
    const t0 = performance.now();
    let error: unknown = null;
    try {
      target.check(input);
    } catch (e) {
      error = e;
    }
    const took = performance.now() - t0;
    report.slowestMs = Math.max(report.slowestMs, took);
    if (error === null && took > slowMs) error = new Error(`slow input: ${took.toFixed(0)} ms for ${input.length} bytes`);
    report.inputs++;
    report.bytes += input.length;
    if (error !== null) {
      const message = describe(error);
      const file = saveToCorpus(corpusDir, target.name, input, [`seed ${options.seed} iteration ${iteration}`, message.split('\n')[0]]);
      report.failures.push({ iteration, error: message, file });
    }
    if ((iteration & 63) === 0) report.peakRssGrowth = Math.max(report.peakRssGrowth, process.memoryUsage.rss() - rssStart);
  }
  report.peakRssGrowth = Math.max(report.peakRssGrowth, process.memoryUsage.rss() - rssStart);
  report.ms = performance.now() - started;
  return report;
}

export function formatReport(r: FuzzReport): string {
  const rate = r.ms > 0 ? Math.round((r.inputs / r.ms) * 1000) : 0;
  const lines = [
    `fuzz ${r.target}: ${r.inputs} inputs (${(r.bytes / 1e6).toFixed(1)} MB) in ${(r.ms / 1000).toFixed(1)} s (${rate}/s), seed ${r.seed}, slowest input ${r.slowestMs.toFixed(1)} ms, peak RSS growth ${(r.peakRssGrowth / 1048576).toFixed(0)} MiB, ${r.failures.length} failure(s)`,
  ];
  for (const f of r.failures) lines.push(`  iteration ${f.iteration} -> ${f.file}\n    ${f.error.split('\n').slice(0, 6).join('\n    ')}`);
  return lines.join('\n');
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? '\n' + error.stack.split('\n').slice(1, 6).join('\n') : ''}`;
  return String(error);
}

// ------------------------------------------------------------------ corpus

export function saveToCorpus(dir: string, target: string, input: Uint8Array, comments: string[]): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const file = join(dir, `${target}-${hash}.hex`);
  const hex = Buffer.from(input).toString('hex');
  const body = [...comments.map((c) => `# ${c.replace(/[\r\n]+/g, ' ')}`), ...(hex.match(/.{1,64}/g) ?? [''])].join('\n') + '\n';
  writeFileSync(file, body);
  return file;
}

/** Reads a corpus file: '#' lines are comments, the rest is hex. */
export function readCorpusFile(file: string): Uint8Array {
  const hex = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('')
    .replace(/\s+/g, '');
  if (hex.length % 2 || /[^0-9a-f]/i.test(hex)) throw new Error(`${file}: not hex`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** A corpus file's `# expect <label>: <event>, <event>` lines, by label. */
export function corpusExpectations(file: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^# expect (\w+): (.*)$/.exec(line);
    if (match) out[match[1]] = match[2].split(', ');
  }
  return out;
}

/** Every corpus file of a target: [file name, input]. */
export function corpusOf(target: string, dir = defaultCorpusDir): [string, Uint8Array][] {
  // A missing folder throws: the corpus is part of the repository, not optional.
  return readdirSync(dir)
    .filter((n) => n.startsWith(`${target}-`) && n.endsWith('.hex'))
    .sort()
    .map((n) => [n, readCorpusFile(join(dir, n))]);
}
