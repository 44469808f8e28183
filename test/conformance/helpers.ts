// Shared by test/conformance/*.test.ts: servers under test in their own processes, a suite run,
// and verdict tables to compare exactly.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { selectCases } from '../../src/cases/catalogue';
import { runSuite } from '../../src/cases/suite';
import type { CaseResult } from '../../src/cases/result';
import { isCaseFailure } from '../../src/report';
import type { WsEchoServerOptions } from '../peers';
import { stopProcess } from '../peers/process';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Sections 1-7, 9 and 10: every case, against every good server. */
export const CORE_SECTIONS = ['1.*', '2.*', '3.*', '4.*', '5.*', '6.*', '7.*', '9.*', '10.*'];

/**
 * The permessage-deflate cases (12.x, 13.x: 1000 messages each) run in `npm test`: a
 * representative subset while the zlib codec is slow (12.1.1-12.1.3: the first sizes of the text
 * corpus; 13.1.1, 13.2.1, 13.3.1, 13.7.1: the default offer, server_no_context_takeover,
 * server_max_window_bits=9, three offers at once).
 * Widen to ['12.*', '13.*'] once the streaming codec is in.
 */
export const DEFLATE_CASES: readonly string[] = ['12.1.1', '12.1.2', '12.1.3', '13.1.1', '13.2.1', '13.3.1', '13.7.1'];

/** Builds dist/cli.js once per test file (the CLI tests and `wsw serve` need it). */
export function buildCli(): void {
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
  assert.equal(build.status, 0, 'node esbuild.mjs failed');
}

export interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * The `ws` echo server (test/peers) in its own process. ws 8.23 limits a message to 16,384
 * fragments by default (maxFragments), which fails 9.3.1/9.3.2/9.4.1/9.4.2 (4 MiB in 64- and
 * 256-octet fragments) with close 1008: the harness lifts that limit unless `ws` says otherwise,
 * so "ws passes Autobahn" is tested with a ws configured like the Autobahn-tested one.
 */
export async function startWsEchoProcess(options: WsEchoServerOptions = {}, timeoutMs = 20_000): Promise<ServerProcess> {
  const merged = { ...options, ws: { maxFragments: 0, ...(options.ws ?? {}) } };
  const script = join(__dirname, 'ws-echo-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(merged)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopProcess(child, 5000);
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ws echo process printed no URL within ${timeoutMs} ms: ${output}`)), timeoutMs);
      child.stderr!.on('data', (chunk) => (output += chunk));
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        const m = /^listening on (\S+)$/m.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`ws echo process exited with ${code}: ${output}`));
      });
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Timers for peers expected to pass, as a multiple of Autobahn's. Several verdicts need the peer
 * (server or client) to act before one of our timers (6.x: fail on bad UTF-8 before our 0.5-1 s
 * kill-after; the 1 s drop wait); on a loaded 2-core machine a peer can take longer than that.
 * Longer timers only give the peer more time, so they can turn a timing-dependent FAILED into a
 * pass but never the other way round; what these tests prove is that no case fails for a
 * protocol reason.
 */
export const GOOD_PEER_SCALE = 2;

/**
 * CORE_SECTIONS in two batches: 9.x (up to 16 MiB messages, some in 64-octet fragments: the
 * runner's CPU is the limit) 4 at a time, the rest 16 at a time. With 16 of the 9.x cases at once
 * on a loaded 2-core machine, the runner's own event loop is busy for longer than Autobahn's 5 s
 * opening-handshake time-out, and a case fails before it starts.
 */
export async function runCoreSections(url: string, timeoutScale = GOOD_PEER_SCALE): Promise<CaseResult[]> {
  const light = await runCases(url, CORE_SECTIONS.filter((p) => p !== '9.*'), { parallel: 16, timeoutScale });
  const heavy = await runCases(url, ['9.*'], { parallel: 4, timeoutScale });
  return [...light, ...heavy];
}

export async function runCases(url: string, patterns: readonly string[], options: { parallel?: number; timeoutScale?: number; agent?: string } = {}): Promise<CaseResult[]> {
  return runSuite({ url, agent: options.agent ?? 'test', cases: selectCases(patterns), parallel: options.parallel ?? 16, timeoutScale: options.timeoutScale ?? 1 });
}

/** "behavior / behaviorClose" per case id. */
export function verdicts(results: readonly CaseResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.caseId, `${r.behavior} / ${r.behaviorClose}`]));
}

/** Asserts that no case FAILED, listing the ones that did with their reasons. */
export function assertNoFailure(results: readonly CaseResult[], expectedCount: number): void {
  assert.equal(results.length, expectedCount);
  const failed = results
    .filter(isCaseFailure)
    .map((r) => `${r.caseId}: ${r.behavior} / ${r.behaviorClose} — ${r.result} ${r.resultClose} (${r.closeFacts.wasNotCleanReason ?? 'clean'})`);
  assert.deepEqual(failed, []);
}
