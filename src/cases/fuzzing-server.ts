/**
 * Autobahn|Testsuite's fuzzing server (autobahntestsuite/fuzzing.py, FuzzingServerProtocol and
 * FuzzingFactory) as routing over raw channels: a client under test connects to
 *
 *   /getCaseCount                      the number of selected cases, as a text message, then close
 *   /getCaseInfo?case=N                JSON {"id", "description"} (description up to its first tag)
 *   /runCase?case=N&agent=A            runs the N-th selected case (1-based) with us as the server
 *   /runCase?casetuple=1.1.2&agent=A   runs case 1.1.2, if it is selected
 *   /getCaseStatus?case=N&agent=A      JSON {"behavior"} once that agent's result for case N exists
 *   /updateReports?agent=A             writes the reports (every agent's results so far), then close
 *
 * Anything else, or a missing/invalid parameter, gets HTTP 400 with the reason (Autobahn raises in
 * onConnect, which refuses the handshake). A /runCase whose upgrade request is refused runs
 * nothing and records nothing, as in Autobahn (its case starts in onConnect, after the checks).
 * Results are kept in memory per agent, one per case, for at most `maxAgents` agents (the oldest
 * agent is forgotten first, and onAgentForgotten says so: Autobahn keeps all, without bound).
 */
import { Connection, HandshakeError, acceptClientRequest, refusal, truncateUtf8, type HttpHead } from '../engine';
import { listenRaw, type RawChannel, type RawServer, type RawServerOptions } from '../transport';
import type { CaseDefinition } from './definition';
import type { CaseResult } from './result';
import { runCase } from './runner';

export interface FuzzingRequest {
  head: HttpHead;
  requestBytes: Uint8Array;
  rest: Uint8Array;
  channel: RawChannel;
}

export interface FuzzingServerOptions {
  /** The selected cases, in run order: /runCase?case=N runs cases[N-1]. */
  cases: readonly CaseDefinition[];
  timeoutScale?: number;
  /** Agents whose results are kept (default 100). */
  maxAgents?: number;
  /** More than maxAgents agents: this one's results were dropped. */
  onAgentForgotten?: (agent: string) => void;
  onCaseStarted?: (agent: string, index: number, definition: CaseDefinition) => void;
  onCaseDone?: (result: CaseResult, index: number) => void;
  /** /updateReports: write the reports for `results` (every agent's); the close follows when it settles. */
  updateReports?: (agent: string, results: CaseResult[]) => void | Promise<void>;
  /** /updateReports could not write the reports (the client got close 1011 with the reason). */
  onReportsFailed?: (agent: string, error: Error) => void;
  /** /updateReports?…&shutdownOnComplete=true, after the reports were written (Autobahn stops its reactor). */
  onShutdownRequested?: () => void;
  /** A request that was refused, and why (for logs). */
  onRefused?: (target: string, reason: string) => void;
}

/** How long a control connection (everything but /runCase) may stay open after its answer (s). */
const CONTROL_CLOSE_TIMEOUT = 5;
/** How long /getCaseStatus waits for a result that does not exist yet (s), before closing without one. */
const STATUS_WAIT = 700;

export class FuzzingServer {
  /** agent -> case id -> result; Map order is age (for eviction) and case order is restored on read. */
  private readonly results = new Map<string, Map<string, CaseResult>>();
  private readonly listeners = new Map<string, Set<(result: CaseResult) => void>>();
  private readonly maxAgents: number;

  constructor(private readonly options: FuzzingServerOptions) {
    this.maxAgents = options.maxAgents ?? 100;
  }

  get caseCount(): number {
    return this.options.cases.length;
  }

  /** Every agent's results, agents in first-seen order, cases in run order. */
  allResults(): CaseResult[] {
    return [...this.results.keys()].flatMap((agent) => this.resultsFor(agent));
  }

  resultsFor(agent: string): CaseResult[] {
    const byCase = this.results.get(agent);
    if (!byCase) return [];
    return this.options.cases.flatMap((definition) => byCase.get(definition.id) ?? []);
  }

