/**
 * `wsw echo-client`: our engine's client as a client under test, running the usual Autobahn harness
 * against a fuzzing server (like ws's test/autobahn.js): getCaseCount, then runCase for each case
 * echoing every message back (text as text, binary as binary), then updateReports.
 */
import { ConnectError, connect, type ClientOptions, type WebSocketConnection } from '../transport';
import { CliUsageError, integerOption, parseArgs, readCaFile } from './args';

export const echoClientUsage = `wsw echo-client BASE_URL --agent NAME [--cases N,M-K] [--parallel N] [--insecure] [--ca FILE]
                [--no-deflate | --deflate-level 0-9] [--quiet]

  Runs our own client against a fuzzing server at BASE_URL (wsw test-client, or Autobahn's
  wstest -m fuzzingserver): /getCaseCount, /runCase?case=N&agent=NAME for each case (echoing
  every message back), then /updateReports?agent=NAME. permessage-deflate is offered unless
  --no-deflate. --cases picks case numbers (1-based, as the server counts them).
  --parallel N       cases at once (default 1, as Autobahn's harnesses run them)
  --deflate-level L  zlib level of the messages it compresses (default 6)
  Exit status: 0 when the loop completed; 1 when the server could not write the reports (it
  closed /updateReports with 1011); 2 when the server could not be reached or answered
  something unexpected.`;

/** Generous: the server ends every case itself (its longest cases take minutes at full scale). */
const CASE_LIMIT_MS = 15 * 60 * 1000;
/** More cases than any catalogue has (Autobahn's: 517): a larger count is a broken or hostile server. */
const MAX_CASES = 100_000;

function withLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_resolve, reject) => {
      // the server under test did not answer in time: like an unreachable one, exit 2
      timer = setTimeout(() => reject(new ConnectError('WSW_CONNECT_TIMEOUT', `${what} did not end within ${ms} ms`)), ms);
    }),
  ]);
}

/** "1-3,7" -> [1, 2, 3, 7], within 1..count. */
export function caseNumbers(spec: string | undefined, count: number): number[] {
  if (!spec) return Array.from({ length: count }, (_, i) => i + 1);
  const out = new Set<number>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new CliUsageError(`--cases takes case numbers and ranges (1,5-9), got ${JSON.stringify(part)}`);
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    for (let n = from; n <= Math.min(to, count); n++) if (n >= 1) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

export async function echoClient(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    agent: 'value', cases: 'value', parallel: 'value', insecure: 'flag', ca: 'value', 'no-deflate': 'flag', 'deflate-level': 'value', quiet: 'flag',
  });
  if (args.positionals.length !== 1) throw new CliUsageError('wsw echo-client needs exactly one BASE_URL');
  const agent = args.values.get('agent');
  if (!agent) throw new CliUsageError('--agent NAME is required');
  const base = args.positionals[0].replace(/\/+$/, '');
  if (!/^wss?:\/\//i.test(base)) throw new CliUsageError(`BASE_URL must be ws:// or wss://, got ${JSON.stringify(base)}`);
  if (args.flags.has('no-deflate') && args.values.has('deflate-level')) throw new CliUsageError('--deflate-level needs permessage-deflate, which --no-deflate declines');
  // --cases is checked now, before connecting; which numbers exist is known from the server.
  if (args.values.has('cases') && caseNumbers(args.values.get('cases'), MAX_CASES).length === 0) throw new CliUsageError(`--cases ${JSON.stringify(args.values.get('cases'))} names no case`);
  const parallel = integerOption(args, 'parallel', 1, 1, 64);
  const deflate = !args.flags.has('no-deflate') && { level: integerOption(args, 'deflate-level', 6, 0, 9) };
  const options: ClientOptions = {
    insecure: args.flags.has('insecure'),
    ca: args.values.has('ca') ? readCaFile(args.values.get('ca')!) : undefined,
  };
  if (args.flags.has('insecure')) console.error('warning: TLS certificate verification is off (--insecure)');
  const quiet = args.flags.has('quiet');
  const started = Date.now();

  // getCaseCount: one text message, then the server closes.
  const counter = await connect(`${base}/getCaseCount`, options);
  const countText = new Promise<string>((resolveText) => counter.once('message', (data) => resolveText(Buffer.from(data).toString('utf8'))));
  await withLimit(counter.closed, 30_000, 'getCaseCount');
  const answer = (await withLimit(countText, 1, 'getCaseCount message').catch(() => '')).trim();
  const count = Number(answer);
  if (!/^\d+$/.test(answer) || count > MAX_CASES) {
    console.error(`wsw echo-client: ${base}/getCaseCount did not send a case count (0 to ${MAX_CASES}), but ${JSON.stringify(answer.slice(0, 80))}`);
    return 2;
  }
  const numbers = caseNumbers(args.values.get('cases'), count);
  if (args.values.has('cases') && numbers.length === 0) throw new CliUsageError(`--cases ${args.values.get('cases')} selects none of the server's ${count} cases`);
  console.error(`running ${numbers.length} of ${count} cases as agent ${JSON.stringify(agent)}`);

  const q = encodeURIComponent(agent);
  const runCase = async (n: number) => {
    const t0 = Date.now();
    let ws: WebSocketConnection;
    try {
      ws = await connect(`${base}/runCase?case=${n}&agent=${q}`, { ...options, deflate });
    } catch (error) {
      // A refused handshake is a result of the case too (the server judged it); go on.
      if (!quiet) console.log(`case ${n}/${count}: not opened: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    ws.on('message', (data, binary) => {
      if (ws.state === 'open') ws.send(data, { binary });
    });
    const info = await withLimit(ws.closed, CASE_LIMIT_MS, `case ${n}`).catch((error: Error) => {
      ws.terminate();
      throw error;
    });
    if (!quiet) console.log(`case ${n}/${count}: closed ${info.code}${info.wasClean ? '' : ' (unclean)'} after ${Date.now() - t0} ms`);
  };
  // `parallel` workers take the next case number until none is left.
  const queue = [...numbers];
  const worker = async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) await runCase(n);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));

  const reporter = await connect(`${base}/updateReports?agent=${q}`, options);
  const closed = await withLimit(reporter.closed, 60_000, 'updateReports');
  console.error(`done: ${numbers.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The server says why when it could not write the reports (wsw test-client: 1011 and the reason).
  if (closed.code === 1011) {
    console.error(`wsw echo-client: the server did not write the reports: ${closed.reason || 'no reason given'}`);
    return 1;
  }
  return 0;
}
