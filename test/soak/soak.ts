/**
 * The soak: `wsw serve` as a separate process (dist/cli.js), many idle connections held open
 * (raw sockets spread over source addresses 127.0.0.x), and churn next to them: clients of our
 * own transport that connect, exchange echoed messages (some compressed), ping, and leave by a
 * clean close, by dropping TCP, or by breaking the protocol. The server's RSS and open file
 * descriptors (from /proc) are sampled throughout. Loopback only; every loop is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { encodeFrame } from '../../src/engine';
import { connect, type WebSocketConnection } from '../../src/transport';
import { Rng } from '../fuzz/random';

export interface SoakOptions {
  /** Path of the built CLI (dist/cli.js). */
  cli: string;
  idle: number;
  churnSeconds: number;
  /** Churn clients running at once. */
  churnWorkers: number;
  /** Time for the server to settle before a measurement (ms). */
  settleMs: number;
  /** Interval of the RSS/fd samples during the churn (ms). */
  sampleMs: number;
  seed: number;
  log: (line: string) => void;
}

export interface ServerStats {
  rssKiB: number;
  fds: number;
}

export interface SoakReport {
  command: string;
  start: ServerStats;
  loaded: ServerStats;
  afterChurn: ServerStats;
  end: ServerStats;
  samples: { atSeconds: number; rssKiB: number; fds: number }[];
  idle: { opened: number; ponged: number; closedCleanly: number; droppedEarly: number; sourceAddresses: number };
  churn: { sessions: number; messages: number; bytes: number; cleanCloses: number; terminated: number; violations: number; errors: string[] };
  seconds: number;
}

/** Random bytes to cut binary messages from (cheaper than making them one by one). */
const noise = randomBytes(128 * 1024);
const MASK = Uint8Array.of(0x0a, 0x0b, 0x0c, 0x0d);
const masked = (opcode: number, payload: Uint8Array) => Buffer.concat(encodeFrame({ opcode, payload, mask: MASK }));
const upgradeRequest = 'GET /soak HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

export function serverStats(pid: number): ServerStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return { rssKiB: rss ? Number(rss[1]) : NaN, fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** The soft limit on open files of a process, from /proc (Node raises its own to the hard limit). */
export function openFileLimit(pid: number | 'self'): number {
  const line = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return line && line[1] !== 'unlimited' ? Number(line[1]) : Infinity;
}

export const formatStats = (s: ServerStats) => `RSS ${(s.rssKiB / 1024).toFixed(1)} MiB, ${s.fds} fds`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function startServer(cli: string, maxConnections: number): Promise<{ child: ChildProcess; url: string; port: number; stderr: () => string }> {
  const args = [cli, 'serve', '--port', '0', '--max-connections', String(maxConnections)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err = (err + c).slice(-4000)));
  const url = await withTimeout(
    new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', () => {
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`wsw serve exited with ${code}: ${err}`)));
    }),
    15000,
    'wsw serve start-up',
  );
  return { child, url, port: Number(new URL(url).port), stderr: () => err };
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = await Promise.race([exited.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 10000)))]);
  clearTimeout(timer);
  if (killed && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** An idle connection: a raw socket that completed the upgrade and then says nothing. */
interface IdleConnection {
  socket: net.Socket;
  received: Buffer;
  closed: boolean;
}

function openIdle(port: number, localAddress: string | undefined): Promise<IdleConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const conn: IdleConnection = { socket, received: Buffer.alloc(0), closed: false };
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      conn.received = Buffer.concat([conn.received, chunk]);
      if (!upgraded) {
        const end = conn.received.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = conn.received.subarray(0, end).toString('latin1');
        conn.received = conn.received.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101 ')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
        upgraded = true;
        resolve(conn);
      }
    });
    socket.on('error', (error) => {
      if (!upgraded) reject(error);
    });
    socket.on('close', () => {
      conn.closed = true;
      if (!upgraded) reject(new Error('closed during the upgrade'));
    });
    socket.once('connect', () => socket.write(upgradeRequest));
  });
}

