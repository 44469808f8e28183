/**
 * The runner's child processes: every one is spawned through here, remembered by PID, and killed
 * by that PID when it is done, when its time is up, or when the runner exits for any reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const live = new Map<number, ChildProcess>();

function killAll(): void {
  for (const pid of live.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  /** Node flags before the script, e.g. --expose-gc. */
  nodeFlags?: string[];
}

/**
 * Starts `node [flags] script ...args` with the soft open-files limit raised to the hard limit
 * (10,000 idle connections need 10,000 descriptors). `exec` keeps the PID: it is node's.
 */
export function spawnNode(script: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...(options.nodeFlags ?? []), script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  const pid = child.pid;
  live.set(pid, child);
  child.once('exit', () => live.delete(pid));
  return child;
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const hard = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 3000);
    child.once('exit', () => {
      clearTimeout(hard);
      live.delete(pid);
      resolve();
    });
    try {
      process.kill(pid, signal);
    } catch {
      clearTimeout(hard);
      resolve();
    }
  });
}

/** Runs a bench child to completion and returns what it printed on its `RESULT` line. */
export async function runJsonChild<R>(script: string, args: unknown, options: SpawnOptions & { timeoutMs: number }): Promise<R> {
  const child = spawnNode(script, [JSON.stringify(args)], options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => void stopProcess(child, 'SIGKILL'), options.timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (code !== 0 || !line) throw new Error(`${script} ${JSON.stringify(args)} failed (exit ${code}):\n${stderr.slice(-2000)}`);
    return JSON.parse(line.slice('RESULT '.length)) as R;
  } finally {
    clearTimeout(timer);
    await stopProcess(child, 'SIGKILL');
  }
}

export interface RunningServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** Starts a server that prints `listening on ws://127.0.0.1:PORT/` (or tcp://) once it is ready. */
export async function startServer(script: string, args: string[], options: SpawnOptions = {}): Promise<RunningServer> {
  const child = spawnNode(script, args, options);
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start within 15 s:\n${output}`)), 15_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /listening on \w+:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited (${code}) before listening:\n${output}`));
      });
    });
    // Keep draining its output so a chatty server never blocks on a full pipe.
    child.stdout!.resume();
    child.stderr!.resume();
    return { pid: child.pid!, port, stop: () => stopProcess(child) };
  } catch (error) {
    await stopProcess(child, 'SIGKILL');
    throw error;
  }
}
