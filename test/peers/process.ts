// Bounded child processes for the peer harnesses: every wait has a time-out, and every child is
// killed by its own PID (never by name). Children still alive when the test process exits are
// killed too, so a failing test leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }

/** Starts a child that is tracked (and killed at exit if still running). stdio: pipes. */
export function startTracked(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited, or false after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(false); }, ms);
    const onExit = () => { clearTimeout(timer); resolve(true); };
    child.once('exit', onExit);
  });
}

/** SIGTERM to this child's PID, then SIGKILL after `graceMs`; resolves once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || exited(child)) return;
  try { process.kill(child.pid, 'SIGTERM'); } catch { /* already gone */ }
  if (await waitForExit(child, graceMs)) return;
  try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  if (!(await waitForExit(child, 5000))) throw new Error(`process ${child.pid} did not exit after SIGKILL`);
}

/** Runs a command to completion with stdin `input`, killing it (by PID) after `timeoutMs`. */
export async function runBounded(command: string, args: string[], input: string, timeoutMs: number, cwd?: string): Promise<RunResult> {
  const child = startTracked(command, args, { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  child.stdin!.on('error', () => { /* the child may exit before reading everything */ });
  const done = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const failed = new Promise<Error>((resolve) => child.once('error', resolve));
  child.stdin!.end(input);
  let timedOut = false;
  try {
    const outcome = await Promise.race([
      done.then(() => 'done' as const),
      failed,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref()),
    ]);
    if (outcome instanceof Error) throw outcome;
    if (outcome === 'timeout') timedOut = true;
  } finally {
    if (!exited(child)) await stopProcess(child, 500);
  }
  return { code: child.exitCode, signal: child.signalCode, stdout, stderr, timedOut };
}

/**
 * Reads the child's stdout line by line; resolves with the first line `match` accepts. Rejects on
 * exit or after `timeoutMs`, with the stderr seen so far. Later lines go to `onLine`.
 */
export function waitForLine(child: ChildProcess, match: (line: string) => boolean, timeoutMs: number, onLine?: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    let found = false;
    child.stderr!.setEncoding('utf8').on('data', (s: string) => { stderr = (stderr + s).slice(-4000); });
    const timer = setTimeout(() => fail(new Error(`no matching line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    const onExit = (code: number | null, signal: string | null) => fail(new Error(`process exited (${code ?? signal}) before it was ready; stderr: ${stderr}`));
    function fail(err: Error) {
      if (found) return;
      found = true;
      clearTimeout(timer);
      reject(err);
    }
    child.once('exit', onExit);
    child.once('error', (err) => fail(new Error(`process failed to start: ${err.message}`)));
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      buffer += s;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!found && match(line)) {
          found = true;
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve(line);
        } else if (found) onLine?.(line);
      }
    });
  });
}

/**
 * This directory (test/peers). `__dirname` is right when the file runs as CommonJS (the project's
 * tests); tsx loading it from an ES module gives a data: URL instead, hence the fallback.
 */
export function peersDir(): string {
  if (typeof __dirname === 'string' && existsSync(join(__dirname, 'python', 'client.py'))) return __dirname;
  return join(process.cwd(), 'test', 'peers');
}

/** Rejects after `ms` with `what` in the message, unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
