/**
 * The load generator: raw sockets and frames encoded once up front, so that it does almost no
 * work per message and the server is what gets measured. It never parses what comes back: an
 * echo of an N-byte binary message is one unmasked frame of a known size, so counting bytes
 * counts echoes (and TCP keeps them in order per connection, which latency samples rely on).
 *
 * Modes: throughput (pipelined), latency (a fixed rate, several servers in turns), handshakes
 * (open, upgrade, reset; several servers in turns), idle (hold N upgraded connections and read
 * the server's RSS), stream (raw TCP ceiling).
 */
import * as net from 'node:net';
import { runChild } from '../lib/child';
import { cpuMeter, cpuSeconds, residentBytes } from '../lib/procfs';
import { BENCH_MASK, Opcode, binaryPayload, encodeTestFrame, frameSize, headEnd, repeatFrame, upgradeRequest } from '../lib/frames';

/** A server under load. */
export interface Peer {
  port: number;
  /** The peer echoes the request frame as it is (a raw TCP echo) instead of an unmasked frame. */
  rawEcho?: boolean;
}

interface CommonArgs {
  size: number;
  connections: number;
  warmupMs: number;
  measureMs: number;
  /** Source addresses to spread connections over (127.0.0.x), so ports never run out. */
  sourceAddresses?: string[];
}

/** One server, measured alone. */
export interface ServerLoadArgs extends CommonArgs, Peer {
  mode: 'throughput' | 'idle' | 'stream';
  /** The server's PID, for its CPU share (and RSS in idle mode). */
  serverPid: number;
}

/** Several servers, measured in turns at a fixed rate. */
export interface LatencyArgs extends CommonArgs {
  mode: 'latency';
  /** Messages per second to each target. */
  rate: number;
  targets: Peer[];
}

/** Several servers' handshakes, measured in turns. */
export interface HandshakeArgs extends CommonArgs {
  mode: 'handshakes';
  /** Each server, with its PID for its CPU time. */
  targets: Array<Peer & { pid: number }>;
  /** One turn; `measureMs` is each target's total over its turns. */
  turnMs: number;
}

export type LoadArgs = ServerLoadArgs | LatencyArgs | HandshakeArgs;

