/**
 * In-process throughput, no sockets: ours, ws and ws with its native addons in turns in one
 * process, for one side's traffic (a server's or a client's), each driven the way its own
 * transport drives it.
 *
 * - receive: a stream of frames read 64 KiB at a time, each read a copy into the buffer the
 *   stack's socket reads into (Node's own for a 'data' listener: ws, and our server; our client's
 *   `onread` buffers, SocketReads), then into our Connection.receiveData() + events() until it has
 *   no more (paused after each message, as the transport runs it), or into ws's Receiver.write();
 *   counts the messages that come out.
 * - send: our Connection.sendMessage() + dataToSend(), or ws's Sender.send() onto a socket that
 *   drops the bytes.
 * - deflate: compress and inflate a run of distinct 64 KiB text messages with context takeover.
 */
import { Connection, PerMessageDeflate, type DeflateParams } from '../../src/engine';
import { nodeDeflateCodec } from '../../src/transport/deflate-codec';
import { SocketReads } from '../../src/transport/socket-reads';
import { runChild } from '../lib/child';
import { BENCH_MASK, LARGE_MESSAGE, Opcode, binaryPayload, encodeTestFrame, sizeLabel, textPayload } from '../lib/frames';
import { loadWsInternals, type WsSocketLike } from '../lib/ws-internals';

export interface InprocArgs {
  /** Implementations to measure in turn, in one process: 'ws+addons' needs NODE_PATH to find them. */
  impls: Array<'ours' | 'ws' | 'ws+addons'>;
  /**
   * Which side's traffic this process measures: a server's (masked receives, unmasked sends) or
   * a client's (the other way round), as a real process of either would run it. In one process,
   * each role's code was also trained by the other's traffic.
   */
  role: 'server' | 'client';
  runs: number;
  /** Which implementation goes first in the first run (they rotate run by run). */
  firstTurn?: number;
  sizes: number[];
  warmupMs: number;
  measureMs: number;
  /**
   * CPU ms per run for messages of 64 KiB and more. Each of their passes allocates megabytes, and
   * after the forced GC before a run V8 collects often until its limits have grown again: a short
   * run measures that transient (both implementations swung 10x between runs), a long one the
   * steady state a busy server is in.
   */
  largeMeasureMs: number;
  deflate: boolean;
}

/** One figure: payload MB/s (10^6 bytes) and messages (= frames) per second. */
export interface Throughput {
  mbps: number;
  perSecond: number;
}

export interface InprocResult {
  /** figure name -> implementation -> one Throughput per run. */
  figures: Record<string, Record<string, Throughput[]>>;
  info: Record<string, unknown>;
}

const CHUNK = 64 * 1024;
const MAX_PAYLOAD = 64 * 1024 * 1024;

/** Reads a whole stream as a socket would (see `nodeReads`); returns the messages it completed. */
type Receive = (stream: Buffer) => number;
/** Sends one message; returns the bytes handed to the socket. */
type Send = (payload: Buffer) => number;

interface Impl {
  receiver(masked: boolean): Receive;
  sender(masked: boolean, binary: boolean): Send;
  compressor(): (message: Buffer) => Promise<Uint8Array> | Uint8Array;
  inflater(): (compressed: Uint8Array) => Promise<Uint8Array> | Uint8Array;
}

