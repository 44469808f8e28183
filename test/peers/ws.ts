// The `ws` package (devDependency) as a real peer, in-process: an echo server and a scripted
// client speaking the same step language as python.ts and chromium.ts.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer, type ClientOptions as WsClientOptions, type PerMessageDeflateOptions, type ServerOptions } from 'ws';
import { withTimeout } from './process';
import {
  checkSteps, DEFAULT_HEX_LIMIT, DEFAULT_MAX_SIZE, DEFAULT_TIMEOUT_MS, describeMessage, payloadBytes, urlFor,
  type ClientOptions, type DeflateParams, type EchoServer, type EchoServerOptions, type PeerResult, type ServerConnection, type Step,
} from './steps';

/**
 * Maps the harness's `deflate` option to ws's perMessageDeflate. ws skips compression below 1024
 * bytes by default; the harness sets threshold 0 so every message is compressed (override with
 * `ws.perMessageDeflate`).
 */
function wsDeflate(deflate: boolean | DeflateParams | undefined): false | PerMessageDeflateOptions {
  if (!deflate) return false;
  if (deflate === true) return { threshold: 0 };
  return {
    threshold: 0,
    serverNoContextTakeover: deflate.serverNoContextTakeover,
    clientNoContextTakeover: deflate.clientNoContextTakeover,
    serverMaxWindowBits: deflate.serverMaxWindowBits,
    // ws accepts `true` (the bare client offer) although its typings say number.
    clientMaxWindowBits: deflate.clientMaxWindowBits as number | undefined,
  };
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

export interface WsEchoServerOptions extends EchoServerOptions {
  /** Passed to `new WebSocketServer()` last, so it wins (autoPong, skipUTF8Validation, perMessageDeflate, …). */
  ws?: Partial<ServerOptions>;
}

/** Starts a `ws` echo server on loopback (port 0: a free port) and waits until it listens. */
export async function startWsEchoServer(options: WsEchoServerOptions = {}): Promise<EchoServer> {
  const host = options.host ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const http: HttpServer = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
  const sockets = new Set<Socket>();
  http.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  const accepted = options.subprotocols ?? [];
  const wss = new WebSocketServer({
    server: http,
    perMessageDeflate: wsDeflate(options.deflate),
    maxPayload: options.maxSize ?? DEFAULT_MAX_SIZE,
    handleProtocols: (offered) => [...offered].find((p) => accepted.includes(p)) ?? false,
    ...options.ws,
  });
  const connections: ServerConnection[] = [];
  const answered = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, req) => {
    const line = headers.find((h) => h.toLowerCase().startsWith('sec-websocket-extensions:'));
    answered.set(req, line ? line.slice(line.indexOf(':') + 1).trim() : '');
  });
  wss.on('connection', (ws, req) => {
    const conn: ServerConnection = {
      path: req.url ?? '',
      requestHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, headerValue(v)])),
      extensions: answered.get(req) ?? '',
      protocol: ws.protocol,
    };
    connections.push(conn);
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    ws.on('error', () => { /* the close event below records the outcome */ });
    ws.on('close', (code, reason) => { conn.close = { code, reason: reason.toString('utf8') }; });
  });
  await withTimeout(new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => resolve());
  }), timeoutMs, 'ws echo server listen');
  const port = (http.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(options.tls ? 'wss' : 'ws', host, port),
    port,
    connections,
    stop: () => (stopped ??= (async () => {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      await withTimeout(new Promise<void>((resolve) => wss.close(() => http.close(() => resolve()))), timeoutMs, 'ws echo server stop');
    })()),
  };
}

