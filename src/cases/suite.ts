/**
 * Runs a selection of cases against a server under test: each case on its own connection, up to
 * `parallel` at a time, results in catalogue order. A case whose connection cannot be opened is
 * judged like Autobahn judges a handshake that never completed; a server that cannot be reached
 * at all is an error before any case runs.
 */
import { openChannel, type OpenChannelOptions } from '../transport';
import { reportFileName } from '../report/file-name';
import { caseNumber } from './catalogue';
import type { CaseDefinition } from './definition';
import { INITIAL_BEHAVIOR, judgeCase } from './judge';
import { runCase } from './runner';
import { initialCloseFacts, type CaseResult, type CloseFacts } from './result';

export interface SuiteOptions extends OpenChannelOptions {
  url: string;
  agent: string;
  cases: readonly CaseDefinition[];
  /** Cases at once (default 1). */
  parallel?: number;
  timeoutScale?: number;
  /** Called as each case ends (in completion order). */
  onCaseDone?: (result: CaseResult, done: number, total: number) => void;
  /** Stops starting new cases; running ones finish. */
  signal?: AbortSignal;
}

export async function runSuite(options: SuiteOptions): Promise<CaseResult[]> {
  // Fail fast with the transport's clear error when the server is not there at all.
  const probe = await openChannel(options.url, options);
  probe.channel.destroy();
  const { target } = probe;

  const workers = Math.max(1, Math.min(options.parallel ?? 1, options.cases.length));
  // Cases that must finish within a time (Autobahn's performance cases: 9.x, 12.x, 13.x) share
  // the server with up to `workers` others: their waits grow with that, or our own parallelism
  // would make a good server miss them.
  const scaleFor = (definition: CaseDefinition) => (options.timeoutScale ?? 1) * (definition.reportTime ? workers : 1);
  const results: CaseResult[] = new Array(options.cases.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < options.cases.length && !options.signal?.aborted) {
      const index = next++;
      const definition = options.cases[index];
      let result: CaseResult;
      const attempt = { started: new Date(), t0: performance.now() };
      try {
        // Under load (ours and the server's) a connect can take a while: scale its limit too.
        const { channel } = await openChannel(options.url, { ...options, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 * Math.max(1, options.timeoutScale ?? 1) });
        result = await runCase(definition, {
          agent: options.agent,
          channel,
          opening: { role: 'client', hostHeader: target.hostHeader, path: target.path },
          timeoutScale: scaleFor(definition),
        });
      } catch (error) {
        result = unreachable(definition, options.agent, error as Error, attempt);
      }
      results[index] = result;
      options.onCaseDone?.(result, ++done, options.cases.length);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return results.filter(Boolean);
}

/** The result of a case whose connection could not even be opened: its time is the attempt's. */
function unreachable(definition: CaseDefinition, agent: string, error: Error, attempt: { started: Date; t0: number }): CaseResult {
  const closeFacts: CloseFacts = { ...initialCloseFacts(false), wasNotCleanReason: `could not connect: ${error.message}` };
  const stats = { rxOctetsByChopSize: new Map(), txOctetsByChopSize: new Map(), rxFramesByOpcode: new Map(), txFramesByOpcode: new Map() };
  const verdict = judgeCase(definition, { observed: [], preset: INITIAL_BEHAVIOR, connectionWasOpen: false, closeFacts, stats });
  return {
    agent,
    caseId: definition.id,
    caseNumber: caseNumber(definition.id),
    description: definition.description,
    expectation: definition.expectation,
    expected: definition.expected,
    expectedClose: definition.expectedClose,
    observed: [],
    ...verdict,
    closeFacts,
    httpRequest: '',
    httpResponse: '',
    stats,
    wireLog: [],
    started: attempt.started.toISOString(),
    durationMs: Math.round(performance.now() - attempt.t0),
    reportfile: reportFileName(agent, definition.id, 'json'),
    reportTime: definition.reportTime,
    reportCompressionRatio: definition.reportCompressionRatio,
  };
}