const deflateParams: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function ours(): Impl {
  return {
    receiver(masked) {
      // As the transport drives it: paused after each message, which its reader takes before the
      // next is parsed. (Queuing a whole chunk's messages first, 3,600 of 16 B, kept them all alive
      // through the scavenges in between: 16 B receives ran 1.8-5× slower, and with V8's young
      // generation fixed at 1 MB, 10× slower.)
      const connection = new Connection({ role: masked ? 'server' : 'client', pauseAfterMessage: true, limits: { maxMessageSize: MAX_PAYLOAD, maxFrameSize: MAX_PAYLOAD } });
      let messages = 0;
      const deliver = (chunk: Uint8Array) => {
        connection.receiveData(chunk);
        for (let events = connection.events(); events.length > 0; events = connection.events()) {
          for (const event of events) if (event.type === 'message') messages++;
        }
      };
      // A server reads through 'data' (net.Server cannot give accepted sockets `onread`); a ws://
      // client through SocketReads, straight into large messages.
      const reads = masked ? null : new SocketReads();
      if (reads) {
        reads.engine = connection;
        reads.deliver = deliver;
      }
      return (stream) => {
        messages = 0;
        if (reads) onreadReads(stream, reads);
        else nodeReads(stream, deliver);
        return messages;
      };
    },
    sender(masked, binary) {
      const connection = new Connection({ role: masked ? 'client' : 'server' });
      return (payload) => {
        connection.sendMessage(payload, { binary });
        let bytes = 0;
        for (const part of connection.dataToSend()) bytes += part.length;
        return bytes;
      };
    },
    compressor() {
      const deflate = new PerMessageDeflate(deflateParams, 'server', nodeDeflateCodec);
      return (message) => deflate.compress(message);
    },
    inflater() {
      const deflate = new PerMessageDeflate(deflateParams, 'client', nodeDeflateCodec);
      return (compressed) => deflate.decompress(compressed, MAX_PAYLOAD);
    },
  };
}

function ws(addons: boolean): Impl {
  const { Receiver, Sender, PerMessageDeflate: WsDeflate } = loadWsInternals(addons);
  const promisify = (run: (cb: (error: Error | null, result?: Buffer) => void) => void) =>
    new Promise<Buffer>((resolve, reject) => run((error, result) => (error ? reject(error) : resolve(result!))));
  return {
    receiver(masked) {
      const receiver = new Receiver({ isServer: masked, maxPayload: MAX_PAYLOAD, binaryType: 'nodebuffer' });
      let messages = 0;
      receiver.on('message', () => messages++);
      receiver.on('error', (error) => {
        throw error;
      });
      const write = (chunk: Buffer) => receiver.write(chunk);
      return (stream) => {
        messages = 0;
        nodeReads(stream, write);
        return messages;
      };
    },
    sender(masked, binary) {
      let bytes = 0;
      const socket: WsSocketLike = { cork() {}, uncork() {}, write: (chunk) => ((bytes += chunk.length), true) };
      const sender = new Sender(socket);
      return (payload) => {
        bytes = 0;
        sender.send(payload, { binary, fin: true, mask: masked, compress: false });
        return bytes;
      };
    },
    compressor() {
      const deflate = new WsDeflate({ isServer: true, maxPayload: MAX_PAYLOAD, threshold: 0 });
      deflate.accept([{}]);
      return (message) => promisify((cb) => deflate.compress(message, true, cb));
    },
    inflater() {
      const deflate = new WsDeflate({ isServer: false, maxPayload: MAX_PAYLOAD, threshold: 0 });
      deflate.accept([{}]);
      return (compressed) => promisify((cb) => deflate.decompress(Buffer.from(compressed.buffer, compressed.byteOffset, compressed.length), true, cb));
    },
  };
}

/**
 * CPU time of this process in ms (user + system, all threads: ws inflates on libuv's pool).
 * Wall time on a shared machine measures the neighbours too; CPU time measures the work.
 */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** One pass of a scenario: the payload bytes and messages it handled, and the CPU ms it took. */
type Pass = () => Promise<PassResult> | PassResult;
type PassResult = [bytes: number, messages: number, ms: number];

/** Repeats `pass` until it has used `limitMs` of CPU (at least once, at most 30 s of wall time). */
async function measure(limitMs: number, pass: Pass): Promise<Throughput> {
  let bytes = 0;
  let messages = 0;
  let ms = 0;
  const wallStart = performance.now();
  for (let i = 0; i < 1_000_000 && (i === 0 || (ms < limitMs && performance.now() - wallStart < 30_000)); i++) {
    const [b, m, t] = await pass();
    bytes += b;
    messages += m;
    ms += t;
  }
  return { mbps: bytes / 1e3 / ms, perSecond: (messages * 1000) / ms };
}