export interface LoadResult {
  /** Echoed messages (or handshakes) per second. */
  perSecond: number;
  /** Payload MB/s (10^6 bytes) one way. */
  mbps: number;
  /** latency: one figure per target, in the order of `targets`. */
  latencies?: LatencyFigure[];
  /** handshakes: one figure per target, in the order of `targets`. */
  handshakes?: HandshakeFigure[];
  /** idle: RSS growth per connection in bytes, and the count actually held. */
  bytesPerConnection?: number;
  held?: number;
  /** CPU share of the server and of this generator during the measurement (1.0 = a core). */
  serverCpu: number;
  generatorCpu: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every connection here reads into this one buffer (net's `onread`), up to 1 MiB per read: no
 * allocation per read and no garbage, so the generator's own CPU is little more than the kernel's
 * copying. Reads are handled synchronously, one at a time, so the buffer can be shared.
 */
const READ_BUFFER = Buffer.allocUnsafe(1024 * 1024);

/** A client connection whose reads the tests count, never keep: an echo's size is known. */
class Connection {
  readonly socket: net.Socket;
  /** Bytes read that no counter has taken yet (those after the upgrade's head, until `countReads`). */
  private unclaimed = 0;
  private readonly keepUnclaimed = (_: Buffer, length: number) => {
    this.unclaimed += length;
  };
  private onRead: (buffer: Buffer, length: number) => void = this.keepUnclaimed;

  constructor(
    private readonly port: number,
    localAddress?: string,
  ) {
    this.socket = net.connect({
      host: '127.0.0.1',
      port,
      localAddress,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (length, buffer) => {
          this.onRead(buffer as Buffer, length);
          return true;
        },
      },
    });
    this.socket.on('error', () => {});
  }

  /** Resolves once connected, or rejects with the connection's error. */
  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.once('connect', () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
  }

  /** Sends the upgrade request and resolves on a 101 response (the bytes after its head are kept as unclaimed). */
  async upgrade(): Promise<void> {
    await this.connected();
    await new Promise<void>((resolve, reject) => {
      let head = Buffer.alloc(0);
      this.onRead = (buffer, length) => {
        head = Buffer.concat([head, buffer.subarray(0, length)]);
        const end = headEnd(head);
        if (end < 0) return;
        this.onRead = this.keepUnclaimed;
        this.unclaimed = head.length - end;
        if (head.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) resolve();
        else reject(new Error(`upgrade refused: ${head.subarray(0, Math.min(end, 200)).toString('latin1')}`));
      };
      this.socket.once('close', () => reject(new Error('connection closed during the upgrade')));
      this.socket.write(upgradeRequest(this.port));
    });
  }

  /** From now on, calls `counter` with the length of every read; returns the bytes read before. */
  countReads(counter: (length: number) => void): number {
    this.onRead = (_, length) => counter(length);
    const before = this.unclaimed;
    this.unclaimed = 0;
    return before;
  }
}

/** A connection to `peer`: upgraded, or plain TCP for the raw echo (which is not a WebSocket). */
async function open(peer: Peer, localAddress?: string): Promise<Connection> {
  const connection = new Connection(peer.port, peer.rawEcho ? undefined : localAddress);
  try {
    if (peer.rawEcho) await connection.connected();
    else await connection.upgrade();
    return connection;
  } catch (error) {
    reset(connection.socket);
    throw error;
  }
}

/** Opens `count` connections, `parallel` at a time, spread over the source addresses. */
async function openMany(peer: Peer, sources: string[] = [], count: number, parallel: number): Promise<Connection[]> {
  const out: Connection[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await open(peer, sources.length ? sources[i % sources.length] : undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return out;
}

/** Ends a socket with a reset: no TIME_WAIT, so thousands of runs do not use up the ports. */
function reset(socket: net.Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

/** How many messages each connection keeps in flight: about 512 KiB, at least 2, at most 128. */
function windowFor(size: number): number {
  return Math.max(2, Math.min(128, Math.floor((512 * 1024) / size)));
}

/** A connection that keeps a window of pipelined echo requests in flight and counts the echoes. */
function pipeline(connection: Connection, request: Buffer, batch: Buffer, window: number, echoSize: number, onEchoes: (n: number) => void): void {
  const { socket } = connection;
  const send = (n: number) => {
    // Small frames go out as one write of n back-to-back copies; large ones one write each.
    if (batch.length > request.length) socket.write(batch.subarray(0, n * request.length));
    else for (let i = 0; i < n; i++) socket.write(request);
  };
  let pendingBytes = connection.countReads((length) => {
    pendingBytes += length;
    const echoes = Math.floor(pendingBytes / echoSize);
    if (echoes === 0) return;
    pendingBytes -= echoes * echoSize;
    onEchoes(echoes);
    send(echoes);
  });
  send(window);
}

async function throughput(args: ServerLoadArgs): Promise<LoadResult> {
  const request = encodeTestFrame(Opcode.Binary, binaryPayload(args.size), BENCH_MASK);
  const window = windowFor(args.size);
  const batch = args.size <= 64 * 1024 ? repeatFrame(request, window) : request;
  const echoSize = frameSize(args.size, args.rawEcho === true);
  const connections = await openMany(args, args.sourceAddresses, args.connections, 64);
  let echoes = 0;
  for (const connection of connections) pipeline(connection, request, batch, window, echoSize, (n) => (echoes += n));
  try {
    await sleep(args.warmupMs);
    const server = cpuMeter(args.serverPid);
    const generator = cpuMeter(process.pid);
    server.start();
    generator.start();
    const start = performance.now();
    const before = echoes;
    await sleep(args.measureMs);
    const seconds = (performance.now() - start) / 1000;
    const perSecond = (echoes - before) / seconds;
    return { perSecond, mbps: (perSecond * args.size) / 1e6, serverCpu: server.stop(), generatorCpu: generator.stop() };
  } finally {
    for (const { socket } of connections) reset(socket);
  }
}

export interface LatencyFigure {
  /** Every measured echo's latency, to 0.1 µs: the runner takes percentiles, per run and pooled over runs. */
  samplesMs: number[];
}

/** Echoes each target gets before its latency is measured: about 8 MiB, 32 to 8,192 messages. */
function warmupMessages(size: number): number {
  return Math.max(32, Math.min(8192, Math.floor((8 * 1024 * 1024) / size)));
}
const SETTLE_MS = 300;

/** Each target's turn; it sends during the first SEND_MS of it, and the rest lets the last echoes land. */
const SLICE_MS = 100;
const SEND_MS = 75;

/**
 * Latency of several servers measured in the same seconds: they take turns in 100 ms slices
 * (ours, ws, ws+addons, raw TCP, ours, ...), each loaded at `rate` messages per second
 * round-robin over its connections during the first 75 ms of its slice, so no two are ever
 * loaded at once. The machine's own hiccups (a raw TCP echo showed the same 2-4 ms p99 as both
 * WebSocket servers) then fall on all of them alike instead of on whichever ran in a bad second.
 * Each echo is timed from the moment its frame was handed to the socket; messages due are sent
 * on each 1 ms timer tick. `measureMs` is each target's share of sending time.
 */
async function latency(args: LatencyArgs): Promise<LatencyFigure[]> {
  const { targets, rate } = args;
  const request = encodeTestFrame(Opcode.Binary, binaryPayload(args.size), BENCH_MASK);
  const samples: number[][] = targets.map(() => []);
  // Echoes of frames sent from here on are samples; those of the warm-up slices are not.
  let measureFrom = Infinity;
  const connections = await Promise.all(
    targets.map(async (target, t) => {
      const echoSize = frameSize(args.size, target.rawEcho === true);
      const opened = await openMany(target, args.sourceAddresses, args.connections, 64);
      const list = opened.map((connection) => {
        const { socket } = connection;
        const sentAt: number[] = [];
        let head = 0;
        let whenAnswered: (() => void) | null = null;
        let pendingBytes = connection.countReads((length) => {
          pendingBytes += length;
          const now = performance.now();
          while (pendingBytes >= echoSize && head < sentAt.length) {
            pendingBytes -= echoSize;
            if (sentAt[head] >= measureFrom) samples[t].push(now - sentAt[head]);
            head++;
          }
          if (whenAnswered && head === sentAt.length) {
            const resolve = whenAnswered;
            whenAnswered = null;
            resolve();
          }
        });
        return {
          socket,
          sentAt,
          answered: () => head,
          /** Sends one request and resolves on its echo (the warm-up's ping-pong). */
          roundTrip: () =>
            new Promise<void>((resolve) => {
              whenAnswered = resolve;
              sentAt.push(-1);
              socket.write(request);
            }),
        };
      });
      return { list, next: 0 };
    }),
  );
  // Servers start fresh for each run, and at a fixed rate of a few thousand messages V8 takes
  // seconds to tier their code up: measured, its compiler threads were busy through the whole
  // run, and on two cores their bursts were the p99. So each server gets a burst of pipelined
  // echoes (the paths of a full read), then a quarter as many one at a time (the paths of a read
  // holding one message, as in the slices), then a pause for the compiler and the collector to
  // finish, and the slices measure servers in their steady state.
  for (const { list } of connections) {
    const perConnection = Math.ceil(warmupMessages(args.size) / list.length);
    for (const c of list) {
      for (let i = 0; i < perConnection; i++) c.sentAt.push(-1);
      if (args.size <= 64 * 1024) c.socket.write(repeatFrame(request, perConnection));
      else for (let i = 0; i < perConnection; i++) c.socket.write(request);
    }
  }
  for (let i = 0; i < 1000 && connections.some(({ list }) => list.some((c) => c.answered() < c.sentAt.length)); i++) await sleep(10);
  for (const { list } of connections) {
    for (let i = 0; i < warmupMessages(args.size) / 4; i++) await list[i % list.length].roundTrip();
  }
  await sleep(SETTLE_MS);
  const slices = (ms: number) => Math.ceil(ms / SEND_MS) * targets.length;
  const warmupSlices = slices(args.warmupMs);
  const totalSlices = warmupSlices + slices(args.measureMs);
  try {
    await new Promise<void>((resolve) => {
      let slice = -1;
      let sliceStart = 0;
      let sentInSlice = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        if (slice < 0 || now - sliceStart >= SLICE_MS) {
          slice++;
          sliceStart = now;
          sentInSlice = 0;
          if (slice === warmupSlices) measureFrom = now;
          if (slice === totalSlices) {
            clearInterval(timer);
            resolve();
            return;
          }
        }
        const elapsed = Math.min(now - sliceStart, SEND_MS);
        const mine = connections[slice % targets.length];
        const due = Math.floor((elapsed * rate) / 1000) - sentInSlice;
        for (let i = 0; i < due; i++, sentInSlice++) {
          const c = mine.list[mine.next++ % mine.list.length];
          c.sentAt.push(performance.now());
          c.socket.write(request);
        }
      }, 1);
    });
    // Let the last echoes arrive (at most 2 s), so the tail is not cut off.
    const unanswered = () => connections.some(({ list }) => list.some((c) => c.answered() < c.sentAt.length));
    for (let i = 0; i < 200 && unanswered(); i++) await sleep(10);
    return samples.map((list) => ({ samplesMs: list.map((ms) => Math.round(ms * 1e4) / 1e4) }));
  } finally {
    for (const { list } of connections) for (const { socket } of list) reset(socket);
  }
}

export interface HandshakeFigure {
  perSecond: number;
  /** Server CPU seconds per handshake, over the measured turns. */
  serverCpuPerHandshake: number;
  /** The generator's CPU share (1.0 = a core) during this target's turns. */
  generatorCpu: number;
}

/**
 * Upgrades per second: `connections` clients in parallel, each connect, upgrade, reset, repeat.
 * The servers take turns, as in `latency`: first a warm-up of `warmupMs` each (V8 compiles a
 * fresh server for about two seconds of this load), then turns of `turnMs` until each has had
 * `measureMs`. Measured one after the other, as until 2026-11-27, one server's three runs read
 * 2,040, 6,080 and 4,570 handshakes/s: a run's 700 ms fell into a good or a bad second of the
 * machine. A handshake counts for a turn when it started and ended in it; those in flight when
 * the turn changes (32 at most, a few milliseconds' worth) count only for the server's CPU.
 */
async function handshakes(args: HandshakeArgs): Promise<HandshakeFigure[]> {
  const { targets } = args;
  const sources = args.sourceAddresses ?? [];
  const counted = targets.map(() => 0);
  const completed = targets.map(() => 0);
  const turnSeconds = targets.map(() => 0);
  const generatorSeconds = targets.map(() => 0);
  let current = 0;
  let turn = 0;
  let measuring = false;
  let stop = false;
  let failures = 0;
  let n = 0;
  const client = async () => {
    while (!stop && failures < 100) {
      const target = current;
      const startedIn = turn;
      try {
        const { socket } = await open(targets[target], sources.length ? sources[n++ % sources.length] : undefined);
        reset(socket);
        completed[target]++;
        if (measuring && turn === startedIn) counted[target]++;
      } catch {
        failures++;
      }
    }
  };
  const clients = Array.from({ length: args.connections }, client);
  const takeTurn = async (target: number, ms: number) => {
    current = target;
    turn++;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(ms);
    if (!measuring) return;
    turnSeconds[target] += (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    generatorSeconds[target] += (cpu.user + cpu.system) / 1e6;
  };
  for (let t = 0; t < targets.length; t++) await takeTurn(t, args.warmupMs);
  // Server CPU over the whole measuring time: a server waiting for its turn uses none.
  const cpu0 = targets.map((t) => cpuSeconds(t.pid));
  const completed0 = [...completed];
  measuring = true;
  const rounds = Math.max(1, Math.round(args.measureMs / args.turnMs));
  for (let round = 0; round < rounds; round++) for (let t = 0; t < targets.length; t++) await takeTurn(t, args.turnMs);
  measuring = false;
  stop = true;
  // The handshakes still in flight finish, and with them the servers' work for them.
  await Promise.all(clients);
  if (failures >= 100) throw new Error('handshakes keep failing');
  return targets.map((t, i) => ({
    perSecond: counted[i] / turnSeconds[i],
    serverCpuPerHandshake: (cpuSeconds(t.pid) - cpu0[i]) / (completed[i] - completed0[i]),
    generatorCpu: generatorSeconds[i] / turnSeconds[i],
  }));
}

/** Holds `connections` idle upgraded connections and reports the server's RSS growth per connection. */
async function idle(args: ServerLoadArgs): Promise<LoadResult> {
  // Warm up first: the first connections page in code and grow pools once per process, which is
  // not memory per connection. Then the baseline, then the connections that are measured.
  const warm = await openMany(args, args.sourceAddresses, 100, 50);
  for (const { socket } of warm) reset(socket);
  await sleep(500);
  const before = residentBytes(args.serverPid);
  const connections = await openMany(args, args.sourceAddresses, args.connections, 128);
  try {
    // Let the server finish its work for the last handshakes.
    await sleep(args.warmupMs);
    const after = residentBytes(args.serverPid);
    return { perSecond: 0, mbps: 0, bytesPerConnection: (after - before) / connections.length, held: connections.length, serverCpu: 0, generatorCpu: 0 };
  } finally {
    for (const { socket } of connections) reset(socket);
  }
}

/** Raw TCP into a sink that answers with one byte once it has read everything: the loopback ceiling. */
async function stream(args: ServerLoadArgs): Promise<LoadResult> {
  const chunk = binaryPayload(args.size);
  const socket = net.connect({ host: '127.0.0.1', port: args.port });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  const acknowledged = new Promise((resolve) => socket.once('data', resolve));
  const generator = cpuMeter(process.pid);
  generator.start();
  const start = performance.now();
  let bytes = 0;
  try {
    while (performance.now() - start < args.measureMs) {
      if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
      bytes += chunk.length;
    }
    socket.end();
    await acknowledged;
    const seconds = (performance.now() - start) / 1000;
    return { perSecond: bytes / args.size / seconds, mbps: bytes / 1e6 / seconds, serverCpu: NaN, generatorCpu: generator.stop() };
  } finally {
    reset(socket);
  }
}

runChild<LoadArgs, LoadResult>(async (args) => {
  switch (args.mode) {
    case 'throughput':
      return throughput(args);
    case 'latency': {
      const generator = cpuMeter(process.pid);
      generator.start();
      const latencies = await latency(args);
      return { perSecond: NaN, mbps: NaN, latencies, serverCpu: NaN, generatorCpu: generator.stop() };
    }
    case 'handshakes':
      return { perSecond: NaN, mbps: NaN, handshakes: await handshakes(args), serverCpu: NaN, generatorCpu: NaN };
    case 'idle':
      return idle(args);
    case 'stream':
      return stream(args);
  }
});
