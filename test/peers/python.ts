// Debian's python3-websockets 10.4 as a real peer: an echo server process and a scripted client.
// Always /usr/bin/python3: a `python3` earlier on PATH (pyenv shim) lacks Debian's dist-packages.
import { join } from 'node:path';
import { peersDir, runBounded, startTracked, stopProcess, waitForLine } from './process';
import {
  checkSteps, DEFAULT_MAX_SIZE, DEFAULT_TIMEOUT_MS, urlFor,
  type ClientOptions, type EchoServer, type EchoServerOptions, type PeerResult, type ServerConnection, type Step,
} from './steps';

export const PYTHON = '/usr/bin/python3';
const scripts = join(peersDir(), 'python');

/** Starts python3-websockets' echo server (test/peers/python/echo_server.py) and waits until it listens. */
export async function startPythonEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const host = options.host ?? '127.0.0.1';
  const config = {
    host,
    port: options.port ?? 0,
    deflate: options.deflate ?? false,
    tls: options.tls ? { certPath: options.tls.certPath, keyPath: options.tls.keyPath } : null,
    maxSize: options.maxSize ?? DEFAULT_MAX_SIZE,
    subprotocols: options.subprotocols ?? [],
  };
  const child = startTracked(PYTHON, ['-u', join(scripts, 'echo_server.py'), JSON.stringify(config)], { cwd: scripts });
  const connections: ServerConnection[] = [];
  const byId = new Map<number, ServerConnection>();
  const onLine = (line: string) => {
    let event: { event: string; id: number; code?: number; reason?: string } & Omit<ServerConnection, 'close'>;
    try { event = JSON.parse(line); } catch { return; }
    if (event.event === 'open') {
      const conn: ServerConnection = { path: event.path, requestHeaders: event.requestHeaders, extensions: event.extensions, protocol: event.protocol };
      byId.set(event.id, conn);
      connections.push(conn);
    } else if (event.event === 'close') {
      const conn = byId.get(event.id);
      if (conn) conn.close = { code: event.code ?? 1006, reason: event.reason ?? '' };
    }
  };
  let port: number;
  try {
    const line = await waitForLine(child, (l) => l.includes('"listening"'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS, onLine);
    port = (JSON.parse(line) as { port: number }).port;
  } catch (err) {
    await stopProcess(child);
    throw new Error(`python echo server did not start: ${(err as Error).message}`, { cause: err });
  }
  return {
    url: urlFor(options.tls ? 'wss' : 'ws', host, port),
    port,
    connections,
    stop: () => stopProcess(child),
  };
}

/**
 * Runs a python3-websockets client through `steps` against `url` in its own process and returns
 * what it saw. The process is killed (by PID) if it outlives the steps' time-outs.
 */
export async function runPythonClient(url: string, steps: readonly Step[], options: ClientOptions = {}): Promise<PeerResult> {
  checkSteps(steps);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Every step waits at most timeoutMs; the final close and start-up get some more.
  const budget = timeoutMs * (steps.length + 3) + 5000;
  const run = await runBounded(PYTHON, ['-u', join(scripts, 'client.py')], JSON.stringify({ url, steps, options }), budget, scripts);
  if (run.timedOut) throw new Error(`python client timed out after ${budget} ms; stderr: ${run.stderr}`);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  if (run.code !== 0 || !last.startsWith('{')) throw new Error(`python client failed (exit ${run.code ?? run.signal}): ${run.stderr || run.stdout}`);
  return JSON.parse(last) as PeerResult;
}