/**
 * Reads `stream` as Node reads a socket for a 'data' listener: each read into a new buffer of up
 * to 64 KiB (Node allocates 64 KiB per read), handed on. The copy stands for the kernel's.
 */
function nodeReads(stream: Buffer, deliver: (chunk: Buffer) => void): void {
  for (let at = 0; at < stream.length; at += CHUNK) {
    const n = Math.min(CHUNK, stream.length - at);
    const chunk = Buffer.allocUnsafeSlow(n);
    stream.copy(chunk, 0, at, at + n);
    deliver(chunk);
  }
}

/** Reads `stream` as a socket with `onread` does, into the buffers `reads` hands out, at most 64 KiB a read. */
function onreadReads(stream: Buffer, reads: SocketReads): void {
  const { buffer, callback } = reads.onread as { buffer: () => Uint8Array; callback: (bytes: number, buffer: Uint8Array) => boolean };
  for (let at = 0; at < stream.length; ) {
    const target = buffer();
    const n = Math.min(target.length, CHUNK, stream.length - at);
    stream.copy(target, 0, at, at + n);
    at += n;
    callback(n, target);
  }
}

/** A stream of `count` frames of one payload. */
function frameStream(payload: Buffer, opcode: number, masked: boolean, count: number): Buffer {
  const frame = encodeTestFrame(opcode, payload, masked ? BENCH_MASK : null);
  const stream = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(stream, i * frame.length);
  return stream;
}

/** Frames per pass: about 1 MiB of payload, at least 2 frames. */
function framesPerPass(size: number): number {
  return Math.max(2, Math.floor((1024 * 1024) / size));
}

/** A scenario makes a fresh pass (with fresh parser or sender state) for an implementation. */
interface Scenario {
  name: string;
  /** Messages of 64 KiB or more: measured for largeMeasureMs. */
  large?: boolean;
  pass(impl: Impl): Pass;
}

function receiveScenario(size: number, masked: boolean, binary: boolean): Scenario {
  const payload = binary ? binaryPayload(size) : textPayload(size);
  const count = framesPerPass(size);
  // Never written to: each read copies from it, and the copies are unmasked in place.
  const stream = frameStream(payload, binary ? Opcode.Binary : Opcode.Text, masked, count);
  return {
    name: `receive ${masked ? 'masked' : 'unmasked'} ${binary ? 'binary' : 'text'} ${sizeLabel(size)}`,
    large: size >= LARGE_MESSAGE,
    pass(impl) {
      const receive = impl.receiver(masked);
      return () => {
        const start = cpuMs();
        const messages = receive(stream);
        const ms = cpuMs() - start;
        if (messages !== count) throw new Error(`expected ${count} messages, got ${messages}`);
        return [count * size, count, ms];
      };
    },
  };
}

function sendScenario(size: number, masked: boolean): Scenario {
  const payload = binaryPayload(size);
  const count = framesPerPass(size);
  return {
    name: `send ${masked ? 'masked' : 'unmasked'} ${sizeLabel(size)}`,
    large: size >= LARGE_MESSAGE,
    pass(impl) {
      const send = impl.sender(masked, true);
      return () => {
        const start = cpuMs();
        let bytes = 0;
        for (let i = 0; i < count; i++) bytes += send(payload);
        const ms = cpuMs() - start;
        if (bytes < count * size) throw new Error(`sent ${bytes} bytes for ${count} messages of ${size}`);
        return [count * size, count, ms];
      };
    },
  };
}

const DEFLATE_SIZE = 64 * 1024;
const DEFLATE_MESSAGES = 16;