/** Source addresses 127.0.0.2..: so that 10,000+ connections never run short of ephemeral ports. */
async function sourceAddresses(port: number, wanted: number): Promise<(string | undefined)[]> {
  try {
    const probe = await openIdle(port, '127.0.0.2');
    probe.socket.destroy();
    return Array.from({ length: wanted }, (_, i) => `127.0.0.${2 + i}`);
  } catch {
    return [undefined]; // this system cannot bind 127.0.0.x: use the default source address
  }
}

async function churnSession(url: string, rng: Rng, report: SoakReport['churn']): Promise<void> {
  const ws: WebSocketConnection = await withTimeout(connect(url, { deflate: rng.chance(0.5), closeTimeoutMs: 3000, handshakeTimeoutMs: 10000 }), 15000, 'connect');
  try {
    for (let i = rng.int(1, 5); i > 0; i--) {
      const binary = rng.chance(0.5);
      const size = rng.size(64 * 1024);
      const from = rng.int(0, noise.length - size);
      const payload = binary ? noise.subarray(from, from + size) : Buffer.from('soak '.repeat(Math.ceil(size / 5)).slice(0, size));
      const echoed = withTimeout(once(ws, 'message') as Promise<[Uint8Array, boolean]>, 10000, 'echo');
      ws.send(payload, { binary });
      const [data, wasBinary] = await echoed;
      if (wasBinary !== binary || Buffer.compare(Buffer.from(data), Buffer.from(payload)) !== 0) throw new Error('the echo differs from the message');
      report.messages++;
      report.bytes += size;
    }
    if (rng.chance(0.2)) {
      const pong = withTimeout(once(ws, 'pong'), 10000, 'pong');
      ws.ping('soak');
      await pong;
    }
    const ending = rng.int(0, 9);
    if (ending === 0) {
      ws.terminate();
      await ws.closed;
      report.terminated++;
    } else if (ending === 1) {
      // A frame with a reserved opcode: the server must fail the connection with 1002.
      ws.sendRaw(masked(0x3, new Uint8Array(4)));
      const info = await withTimeout(ws.closed, 10000, 'close after a protocol violation');
      if (info.received?.code !== 1002) throw new Error(`a protocol violation was answered with ${info.received?.code ?? 'no close frame'}`);
      report.violations++;
    } else {
      const info = await withTimeout(ws.close(1000), 10000, 'close');
      if (!info.wasClean) throw new Error(`close not clean: ${info.code}`);
      report.cleanCloses++;
    }
  } finally {
    ws.terminate();
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { log } = options;
  const started = Date.now();
  const needed = options.idle + options.churnWorkers + 200;
  const limit = openFileLimit('self');
  if (limit < needed) throw new Error(`the open-file limit (${limit}) is below the ${needed} this soak needs: raise it (ulimit -n) or lower the connection count`);
  const maxConnections = options.idle + options.churnWorkers + 100;
  const server = await startServer(options.cli, maxConnections);
  const command = `node ${options.cli} serve --port 0 --max-connections ${maxConnections}`;
  const pid = server.child.pid!;
  const serverLimit = openFileLimit(pid);
  const idle: IdleConnection[] = [];
  const report: SoakReport = {
    command,
    start: serverStats(pid),
    loaded: { rssKiB: 0, fds: 0 },
    afterChurn: { rssKiB: 0, fds: 0 },
    end: { rssKiB: 0, fds: 0 },
    samples: [],
    idle: { opened: 0, ponged: 0, closedCleanly: 0, droppedEarly: 0, sourceAddresses: 0 },
    churn: { sessions: 0, messages: 0, bytes: 0, cleanCloses: 0, terminated: 0, violations: 0, errors: [] },
    seconds: 0,
  };
  try {
    if (serverLimit < needed) throw new Error(`wsw serve may open only ${serverLimit} files, the soak needs ${needed}`);
    await sleep(options.settleMs);
    report.start = serverStats(pid);
    log(`server ${command} (pid ${pid}) at start: ${formatStats(report.start)}`);

    // 1. The idle connections, 200 handshakes at a time.
    const addresses = await sourceAddresses(server.port, Math.max(1, Math.ceil(options.idle / 2000)));
    report.idle.sourceAddresses = addresses.length;
    for (let i = 0; i < options.idle; i += 200) {
      const batch = Array.from({ length: Math.min(200, options.idle - i) }, (_, j) => openIdle(server.port, addresses[(i + j) % addresses.length]));
      idle.push(...(await withTimeout(Promise.all(batch), 30000, 'opening idle connections')));
    }
    report.idle.opened = idle.length;
    await sleep(options.settleMs);
    report.loaded = serverStats(pid);
    log(`${idle.length} idle connections from ${addresses.length} source address(es): ${formatStats(report.loaded)}`);

    // 2. Churn next to them.
    const churnStart = Date.now();
    const churnEnd = churnStart + options.churnSeconds * 1000;
    const sampler = setInterval(() => {
      const s = serverStats(pid);
      report.samples.push({ atSeconds: Math.round((Date.now() - churnStart) / 1000), ...s });
      log(`  churn ${Math.round((Date.now() - churnStart) / 1000)} s: ${report.churn.sessions} sessions, ${report.churn.messages} messages; server ${formatStats(s)}`);
    }, options.sampleMs);
    const worker = async (index: number) => {
      const rng = new Rng(options.seed + index * 7919);
      for (let n = 0; Date.now() < churnEnd && n < 10_000_000; n++) {
        try {
          await churnSession(server.url, rng, report.churn);
        } catch (error) {
          if (report.churn.errors.length < 20) report.churn.errors.push((error as Error).message);
          await sleep(50);
        }
        report.churn.sessions++;
      }
    };
    await Promise.all(Array.from({ length: options.churnWorkers }, (_, i) => worker(i)));
    clearInterval(sampler);
    await sleep(options.settleMs);
    report.afterChurn = serverStats(pid);
    log(`after churn (${report.churn.sessions} sessions, ${report.churn.messages} messages, ${(report.churn.bytes / 1048576).toFixed(0)} MiB echoed, ${report.churn.errors.length} errors) and ${options.settleMs} ms to settle: ${formatStats(report.afterChurn)}`);

    // 3. Every idle connection is still there: ping each, expect its pong.
    report.idle.droppedEarly = idle.filter((c) => c.closed).length;
    for (const c of idle) if (!c.closed) c.socket.write(masked(0x9, Buffer.from('alive?')));
    const pongDeadline = Date.now() + 20000;
    const ponged = () => idle.filter((c) => c.received.length >= 8 && c.received[0] === 0x8a).length;
    while (ponged() < idle.length - report.idle.droppedEarly && Date.now() < pongDeadline) await sleep(50);
    report.idle.ponged = ponged();

    // 4. Close them all: close frame, the server's close and its end of TCP.
    for (const c of idle) if (!c.closed) c.socket.write(masked(0x8, Uint8Array.of(0x03, 0xe8)));
    const closeDeadline = Date.now() + 30000;
    while (idle.some((c) => !c.closed) && Date.now() < closeDeadline) await sleep(50);
    report.idle.closedCleanly = idle.filter((c) => c.closed && c.received.includes(Buffer.from([0x88, 0x02, 0x03, 0xe8]))).length;
    await sleep(options.settleMs);
    report.end = serverStats(pid);
    log(`all idle connections closed (${report.idle.closedCleanly} cleanly): ${formatStats(report.end)}`);
  } finally {
    for (const c of idle) c.socket.destroy();
    await stopServer(server.child);
    report.seconds = (Date.now() - started) / 1000;
  }
  return report;
}

/** RSS growth over the second half of the churn samples: what would betray a leak in a long run. */
export function lateGrowthKiB(report: SoakReport): number {
  const s = report.samples;
  if (s.length < 4) return report.afterChurn.rssKiB - report.loaded.rssKiB;
  const mid = s[Math.floor(s.length / 2)].rssKiB;
  const lastQuarter = s.slice(Math.floor((s.length * 3) / 4));
  return Math.min(...lastQuarter.map((x) => x.rssKiB)) - mid;
}