  /** Routes one client whose HTTP head was read. */
  handle(request: FuzzingRequest): void {
    const target = request.head.startLine[1];
    let url: URL;
    try {
      url = new URL(target, 'http://fuzzing-server');
    } catch {
      return this.refuse(request, target, `cannot parse the request target ${JSON.stringify(target)}`);
    }
    const params = url.searchParams;
    for (const [name, what] of [['case', 'test cases'], ['casetuple', 'test cases'], ['agent', 'agents']]) {
      if (params.getAll(name).length > 1) return this.refuse(request, target, `multiple ${what} specified (${name} given twice)`);
    }
    if (params.has('case') && params.has('casetuple')) return this.refuse(request, target, 'multiple test cases specified (case and casetuple)');
    const agent = params.get('agent');
    const caseParam = params.get('case');
    const caseTuple = params.get('casetuple');
    // A case number is digits only (Autobahn's int()): 0x2, 2.0 or 1e0 do not name a case.
    const caseIndex = caseParam !== null && /^\d+$/.test(caseParam) ? Number(caseParam) : caseTuple !== null ? this.options.cases.findIndex((d) => d.id === caseTuple) + 1 : null;
    const definition = caseIndex === null || caseIndex < 1 ? undefined : this.options.cases[caseIndex - 1];
    const needCase = (): string | null => {
      if (caseParam === null && caseTuple === null) return 'need case (?case=N or ?casetuple=1.1.2)';
      if (!definition) return caseTuple !== null ? `case ${JSON.stringify(caseTuple)} not found among the selected cases` : `case ${JSON.stringify(caseParam)} not found: cases are 1 to ${this.caseCount}`;
      return null;
    };
    const needAgent = (): string | null => (agent ? null : 'need agent (&agent=NAME)');

    switch (url.pathname) {
      case '/getCaseCount':
        return this.control(request, target, (session) => session.finish(JSON.stringify(this.caseCount)));
      case '/getCaseInfo': {
        const problem = needCase();
        if (problem) return this.refuse(request, target, problem);
        return this.control(request, target, (session) =>
          session.finish(JSON.stringify({ id: definition!.id, description: prettyDescription(definition!.description) })),
        );
      }
      case '/getCaseStatus': {
        const problem = needCase() ?? needAgent();
        if (problem) return this.refuse(request, target, problem);
        return this.control(request, target, (session) => {
          const send = (result: CaseResult) => session.finish(JSON.stringify({ behavior: result.behavior }));
          const known = this.results.get(agent!)?.get(definition!.id);
          if (known) return send(known);
          const key = listenerKey(agent!, definition!.id);
          const set = this.listeners.get(key) ?? new Set();
          this.listeners.set(key, set);
          set.add(send);
          session.onEnd(() => {
            set.delete(send);
            if (set.size === 0) this.listeners.delete(key);
          });
          session.giveUpAfter(STATUS_WAIT * (this.options.timeoutScale ?? 1));
        });
      }
      case '/updateReports': {
        const problem = needAgent();
        if (problem) return this.refuse(request, target, problem);
        return this.control(request, target, async (session) => {
          try {
            await this.options.updateReports?.(agent!, this.allResults());
            session.finish(null);
          } catch (error) {
            // the client hears that its reports were not written (1011 and why), the server's user too
            session.finish(null, `reports not written: ${(error as Error).message}`);
            this.options.onReportsFailed?.(agent!, error as Error);
          }
          // Once the client has its close frame: shutting down drops every connection at once.
          if (/^(true|yes)$/i.test(params.get('shutdownOnComplete') ?? '')) session.onEnd(() => this.options.onShutdownRequested?.());
        });
      }
      case '/runCase': {
        const problem = needCase() ?? needAgent();
        if (problem) return this.refuse(request, target, problem);
        // A refused upgrade (a wrong version, no key) runs no case: a retry must not leave a
        // FAILED result behind, nor replace a good one. (The runner answers the upgrade itself.)
        if (!this.upgradeAcceptable(request, target)) return;
        this.options.onCaseStarted?.(agent!, caseIndex!, definition!);
        void runCase(definition!, {
          agent: agent!,
          channel: request.channel,
          opening: { role: 'server', head: request.head, requestBytes: request.requestBytes, rest: request.rest },
          timeoutScale: this.options.timeoutScale,
          caseNumber: caseIndex!,
        }).then((result) => this.record(result, caseIndex!));
        return;
      }
      default:
        return this.refuse(
          request,
          target,
          `unknown path ${JSON.stringify(url.pathname)}: this fuzzing server answers /getCaseCount, /getCaseInfo?case=N, /runCase?case=N&agent=A, /getCaseStatus?case=N&agent=A and /updateReports?agent=A`,
        );
    }
  }

  private record(result: CaseResult, index: number): void {
    let byCase = this.results.get(result.agent);
    if (!byCase) {
      while (this.results.size >= this.maxAgents) {
        const oldest = this.results.keys().next().value!;
        this.results.delete(oldest);
        this.options.onAgentForgotten?.(oldest);
      }
      byCase = new Map();
      this.results.set(result.agent, byCase);
    }
    byCase.set(result.caseId, result);
    this.options.onCaseDone?.(result, index);
    const key = listenerKey(result.agent, result.caseId);
    const waiting = this.listeners.get(key);
    if (waiting) {
      this.listeners.delete(key);
      for (const send of waiting) send(result);
    }
  }

