// Our own engine in the harness's terms, so the real peers can be pointed at it: `wsw serve`
// (the built CLI, as its own process) as an echo server, and our client running the step language.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect, type WebSocketConnection } from '../../src/transport';
import {
  checkSteps, DEFAULT_HEX_LIMIT, DEFAULT_TIMEOUT_MS, describeMessage, payloadBytes,
  type ClientOptions, type EchoServer, type PeerResult, type Step,
} from './steps';
import type { TestCert } from './certs';
import { stopProcess } from './process';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

export interface WswServe {
  /** ws:// and, with a certificate, wss:// URLs. */
  ws: EchoServer;
  wss: EchoServer | null;
  stop(): Promise<void>;
}

/** Starts `node dist/cli.js serve` on free ports (build first) and waits for its URLs. */
export async function startWswServe(options: { deflate: boolean; tls?: TestCert; timeoutMs?: number }): Promise<WswServe> {
  const args = ['serve', '--port', '0', options.deflate ? '--deflate' : '--no-deflate'];
  if (options.tls) args.push('--tls-port', '0', '--cert', options.tls.certPath, '--key', options.tls.keyPath);
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const expected = options.tls ? 2 : 1;
  const urls: string[] = [];
  let output = '';
  const stop = () => stopProcess(child, 5000);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wsw serve printed no URLs within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms: ${output}`)), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      child.stderr!.on('data', (c) => (output += c));
      child.stdout!.on('data', (chunk) => {
        output += chunk;
        for (const m of output.matchAll(/^listening on (\S+)$/gm)) if (!urls.includes(m[1])) urls.push(m[1]);
        if (urls.length === expected) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`wsw serve exited with ${code}: ${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const asServer = (url: string): EchoServer => ({ url, port: Number(new URL(url).port), connections: [], stop });
  return { ws: asServer(urls[0]), wss: urls[1] ? asServer(urls[1]) : null, stop };
}

/** Runs our client (src/transport) through `steps`, reporting like every other harness. */
export async function runWorkbenchClient(url: string, steps: readonly Step[], options: ClientOptions = {}): Promise<PeerResult> {
  checkSteps(steps);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hexLimit = options.hexLimit ?? DEFAULT_HEX_LIMIT;
  const result: PeerResult = { peer: 'workbench', opened: false, extensions: '', protocol: '', messages: [], pongs: [], close: null, errors: [] };
  let ws: WebSocketConnection;
  try {
    ws = await connect(url, {
      deflate: options.deflate,
      subprotocols: options.subprotocols,
      ca: options.ca,
      insecure: options.insecure,
      handshakeTimeoutMs: timeoutMs,
      limits: { maxMessageSize: options.maxSize ?? 64 * 1024 * 1024 },
    });
  } catch (error) {
    result.errors.push(`connect: ${(error as Error).message}`);
    return result;
  }
  result.opened = true;
  result.protocol = ws.protocol ?? '';
  const answer = /^sec-websocket-extensions: *(.*)$/im.exec(ws.info.responseHead ?? '');
  result.extensions = answer ? answer[1].trim() : '';
  let changed: () => void = () => {};
  const until = (ready: () => boolean, what: string, ms = timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      if (ready()) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      changed = () => {
        if (!ready()) return;
        clearTimeout(timer);
        resolve();
      };
    });
  ws.on('message', (data, binary) => {
    result.messages.push(describeMessage(binary ? 'binary' : 'text', data, hexLimit));
    changed();
  });
  ws.on('pong', (data) => {
    result.pongs.push(Buffer.from(data).toString('hex'));
    changed();
  });
  ws.on('close', () => changed());
  let expected = 0;
  try {
    for (const [index, step] of steps.entries()) {
      try {
        if (step.op === 'send') ws.send(payloadBytes(step.type, step.data), { binary: step.type === 'binary' });
        else if (step.op === 'expect') {
          expected += step.count ?? 1;
          await until(() => result.messages.length >= expected, `${expected} messages`, step.withinMs);
        } else if (step.op === 'ping') {
          const pongs = result.pongs.length;
          ws.ping(step.data ? payloadBytes('binary', step.data) : new Uint8Array(0));
          await until(() => result.pongs.length > pongs, 'a pong');
        } else if (step.op === 'close') await ws.close(step.code ?? null, step.reason ?? '');
        else if (step.op === 'wait-close') await until(() => ws.state === 'closed', 'the peer to close');
        else await new Promise((resolve) => setTimeout(resolve, step.ms));
      } catch (error) {
        result.errors.push(`step ${index} (${step.op}): ${(error as Error).message}`);
        break;
      }
    }
  } finally {
    if (ws.state === 'open') ws.close(1000);
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    const info = await ws.closed;
    clearTimeout(timer);
    result.close = { code: info.code, reason: info.reason, wasClean: info.wasClean };
  }
  return result;
}
