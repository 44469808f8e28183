/** `wsw test-client`: Autobahn's fuzzing server — the catalogue from the server side, for clients under test. */
import { resolve } from 'node:path';
import { allCases } from '../cases/catalogue';
import { startFuzzingServer } from '../cases/fuzzing-server';
import type { CaseResult } from '../cases/result';
import { failureReasons, isCaseFailure } from '../report';
import { isLoopbackHost } from '../transport';
import { CliUsageError, integerOption, numberOption, parseArgs, prepareOutputDir, prepareOutputFile, readInputFile } from './args';
import { TIMEOUT_SCALE_MIN, casesToRun, progressLine, sectionSummary, writeJUnit, writeReports } from './test-server';

export const testClientUsage = `wsw test-client [--host 127.0.0.1] [--port 9001] [--tls [--cert FILE --key FILE]]
                [--cases 1.*,5.20] [--exclude 12.*,13.*] [--report-dir reports/clients]
                [--junit FILE] [--timeout-scale F] [--quiet]

  Autobahn|Testsuite's fuzzing server: clients under test connect to it and run the catalogue from
  the server side (we send unmasked frames and expect masked ones). Endpoints, as in Autobahn:
  /getCaseCount, /getCaseInfo?case=N, /runCase?case=N&agent=A, /getCaseStatus?case=N&agent=A,
  /updateReports?agent=A (writes the reports; &shutdownOnComplete=true also stops the server).
  N counts from 1 over the selected cases. Prints its URL, then a line per case as clients run them.
  Reports (per case, index.json, index.html) go to --report-dir on /updateReports and on
  SIGINT/SIGTERM, which stop the server.
  Exit status: 0 when no case failed; 1 when a case's behaviour or closing behaviour is FAILED;
  2 for a usage error, when the port cannot be bound, or when the reports cannot be written at
  the end (the summary is printed first).`;

export async function testClient(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    host: 'value', port: 'value', tls: 'flag', cert: 'value', key: 'value', cases: 'value', exclude: 'value',
    'report-dir': 'value', junit: 'value', 'timeout-scale': 'value', quiet: 'flag',
  });
  if (args.positionals.length) throw new CliUsageError(`unexpected argument ${args.positionals[0]}`);
  if (args.values.has('cert') !== args.values.has('key')) throw new CliUsageError('--cert and --key go together');
  if (args.values.has('cert') && !args.flags.has('tls')) throw new CliUsageError('--cert/--key need --tls');
  const cases = casesToRun(args);
  const timeoutScale = numberOption(args, 'timeout-scale', 1, TIMEOUT_SCALE_MIN, 100);
  const host = args.values.get('host') ?? '127.0.0.1';
  if (!host) throw new CliUsageError('--host needs an address');
  const port = integerOption(args, 'port', 9001, 0, 65535);
  // Checked now: the reports are written when clients ask and at the end, long after the start.
  const reportDir = args.values.get('report-dir') ?? 'reports/clients';
  prepareOutputDir('report-dir', reportDir);
  const junit = args.values.get('junit');
  if (junit !== undefined) prepareOutputFile('junit', junit);
  const quiet = args.flags.has('quiet');
  const tls = args.flags.has('tls')
    ? args.values.has('cert')
      ? { cert: readInputFile('cert', args.values.get('cert')!), key: readInputFile('key', args.values.get('key')!) }
      : ('self-signed' as const)
    : undefined;

  const started = Date.now();
  const writeAll = (results: CaseResult[]): string => {
    const index = writeReports(reportDir, results);
    if (junit) writeJUnit(junit, results);
    return index;
  };
  let stop: () => void = () => {};
  const stopRequested = new Promise<void>((resolveStop) => {
    stop = resolveStop;
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
  if (!isLoopbackHost(host)) console.error(`warning: listening on ${host}, reachable from other machines; the fuzzing server has no authentication`);
  const { fuzzing, server, url } = await startFuzzingServer({ host, port, tls }, {
    cases,
    timeoutScale,
    onCaseDone: (result, index) => {
      if (!quiet || isCaseFailure(result)) console.log(`${result.agent}: ${progressLine(result, index, cases.length)}`);
      if (isCaseFailure(result)) for (const line of failureReasons(result)) console.log(`      ${line}`);
    },
    updateReports: (agent, results) => {
      const index = writeAll(results);
      console.log(`reports updated for ${agent} (${results.length} results): ${index}`);
    },
    onReportsFailed: (agent, error) => console.error(`wsw test-client: reports for ${agent} not written: ${error.message}`),
    onAgentForgotten: (agent) => console.error(`wsw test-client: more than 100 agents: the results of the oldest, ${JSON.stringify(agent)}, are dropped (write reports with /updateReports to keep them)`),
    onShutdownRequested: () => stop(),
  });
  console.error(`running ${cases.length} of ${allCases.length} cases for any client that connects`);
  console.log(`fuzzing server listening on ${url} (${cases.length} cases)`);
  if (server.fingerprint) console.error(`self-signed certificate for localhost, SHA-256 ${server.fingerprint}`);

  await stopRequested;
  await server.close();
  const results = fuzzing.allResults();
  const agents = [...new Set(results.map((r) => r.agent))];
  // The summary first: reports that cannot be written (exit 2) must not take the verdicts with them.
  for (const agent of agents) console.log(`\nagent ${agent}:\n${sectionSummary(fuzzing.resultsFor(agent))}`);
  const index = writeAll(results);
  console.log(`\n  time: ${((Date.now() - started) / 1000).toFixed(1)} s\n  report: ${index}${junit ? `\n  junit: ${resolve(junit)}` : ''}`);
  return results.some(isCaseFailure) ? 1 : 0;
}
