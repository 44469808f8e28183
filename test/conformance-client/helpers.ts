// The fuzzing server (src/cases/fuzzing-server.ts on src/transport/raw-server.ts) in the test
// process, and Autobahn-style client harnesses: ws (like ws's test/autobahn.js), python3-websockets
// (a child process, killed by PID) and Chromium's own WebSocket (a page running the loop).
import WebSocket, { type ClientOptions as WsClientOptions } from 'ws';
import type { Page } from 'playwright-core';
import { allCases, selectCases } from '../../src/cases/catalogue';
import { FuzzingServer } from '../../src/cases/fuzzing-server';
import type { CaseResult } from '../../src/cases/result';
import { isCaseFailure } from '../../src/report';
import { listenRaw, type RawServer } from '../../src/transport';
import { GOOD_PEER_SCALE } from '../conformance/helpers';
import { PYTHON } from '../peers';
import { runBounded, withTimeout } from '../peers/process';

/**
 * The smallest message size of every corpus (12.x) and negotiation (13.x): 1000 16-byte messages
 * each. The whole of 12.x/13.x (216 cases, up to 1000 x 128 KiB messages each) is CPU-heavy with
 * the current zlib codec; npm start runs it, the tests run this subset.
 */
export const DEFLATE_SUBSET = [...[1, 2, 3, 4, 5].map((n) => `12.${n}.1`), ...[1, 2, 3, 4, 5, 6, 7].map((n) => `13.${n}.1`)];

/**
 * 13.2, 13.5 and 13.6 accept only offers that include client_no_context_takeover (Autobahn's
 * SERVER_ACCEPT); ws, python-websockets, Chromium and our client offer just
 * "permessage-deflate; client_max_window_bits", so nothing is negotiated: UNIMPLEMENTED.
 */
export const OFFER_WITHOUT_NO_CONTEXT_TAKEOVER = { '13.2.1': 'UNIMPLEMENTED/OK', '13.5.1': 'UNIMPLEMENTED/OK', '13.6.1': 'UNIMPLEMENTED/OK' };

export interface Fuzzer {
  /** ws://127.0.0.1:PORT (no trailing slash). */
  base: string;
  server: FuzzingServer;
  raw: RawServer;
  /** What /updateReports was called with (agent, number of results). */
  updates: { agent: string; results: number }[];
  close(): Promise<void>;
}

/** A fuzzing server for `cases`; its timers at GOOD_PEER_SCALE unless a test sets them. */
export async function startFuzzer(cases: string[], options: { exclude?: string[]; timeoutScale?: number } = {}): Promise<Fuzzer> {
  const updates: Fuzzer['updates'] = [];
  const server = new FuzzingServer({
    cases: selectCases(cases, options.exclude ?? []),
    timeoutScale: options.timeoutScale ?? GOOD_PEER_SCALE,
    updateReports: (agent, results) => {
      updates.push({ agent, results: results.length });
    },
  });
  const raw = await listenRaw({ port: 0 }, (request) => server.handle(request));
  return { base: raw.url, server, raw, updates, close: () => raw.close() };
}

/** caseId -> "BEHAVIOR/BEHAVIORCLOSE" for every case that is not OK/OK (and not only INFORMATIONAL). */
export function deviations(results: CaseResult[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results) if (r.behavior !== 'OK' || r.behaviorClose !== 'OK') out[r.caseId] = `${r.behavior}/${r.behaviorClose}`;
  return out;
}

export const failures = (results: CaseResult[]): string[] => results.filter(isCaseFailure).map((r) => `${r.caseId} ${r.behavior}/${r.behaviorClose}: ${r.result} ${r.resultClose}`);

/**
 * Cases whose expected events include a NON-STRICT outcome (Autobahn's own list): the peer may
 * answer frames that arrived before the protocol error. Whether it does can depend on how the
 * bytes were split into reads, so there OK and NON-STRICT are both accepted.
 */
export const NON_STRICT_ALLOWED = new Set(allCases.filter((d) => d.expected['NON-STRICT'] !== undefined).map((d) => d.id));
/** Cases that record the peer's close code only (INFORMATIONAL for every peer). */
export const INFORMATIONAL_CASES = new Set(['7.1.6', '7.13.1', '7.13.2']);
/** The invalid-UTF-8 text cases: the peer must fail the connection with 1007. */
export const INVALID_UTF8_CASES = allCases.filter((d) => d.expectedClose.closedByWrongEndpointIsFatal).map((d) => d.id);

/**
 * Every result must be OK/OK, except: `exact` (case -> "BEHAVIOR/CLOSE"), INFORMATIONAL cases,
 * and OK or NON-STRICT where Autobahn allows NON-STRICT. Returns the mismatches.
 */
export function unexpectedVerdicts(results: CaseResult[], exact: Record<string, string> = {}): string[] {
  const out: string[] = [];
  for (const r of results) {
    const verdict = `${r.behavior}/${r.behaviorClose}`;
    const allowed = r.caseId in exact
      ? [exact[r.caseId]]
      : INFORMATIONAL_CASES.has(r.caseId)
        ? ['INFORMATIONAL/INFORMATIONAL']
        : NON_STRICT_ALLOWED.has(r.caseId) ? ['OK/OK', 'NON-STRICT/OK'] : ['OK/OK'];
    if (!allowed.includes(verdict)) out.push(`${r.caseId}: ${verdict} (expected ${allowed.join(' or ')}): ${r.result} ${r.resultClose}`);
  }
  return out;
}

