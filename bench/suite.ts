/**
 * The conformance catalogue's run time against `wsw serve`, serial and with --parallel 16.
 * Sections 1-10 (301 cases): 12.x/13.x push about 10 GB through zlib on each side, minutes of CPU
 * on a 2-core machine, which does not fit the benchmark's time bound; their cost is CPU, which the
 * deflate figures above measure.
 */
import { selectCases } from '../src/cases/catalogue';
import { runSuite } from '../src/cases/suite';
import { isCaseFailure } from '../src/report';

export interface SuiteTiming {
  serialMs: number;
  parallelMs: number;
}

export const SUITE_CASES = 'sections 1-10, 301 cases';
const PARALLEL = 16;

async function timeOnce(url: string, parallel: number): Promise<number> {
  const cases = selectCases(['*'], ['12.*', '13.*']);
  const started = performance.now();
  const results = await runSuite({ url, agent: 'bench', cases, parallel });
  const failed = results.filter(isCaseFailure).map((r) => r.caseId);
  if (failed.length) throw new Error(`conformance cases failed against wsw serve: ${failed.join(', ')}`);
  return performance.now() - started;
}

/** One timing of sections 1-10 against the echo server at `url`, serial and in parallel. */
export async function timeConformanceSuite(url: string): Promise<SuiteTiming> {
  return { serialMs: await timeOnce(url, 1), parallelMs: await timeOnce(url, PARALLEL) };
}
