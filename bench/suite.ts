/**
 * The conformance catalogue's run time against `wsw serve`, serial and with --parallel 16.
 *
 * The default run times sections 1-10 (301 cases). 12.x/13.x push about 6 GB through zlib on
 * each side (1000 messages of up to 128 KiB per case, compressed at level 6 by the runner and by
 * the server): about 270 CPU-seconds, which does not fit the benchmark's 10-minute bound three
 * times over on a 2-core machine. `--only=catalogue` times all 517 cases, once serial and once in
 * parallel, as a run of its own.
 */
import { selectCases } from '../src/cases/catalogue';
import { runSuite } from '../src/cases/suite';
import { isCaseFailure } from '../src/report';

export interface SuiteTiming {
  serialMs: number;
  parallelMs: number;
}

export interface CatalogueScope {
  label: string;
  exclude: string[];
}

export const SECTIONS_1_TO_10: CatalogueScope = { label: 'sections 1-10, 301 cases', exclude: ['12.*', '13.*'] };
export const WHOLE_CATALOGUE: CatalogueScope = { label: 'all 517 cases', exclude: [] };
export const PARALLEL = 16;

async function timeOnce(url: string, scope: CatalogueScope, parallel: number): Promise<number> {
  const cases = selectCases(['*'], scope.exclude);
  const started = performance.now();
  const results = await runSuite({ url, agent: 'bench', cases, parallel });
  const failed = results.filter(isCaseFailure).map((r) => r.caseId);
  if (failed.length) throw new Error(`conformance cases failed against wsw serve: ${failed.join(', ')}`);
  return performance.now() - started;
}

/** One timing of `scope` against the echo server at `url`, serial and in parallel. */
export async function timeConformanceSuite(url: string, scope: CatalogueScope): Promise<SuiteTiming> {
  return { serialMs: await timeOnce(url, scope, 1), parallelMs: await timeOnce(url, scope, PARALLEL) };
}
