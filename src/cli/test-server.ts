/** `wsw test-server`: the Autobahn|Testsuite catalogue against a server, with reports and an exit status for CI. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { allCases, selectCases } from '../cases/catalogue';
import { runSuite } from '../cases/suite';
import type { CaseDefinition } from '../cases/definition';
import type { CaseResult } from '../cases/result';
import { failureReasons, isCaseFailure, renderJUnit, reportFiles } from '../report';
import { parseWebSocketUrl } from '../transport';
import { CliUsageError, integerOption, numberOption, parseArgs, prepareOutputDir, prepareOutputFile, readCaFile, type ParsedArgs } from './args';

export const testServerUsage = `wsw test-server URL [--agent NAME] [--cases 1.*,5.20,6.4.*] [--exclude 12.*,13.*]
                [--report-dir reports/servers] [--junit FILE] [--parallel N] [--timeout-scale F]
                [--insecure] [--ca FILE] [--quiet]

  Runs the Autobahn|Testsuite catalogue (517 cases, sections 1-7, 9, 10, 12, 13) against the server
  at URL, one connection per case, and writes a report per case (text, HTML, JSON), index.json and
  index.html to --report-dir. Prints a line per case and a summary per section.
  --cases/--exclude  comma-separated ids or patterns (1.*, 6.4.*, 5.20); default: every case
  --parallel N       cases at once (default 1); the time limits of the performance cases (9.x, 12.x,
                     13.x) are multiplied by N, since N cases share the server
  --timeout-scale F  multiply every delay and time-out (Autobahn's 1 s close time-outs, the cases' waits)
  Exit status: 0 when no case failed; 1 when a case failed, that is its behaviour or its closing
  behaviour is FAILED (UNIMPLEMENTED, NON-STRICT, INFORMATIONAL, WRONG CODE, UNCLEAN and FAILED BY
  CLIENT are reported but do not fail); 2 for a usage error or when the server cannot be reached.`;

/** Below this, Autobahn's 1 s time-outs shrink under 100 ms and a correct peer fails on timing. */
export const TIMEOUT_SCALE_MIN = 0.1;

export const splitList = (text: string | undefined): string[] => (text ? text.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** The cases --cases and --exclude pick (every case without --cases); none is a usage error. */
export function casesToRun(args: ParsedArgs): CaseDefinition[] {
  const include = splitList(args.values.get('cases'));
  // `--cases ','` or `--cases ''` names no case: that is a mistake, not "all of them".
  if (args.values.has('cases') && include.length === 0) throw new CliUsageError(`--cases ${JSON.stringify(args.values.get('cases'))} names no case (ids or patterns such as 1.*,5.20)`);
  const exclude = splitList(args.values.get('exclude'));
  // Autobahn ignores an exclusion that matches nothing; a typo there would quietly run the cases
  // it was meant to leave out, so here it is a mistake like one in --cases.
  for (const pattern of exclude) {
    if (!pattern.includes('*') ? !allCases.some((d) => d.id === pattern) : selectCases([pattern]).length === 0) {
      throw new CliUsageError(`--exclude ${JSON.stringify(pattern)} names no case (ids or patterns such as 12.*,13.*)`);
    }
  }
  const cases = selectCases(include.length ? include : ['*'], exclude);
  if (cases.length === 0) throw new CliUsageError('no case matches --cases/--exclude');
  return cases;
}

/** Writes the report folder and returns the path of its index.html. */
export function writeReports(dir: string, results: CaseResult[]): string {
  mkdirSync(dir, { recursive: true });
  for (const file of reportFiles(results)) writeFileSync(join(dir, file.path), file.content);
  return resolve(dir, 'index.html');
}

/** Writes the JUnit file (and its folder). */
export function writeJUnit(file: string, results: CaseResult[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderJUnit(results));
}

/** One line per case: "[ 12/517] 5.20       OK       UNCLEAN        1003 ms". */
export function progressLine(result: CaseResult, done: number, total: number): string {
  const width = String(total).length;
  const flag = isCaseFailure(result) ? '  <- FAILED' : '';
  return `[${String(done).padStart(width)}/${total}] ${result.caseId.padEnd(8)} ${result.behavior.padEnd(14)} ${result.behaviorClose.padEnd(17)} ${String(result.durationMs).padStart(6)} ms${flag}`;
}

/** Per section: how many cases got each verdict. */
export function sectionSummary(results: CaseResult[]): string {
  const sections = new Map<string, Map<string, number>>();
  for (const r of results) {
    const section = r.caseId.split('.')[0];
    const counts = sections.get(section) ?? new Map<string, number>();
    const key = isCaseFailure(r) ? 'FAILED' : r.behavior;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    sections.set(section, counts);
  }
  const lines = [...sections].sort(([a], [b]) => Number(a) - Number(b)).map(([section, counts]) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return `  section ${section.padStart(2)}: ${String(total).padStart(3)} cases  ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`;
  });
  const failed = results.filter(isCaseFailure).length;
  return [...lines, `  total: ${results.length} cases, ${failed} failed`].join('\n');
}

export async function testServer(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    agent: 'value', cases: 'value', exclude: 'value', 'report-dir': 'value', junit: 'value', parallel: 'value',
    'timeout-scale': 'value', insecure: 'flag', ca: 'value', quiet: 'flag',
  });
  if (args.positionals.length !== 1) throw new CliUsageError('wsw test-server needs exactly one URL');
  const url = args.positionals[0];
  // Check the URL before anything uses it (the default agent name parses it): a bad one is exit 2.
  const target = parseWebSocketUrl(url);
  const cases = casesToRun(args);
  const parallel = integerOption(args, 'parallel', 1, 1, 256);
  const timeoutScale = numberOption(args, 'timeout-scale', 1, TIMEOUT_SCALE_MIN, 100);
  const agent = args.values.get('agent') ?? target.hostHeader;
  if (!agent.trim()) throw new CliUsageError('--agent needs a name (it names the report files)');
  const ca = args.values.has('ca') ? readCaFile(args.values.get('ca')!) : undefined;
  // Checked before the run: an unwritable path must not cost the whole run's results.
  const reportDir = args.values.get('report-dir') ?? 'reports/servers';
  prepareOutputDir('report-dir', reportDir);
  const junit = args.values.get('junit');
  if (junit !== undefined) prepareOutputFile('junit', junit);
  if (args.flags.has('insecure')) console.error('warning: TLS certificate verification is off (--insecure)');

  const started = Date.now();
  console.error(`running ${cases.length} of ${allCases.length} cases against ${url} as agent ${JSON.stringify(agent)}, ${parallel} at a time`);
  const results = await runSuite({
    url,
    agent,
    cases,
    parallel,
    timeoutScale,
    insecure: args.flags.has('insecure'),
    ca,
    onCaseDone: (result, done, total) => {
      if (!args.flags.has('quiet') || isCaseFailure(result)) console.log(progressLine(result, done, total));
      if (isCaseFailure(result)) for (const line of failureReasons(result)) console.log(`      ${line}`);
    },
  });
  const index = writeReports(reportDir, results);
  if (junit) writeJUnit(junit, results);
  console.log(`\n${sectionSummary(results)}\n  time: ${((Date.now() - started) / 1000).toFixed(1)} s\n  report: ${index}${junit ? `\n  junit: ${resolve(junit)}` : ''}`);
  return results.some(isCaseFailure) ? 1 : 0;
}