function deflateScenarios(): Scenario[] {
  // Distinct 64 KiB texts cut from one long text, so context takeover does not make it trivial.
  const corpus = textPayload(DEFLATE_SIZE * DEFLATE_MESSAGES, 11);
  const messages = Array.from({ length: DEFLATE_MESSAGES }, (_, i) => corpus.subarray(i * DEFLATE_SIZE, (i + 1) * DEFLATE_SIZE));
  // The compressed run comes from our compressor for both: what matters is a valid stream with
  // context takeover, which each inflater decodes in order (a fresh inflater per pass).
  const reference = ours().compressor();
  const compressed = messages.map((m) => reference(m) as Uint8Array);
  const total = DEFLATE_SIZE * DEFLATE_MESSAGES;
  return [
    {
      name: 'deflate compress 64 KiB text',
      pass: (impl) => async () => {
        const deflate = impl.compressor();
        const start = cpuMs();
        for (const message of messages) await deflate(message);
        return [total, DEFLATE_MESSAGES, cpuMs() - start];
      },
    },
    {
      name: 'deflate inflate 64 KiB text',
      pass: (impl) => async () => {
        const inflate = impl.inflater();
        const start = cpuMs();
        for (const message of compressed) {
          const out = await inflate(message);
          if (out.length !== DEFLATE_SIZE) throw new Error(`inflated ${out.length} bytes, expected ${DEFLATE_SIZE}`);
        }
        return [total, DEFLATE_MESSAGES, cpuMs() - start];
      },
    },
  ];
}

/** Collects garbage between runs (the child runs with --expose-gc) so one run does not pay for another. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

runChild<InprocArgs, InprocResult>(async (args) => {
  const impls = args.impls.map((name) => ({ name, impl: name === 'ours' ? ours() : ws(name === 'ws+addons') }));
  // A server receives masked frames and sends unmasked ones, a client the other way round.
  const receivesMasked = args.role === 'server';
  const scenarios: Scenario[] = [];
  for (const size of args.sizes) for (const binary of [false, true]) scenarios.push(receiveScenario(size, receivesMasked, binary));
  for (const size of args.sizes) scenarios.push(sendScenario(size, !receivesMasked));
  if (args.deflate) scenarios.push(...deflateScenarios());

  // Each implementation runs every scenario of small messages once before any is measured. The
  // scenarios share code (a parser, a validator), and the first after a switch of kind
  // deoptimized it: in some processes V8 had not optimized it again within that figure's
  // warm-up, and the figure read half what it read in the others (while both roles shared a
  // process, our unmasked 16-byte texts read 28, 55, 31, 58 and 28 MB/s in five processes, binary
  // 55-66 in the same). A server or client sees all its kinds of traffic before its steady state.
  for (const scenario of scenarios) {
    if (scenario.large || scenario.name.startsWith('deflate')) continue;
    for (const { impl } of impls) await measure(args.warmupMs / 2, scenario.pass(impl));
  }
  const figures: InprocResult['figures'] = {};
  for (const scenario of scenarios) {
    const passes = impls.map(({ impl }) => scenario.pass(impl));
    for (const pass of passes) await measure(args.warmupMs, pass);
    const runs: Record<string, Throughput[]> = Object.fromEntries(impls.map(({ name }) => [name, []]));
    // Implementations take turns run by run, so a noisy moment on a shared machine hits both, and
    // each goes first in turn (the first after the warm-up inherits its garbage).
    for (let run = 0; run < args.runs; run++) {
      for (let turn = 0; turn < impls.length; turn++) {
        const i = (turn + run + (args.firstTurn ?? 0)) % impls.length;
        collectGarbage();
        runs[impls[i].name].push(await measure(scenario.large ? args.largeMeasureMs : args.measureMs, passes[i]));
      }
    }
    figures[scenario.name] = runs;
  }
  const info: Record<string, unknown> = {};
  if (args.impls.includes('ws')) info.wsVersion = loadWsInternals(false).version;
  if (args.impls.includes('ws+addons')) info.bufferutil = loadWsInternals(true).bufferutil;
  return { figures, info };
});