  private refuse(request: FuzzingRequest, target: string, reason: string): void {
    this.options.onRefused?.(target, reason);
    request.channel.write(refusal(new HandshakeError('WSW_HS_MALFORMED', reason, 400)), false);
    request.channel.end();
    const cancel = request.channel.setTimer(CONTROL_CLOSE_TIMEOUT * 1000, () => request.channel.destroy());
    request.channel.setHandlers({ data: () => {}, closed: cancel });
  }

  /** The upgrade answer (no extensions) when the request may be upgraded; else refuses it (HTTP) and returns null. */
  private upgradeAcceptable(request: FuzzingRequest, target: string): Uint8Array | null {
    const answer = acceptClientRequest(request.head, { deflate: false });
    if (answer.ok) return answer.response;
    this.options.onRefused?.(target, answer.error.message);
    request.channel.write(answer.response, false);
    request.channel.end();
    return null;
  }

  /** Accepts the upgrade (no extensions) and hands the open session to `run`. */
  private control(request: FuzzingRequest, target: string, run: (session: ControlSession) => void | Promise<void>): void {
    const response = this.upgradeAcceptable(request, target);
    if (!response) return;
    const session = new ControlSession(request.channel, response, request.rest);
    void Promise.resolve()
      .then(() => run(session))
      .catch(() => session.finish(null));
  }
}

/** A fuzzing server listening on a socket: what `wsw test-client` and the extension's "Test a Client" start. */
export interface FuzzingListener {
  fuzzing: FuzzingServer;
  server: RawServer;
  /** ws://HOST:PORT/ or wss://HOST:PORT/ (the base URL a client harness is given). */
  url: string;
  /** Stops listening and drops every connection still open. */
  close(): Promise<void>;
}

/** Starts a FuzzingServer on `listen` (host default 127.0.0.1, port 0 = any free one, tls optional). */
export async function startFuzzingServer(listen: Pick<RawServerOptions, 'host' | 'port' | 'tls'>, options: FuzzingServerOptions): Promise<FuzzingListener> {
  const fuzzing = new FuzzingServer(options);
  const server = await listenRaw(listen, (request) => fuzzing.handle(request));
  return { fuzzing, server, url: `${server.url}/`, close: () => server.close() };
}

function listenerKey(agent: string, caseId: string): string {
  return `${caseId}\u0000${agent}`;
}

/** Autobahn's caseClassToPrettyDescription: the description up to its first tag, whitespace coalesced. */
export function prettyDescription(description: string): string {
  return description.split('<')[0].split(/\s+/).filter(Boolean).join(' ');
}

/** A WebSocket that answers one question: our engine as a server, no extensions. */
class ControlSession {
  private readonly engine = new Connection({ role: 'server' });
  private readonly endListeners: (() => void)[] = [];
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly channel: RawChannel,
    response: Uint8Array,
    rest: Uint8Array,
  ) {
    channel.write(response, false);
    channel.setHandlers({
      data: (bytes) => {
        this.engine.receiveData(bytes);
        this.pump();
      },
      closed: () => {
        this.engine.receiveEof();
        this.pump();
        this.cancelTimer?.();
        for (const listener of this.endListeners.splice(0)) listener();
      },
    });
    if (rest.length) this.engine.receiveData(rest);
    this.pump();
  }

  onEnd(listener: () => void): void {
    if (this.channel.open) this.endListeners.push(listener);
    else listener();
  }

  /** Closes if nothing was sent after `seconds`. */
  giveUpAfter(seconds: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.channel.setTimer(seconds * 1000, () => this.finish(null));
  }

  /**
   * Sends `text` (if any), then closes with an empty close frame as Autobahn's sendClose() does
   * (the client sees 1005), or with 1011 and `failure` as the reason when the request could not
   * be served; drops TCP if the client does not finish closing.
   */
  finish(text: string | null, failure?: string): void {
    if (this.engine.state === 'open') {
      if (text !== null) this.engine.sendMessage(new TextEncoder().encode(text), { binary: false });
      if (failure === undefined) this.engine.sendClose(null);
      else this.engine.sendClose(1011, truncateUtf8(failure, 123));
    }
    this.pump();
    this.cancelTimer?.();
    this.cancelTimer = this.channel.open ? this.channel.setTimer(CONTROL_CLOSE_TIMEOUT * 1000, () => this.channel.destroy()) : null;
  }

  private pump(): void {
    for (const bytes of this.engine.dataToSend()) this.channel.write(bytes, false);
    if (this.engine.transportCloseRequested && this.channel.open) this.channel.end();
    this.engine.events();
  }
}