export interface WsClientRunOptions extends ClientOptions {
  /** Passed to `new WebSocket()` last, so it wins. */
  ws?: Partial<WsClientOptions>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Waits for a condition that event handlers make true; bounded. */
class Changes {
  private waiters = new Set<() => void>();
  notify(): void { for (const w of [...this.waiters]) w(); }
  until(ready: () => boolean, ms: number, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => { if (ready()) done(); };
      const done = (err?: Error) => { clearTimeout(timer); this.waiters.delete(check); if (err) reject(err); else resolve(); };
      const timer = setTimeout(() => done(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      this.waiters.add(check);
    });
  }
}

/** Runs a `ws` client through `steps` against `url` (in this process) and returns what it saw. */
export async function runWsClient(url: string, steps: readonly Step[], options: WsClientRunOptions = {}): Promise<PeerResult> {
  checkSteps(steps);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const hexLimit = options.hexLimit ?? DEFAULT_HEX_LIMIT;
  const result: PeerResult = { peer: 'ws', opened: false, extensions: '', protocol: '', messages: [], pongs: [], close: null, errors: [] };
  const changes = new Changes();
  let closed = false;
  let failed: Error | undefined;
  const ws = new WebSocket(url, options.subprotocols ?? [], {
    perMessageDeflate: wsDeflate(options.deflate),
    maxPayload: options.maxSize ?? DEFAULT_MAX_SIZE,
    handshakeTimeout: timeoutMs,
    ca: options.ca,
    rejectUnauthorized: !options.insecure,
    ...options.ws,
  });
  ws.on('upgrade', (res) => { result.extensions = headerValue(res.headers['sec-websocket-extensions']); });
  ws.on('open', () => { result.opened = true; result.protocol = ws.protocol; changes.notify(); });
  ws.on('message', (data, isBinary) => {
    result.messages.push(describeMessage(isBinary ? 'binary' : 'text', data as Buffer, hexLimit));
    changes.notify();
  });
  ws.on('pong', (data) => { result.pongs.push(data.toString('hex')); changes.notify(); });
  ws.on('error', (err) => { failed ??= err; if (result.opened) result.errors.push(`error: ${err.message}`); changes.notify(); });
  ws.addEventListener('close', (ev) => {
    closed = true;
    if (result.opened) result.close = { code: ev.code, reason: ev.reason, wasClean: ev.wasClean };
    changes.notify();
  });
  try {
    await changes.until(() => result.opened || closed, timeoutMs + 1000, 'the opening handshake');
  } catch (err) {
    failed ??= err as Error;
  }
  if (!result.opened) {
    result.errors.push(`connect: ${failed?.message ?? 'closed before open'}`);
    ws.terminate();
    return result;
  }
  let awaited = 0;
  try {
    for (const [i, step] of steps.entries()) {
      try {
        switch (step.op) {
          case 'send': {
            const bytes = Buffer.from(payloadBytes(step.type, step.data));
            // Text goes out as a string, as python and the browser send it (so invalid UTF-8 is refused here too).
            const data = step.type === 'text' ? utf8.decode(bytes) : bytes;
            await withTimeout(new Promise<void>((resolve, reject) => ws.send(data, (err) => (err ? reject(err) : resolve()))), timeoutMs, 'send');
            break;
          }
          case 'expect': {
            const target = (awaited += step.count ?? 1);
            await changes.until(() => result.messages.length >= target || closed, step.withinMs ?? timeoutMs, `message #${target}`);
            if (result.messages.length < target) throw new Error(`connection closed after ${result.messages.length} of ${target} messages`);
            break;
          }
          case 'ping': {
            const target = result.pongs.length + 1;
            ws.ping(step.data ? Buffer.from(payloadBytes('binary', step.data)) : Buffer.alloc(0));
            await changes.until(() => result.pongs.length >= target || closed, timeoutMs, 'the pong');
            if (result.pongs.length < target) throw new Error('connection closed before the pong');
            break;
          }
          case 'close':
            if (step.code === undefined) ws.close();
            else ws.close(step.code, step.reason ?? '');
            await changes.until(() => closed, timeoutMs, 'the close');
            break;
          case 'wait-close':
            await changes.until(() => closed, timeoutMs, 'the peer to close');
            break;
          case 'sleep':
            await new Promise((resolve) => setTimeout(resolve, step.ms));
            break;
        }
      } catch (err) {
        result.errors.push(`step ${i} (${step.op}): ${(err as Error).message}`);
        break;
      }
    }
  } finally {
    if (!closed) {
      ws.close(1000);
      try {
        await changes.until(() => closed, timeoutMs, 'the final close');
      } catch (err) {
        result.errors.push(`final close: ${(err as Error).message}`);
        ws.terminate();
      }
    }
  }
  return result;
}