/** Per section: verdict -> count (what the report's summary shows). */
export function sectionCounts(results: CaseResult[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of results) {
    const section = r.caseId.split('.')[0];
    const key = isCaseFailure(r) ? 'FAILED' : r.behavior;
    out[section] ??= {};
    out[section][key] = (out[section][key] ?? 0) + 1;
  }
  return out;
}

/** Waits for a ws connection to close (bounded). */
function closed(ws: WebSocket, ms: number, what: string): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve();
    ws.once('close', () => resolve());
    ws.once('error', () => { /* 'close' follows */ });
  }), ms, what).catch((error: Error) => {
    ws.terminate();
    throw error;
  });
}

export interface WsHarnessOptions {
  ws?: WsClientOptions;
  /** How the client answers each message (default: echo, text as text, binary as binary). */
  onMessage?: (ws: WebSocket, data: WebSocket.RawData, binary: boolean) => void;
  /** Per-case bound (ms). Default 60 000. */
  caseTimeoutMs?: number;
}

/** ws's test/autobahn.js, with bounded waits: getCaseCount, runCase for each, updateReports. */
export async function runWsHarness(base: string, agent: string, options: WsHarnessOptions = {}): Promise<void> {
  const counter = new WebSocket(`${base}/getCaseCount`);
  let count = NaN;
  counter.on('message', (data) => (count = Number(data.toString())));
  await closed(counter, 10_000, 'getCaseCount');
  if (!Number.isInteger(count)) throw new Error('getCaseCount sent no count');
  for (let n = 1; n <= count; n++) {
    const ws = new WebSocket(`${base}/runCase?case=${n}&agent=${encodeURIComponent(agent)}`, { maxPayload: 64 * 1024 * 1024, ...options.ws });
    ws.on('message', (data, binary) => (options.onMessage ? options.onMessage(ws, data, binary) : ws.send(data, { binary })));
    await closed(ws, options.caseTimeoutMs ?? 60_000, `case ${n}`);
  }
  const reporter = new WebSocket(`${base}/updateReports?agent=${encodeURIComponent(agent)}`);
  await closed(reporter, 10_000, 'updateReports');
}

/** The same loop in python3-websockets 10.4 (like websockets' compliance/test_client.py). */
const PYTHON_HARNESS = String.raw`
import asyncio, json, sys, urllib.parse
import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

async def main(base, agent):
    async with websockets.connect(base + "/getCaseCount") as ws:
        count = json.loads(await ws.recv())
    q = urllib.parse.quote(agent)
    for n in range(1, count + 1):
        try:
            async with websockets.connect(f"{base}/runCase?case={n}&agent={q}", max_size=2**26, ping_interval=None, close_timeout=10) as ws:
                async for message in ws:
                    await ws.send(message)
        except (ConnectionClosed, InvalidHandshake, OSError) as exc:
            print(f"case {n}: {type(exc).__name__}: {exc}", file=sys.stderr)
    async with websockets.connect(f"{base}/updateReports?agent={q}") as ws:
        await ws.wait_closed()
    print("done")

asyncio.run(main(sys.argv[1], sys.argv[2]))
`;

export async function runPythonHarness(base: string, agent: string, timeoutMs: number): Promise<void> {
  const run = await runBounded(PYTHON, ['-u', '-c', PYTHON_HARNESS, base, agent], '', timeoutMs);
  if (run.timedOut) throw new Error(`python harness timed out after ${timeoutMs} ms; stderr: ${run.stderr.slice(-2000)}`);
  if (run.code !== 0 || !run.stdout.includes('done')) throw new Error(`python harness failed (exit ${run.code ?? run.signal}): ${run.stderr.slice(-2000)}`);
}

/** The loop in the page, with the browser's WebSocket (binaryType arraybuffer), as plain JavaScript. */
const BROWSER_HARNESS = String.raw`
async (base, agent) => {
  const open = (url, onMessage) => new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => onMessage(ws, event.data);
    ws.onclose = (event) => resolve({ code: event.code, wasClean: event.wasClean });
  });
  let count = 0;
  await open(base + '/getCaseCount', (ws, data) => { count = Number(data); });
  const q = encodeURIComponent(agent);
  const closes = [];
  for (let n = 1; n <= count; n++) {
    closes.push(await open(base + '/runCase?case=' + n + '&agent=' + q, (ws, data) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    }));
  }
  await open(base + '/updateReports?agent=' + q, () => {});
  return { count, closes };
}`;

export async function runBrowserHarness(page: Page, base: string, agent: string, timeoutMs: number): Promise<{ count: number }> {
  const run = page.evaluate(`(${BROWSER_HARNESS})(${JSON.stringify(base)}, ${JSON.stringify(agent)})`) as Promise<{ count: number }>;
  return withTimeout(run, timeoutMs, 'browser fuzzing harness');
}
