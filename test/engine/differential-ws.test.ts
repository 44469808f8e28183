/**
 * Differential test of the receive side against ws's Receiver: seeded random frame streams, valid
 * and with one protocol fault each, fed to both in random chunkings. Both must deliver the same
 * messages, pings and pongs, then the same close or fail with the same close code. The few
 * deliberate differences are the named rules in knownDifference(); anything else is a finding.
 * One fault per stream (see the notes at StreamBuilder); some streams are cut short anywhere.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { dirname, join as joinPath } from 'node:path';
import { Connection, Opcode, type ConnectionEvent, type Limits, type Role } from '../../src/engine';
import { join, observe, prng, toHex, utf8 } from './helpers';

// ---------------------------------------------------------------- ws's Receiver

interface WsReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  _write(chunk: Buffer, encoding: string, callback: (error?: Error | null) => void): void;
}
interface WsReceiverConstructor {
  new (options: { isServer: boolean; maxPayload: number; binaryType: string; skipUTF8Validation: boolean }): WsReceiver;
}

// ws's "exports" hides lib/: load the files by path, next to its main module.
const requireHere = createRequire(__filename);
const wsLib = joinPath(dirname(requireHere.resolve('ws')), 'lib');
const Receiver = requireHere(joinPath(wsLib, 'receiver.js')) as WsReceiverConstructor;
// Symbol('status-code'), not Symbol.for(): only ws's own constants module has it.
const { kStatusCode } = requireHere(joinPath(wsLib, 'constants.js')) as { kStatusCode: symbol };

// ---------------------------------------------------------------- outcomes

/** What a receiver did with a stream, in order; a close or a failure ends it. */
type Item =
  | { type: 'message'; binary: boolean; data: string }
  | { type: 'ping' | 'pong'; data: string }
  | { type: 'close'; code: number; reason: string }
  /** `code` is the implementation's own error name, `frameOpcode` ours only (the frame the fault was in). */
  | { type: 'fail'; closeCode: number; code: string; frameOpcode?: number };

/** Equal limits for both, above the largest valid message generated (65,537 bytes). */
const LIMIT = 128 * 1024;
const limits: Partial<Limits> = { maxFrameSize: LIMIT, maxMessageSize: LIMIT };

/** Ours, draining events() after each piece as a transport does (pauseAfterMessage resumes there). */
function runOurs(role: Role, pieces: Uint8Array[]): Item[] {
  const conn = new Connection({ role, pauseAfterMessage: true, limits });
  const items: Item[] = [];
  for (const piece of pieces) {
    conn.receiveData(piece);
    for (let events = conn.events(); events.length; events = conn.events()) {
      for (const event of events) {
        const item = ourItem(event);
        if (item) items.push(item);
      }
    }
  }
  return items;
}

function ourItem(event: ConnectionEvent): Item | null {
  switch (event.type) {
    case 'message':
    case 'ping':
    case 'pong':
      return observe(event) as Item; // the same shape as the engine tests' records
    case 'close-received':
      // An empty close: we say null, ws says 1005 (which may never be on the wire, so no clash).
      return { type: 'close', code: event.code ?? 1005, reason: event.reason };
    case 'failed':
      return { type: 'fail', closeCode: event.error.closeCode, code: event.error.code, frameOpcode: event.error.frame?.opcode };
    default:
      return null;
  }
}

/**
 * ws, through _write() itself: Writable.write() would report an error a tick later, and this
 * test is synchronous. ws stops at its first error and ignores everything after a close.
 */
function runWs(role: Role, pieces: Uint8Array[]): Item[] {
  const receiver = new Receiver({ isServer: role === 'server', maxPayload: LIMIT, binaryType: 'nodebuffer', skipUTF8Validation: false });
  const items: Item[] = [];
  receiver.on('message', (data, isBinary) => items.push({ type: 'message', binary: isBinary, data: toHex(data) }));
  receiver.on('ping', (data) => items.push({ type: 'ping', data: toHex(data) }));
  receiver.on('pong', (data) => items.push({ type: 'pong', data: toHex(data) }));
  receiver.on('conclude', (code, reason) => items.push({ type: 'close', code, reason: reason.toString('utf8') }));
  for (const piece of pieces) {
    let failure: Error | null | undefined;
    receiver._write(Buffer.from(piece), 'buffer', (error) => (failure = error));
    if (failure) {
      const statusCode = (failure as unknown as Record<symbol, number>)[kStatusCode];
      items.push({ type: 'fail', closeCode: statusCode, code: (failure as NodeJS.ErrnoException).code ?? failure.message });
      break;
    }
  }
  return items;
}

/** What both must agree on: the implementations name their errors differently. */
function comparable(items: Item[]): Item[] {
  return items.map((item) => (item.type === 'fail' ? { type: 'fail', closeCode: item.closeCode, code: '' } : item));
}

type Verdict = { agree: true; rule: KnownDifference | null } | { agree: false };

type KnownDifference = 'utf8-fails-early' | 'length-top-bit';

function compareOutcomes(ours: Item[], ws: Item[]): Verdict {
  if (isDeepStrictEqual(comparable(ours), comparable(ws))) return { agree: true, rule: null };
  const rule = knownDifference(ours, ws);
  return rule ? { agree: true, rule } : { agree: false };
}

/** The deliberate differences, each checked as narrowly as it can be. */
function knownDifference(ours: Item[], ws: Item[]): KnownDifference | null {
  const ourEnd = ours.at(-1);
  const before = ours.slice(0, -1);
  // We validate text as it arrives and fail in the frame that makes it invalid; ws checks the
  // whole message at its end. So ws may still deliver the pings and pongs between the bad
  // fragment and the message's end, and then fails with the same 1007, or never gets there: a
  // close between the fragments ends it first, or the stream does.
  if (ourEnd?.type === 'fail' && ourEnd.code === 'WSW_ERR_INVALID_UTF8' && (ourEnd.frameOpcode === Opcode.Text || ourEnd.frameOpcode === Opcode.Continuation)) {
    const extra = ws.slice(before.length);
    const wsEnd = extra.at(-1);
    const controls = wsEnd?.type === 'close' || (wsEnd?.type === 'fail' && wsEnd.closeCode === 1007) ? extra.slice(0, -1) : extra;
    if (isDeepStrictEqual(before, ws.slice(0, before.length)) && controls.every((item) => item.type === 'ping' || item.type === 'pong')) {
      return 'utf8-fails-early';
    }
  }
  // A 64-bit length with its top bit set breaks §5.2 (1002 for us); ws only sees a length
  // above 2^53 - 1 and fails it as too big (1009).
  const wsEnd = ws.at(-1);
  if (ourEnd?.type === 'fail' && ourEnd.code === 'WSW_ERR_LENGTH_TOP_BIT' && wsEnd?.type === 'fail' && wsEnd.code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH' && isDeepStrictEqual(before, ws.slice(0, -1))) {
    return 'length-top-bit';
  }
  return null;
}

// ---------------------------------------------------------------- frames

interface FrameSpec {
  opcode: number;
  payload: Uint8Array;
  fin?: boolean;
  rsv?: number;
  masked: boolean;
  /** Length field wider than needed: §5.2 asks for the minimal one, but ws and we accept any. */
  lengthForm?: 16 | 64;
}

type Random = () => number;

const int = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

function maskKey(random: Random): Uint8Array {
  // An all-zero key is legal, and ws skips unmasking for it.
  if (random() < 0.1) return new Uint8Array(4);
  return Uint8Array.from({ length: 4 }, () => int(random, 0, 255));
}

function encode(random: Random, spec: FrameSpec): Uint8Array {
  const { payload } = spec;
  const length = payload.length;
  const form = spec.lengthForm ?? (length < 126 ? 7 : length < 0x10000 ? 16 : 64);
  const header: number[] = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode];
  const maskBit = spec.masked ? 0x80 : 0;
  if (form === 7) header.push(maskBit | length);
  else if (form === 16) header.push(maskBit | 126, length >> 8, length & 0xff);
  else header.push(maskBit | 127, 0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
  if (!spec.masked) return join([Uint8Array.from(header), payload]);
  const key = maskKey(random);
  const masked = payload.map((byte, i) => byte ^ key[i & 3]);
  return join([Uint8Array.from(header), key, masked]);
}

/** A frame header announcing a 64-bit length, with no payload after it (both fail at the header). */
function header64(random: Random, masked: boolean, opcode: number, high: number, low: number): Uint8Array {
  const header = Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  header[1] = (masked ? 0x80 : 0) | 127;
  header.writeUInt32BE(high, 2);
  header.writeUInt32BE(low, 6);
  return masked ? join([header, maskKey(random)]) : Uint8Array.from(header);
}

// ---------------------------------------------------------------- payloads

const CHARS = ['a', 'z', ' ', 'é', 'ß', '€', '中', '😀', '𝄞'].map(utf8);

/** Exactly `length` bytes of UTF-8, heavy in multibyte characters so fragment cuts split them. */
function randomText(random: Random, length: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let left = length;
  while (left > 0) {
    const char = pick(random, CHARS.filter((c) => c.length <= left));
    parts.push(char);
    left -= char.length;
  }
  return join(parts);
}

function randomBinary(random: Random, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => int(random, 0, 255));
}

/** Around the 7/16/64-bit length boundaries now and then, small most of the time. */
function dataLength(random: Random): number {
  const r = random();
  if (r < 0.6) return int(random, 0, 20);
  if (r < 0.85) return pick(random, [0, 1, 124, 125, 126, 127, 128, 65535, 65536, 65537]);
  return int(random, 129, 2000);
}

const controlLength = (random: Random): number => (random() < 0.3 ? pick(random, [0, 124, 125]) : int(random, 0, 20));

const INVALID_UTF8 = [
  [0x80], // lone continuation byte
  [0xc0, 0x80], // overlong NUL
  [0xc1, 0xbf], // overlong
  [0xe0, 0x80, 0xaf], // overlong '/'
  [0xed, 0xa0, 0x80], // UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf5, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xe2, 0x82], // truncated (a valid character or the message's end follows)
  [0xf0, 0x9f, 0x98],
].map((bytes) => Uint8Array.from(bytes));

function invalidText(random: Random): Uint8Array {
  const tail = random() < 0.3 ? 0 : int(random, 0, 30);
  return join([randomText(random, int(random, 0, 30)), pick(random, INVALID_UTF8), randomText(random, tail)]);
}

const VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const INVALID_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535];

function closePayload(code: number, reason: Uint8Array): Uint8Array {
  return join([Uint8Array.of(code >> 8, code & 0xff), reason]);
}

function validClosePayload(random: Random): Uint8Array {
  if (random() < 0.2) return new Uint8Array(0);
  const reasonLength = random() < 0.2 ? 123 : int(random, 0, 20);
  return closePayload(pick(random, VALID_CLOSE_CODES), randomText(random, reasonLength));
}

/** `payload` cut into `count` fragments at random points (empty fragments included). */
function fragment(random: Random, payload: Uint8Array, count: number): Uint8Array[] {
  const cuts = Array.from({ length: count - 1 }, () => int(random, 0, payload.length)).sort((a, b) => a - b);
  const bounds = [0, ...cuts, payload.length];
  return bounds.slice(1).map((end, i) => payload.subarray(bounds[i], end));
}

// ---------------------------------------------------------------- streams

const FAULTS = [
  'reserved-opcode',
  'rsv-bits',
  'wrong-masking',
  'fragmented-control',
  'long-control',
  'continuation-without-start',
  'message-inside-fragmented',
  'invalid-utf8-text',
  'invalid-utf8-close-reason',
  'close-of-one-byte',
  'invalid-close-code',
  'length-top-bit',
  'length-too-big',
  'message-too-big',
] as const;
type Fault = (typeof FAULTS)[number];

/** The faults of one frame that stay faults inside a fragmented message (a continuation would not). */
const FRAME_FAULTS: readonly Fault[] = FAULTS.filter((f) => !['continuation-without-start', 'message-inside-fragmented', 'invalid-utf8-text', 'message-too-big'].includes(f));

interface Stream {
  bytes: Uint8Array;
  fault: Fault | null;
}

class StreamBuilder {
  readonly frames: Uint8Array[] = [];
  /** A single-frame fault to put between the fragments of the next fragmented message. */
  faultBetweenFragments: Fault | null = null;
  /** The opcode of a fault's data frame: inside a fragmented message it continues it, as a new message would be a second fault. */
  private faultDataOpcode: number = Opcode.Binary;
  constructor(
    private readonly random: Random,
    /** Whether the peer masks: it does when we are the server. */
    readonly masked: boolean,
  ) {}

  frame(spec: Omit<FrameSpec, 'masked'> & { masked?: boolean }): void {
    this.frames.push(encode(this.random, { masked: this.masked, ...spec }));
  }

  control(opcode: number = pick(this.random, [Opcode.Ping, Opcode.Pong])): void {
    this.frame({ opcode, payload: randomBinary(this.random, controlLength(this.random)) });
  }

  /** A message in 1-5 fragments, with pings and pongs between them now and then. */
  message(payload: Uint8Array, binary: boolean): void {
    const random = this.random;
    const fragments = fragment(random, payload, random() < 0.5 ? 1 : int(random, 2, 5));
    fragments.forEach((data, i) => {
      const last = i === fragments.length - 1;
      const lengthForm = random() < 0.1 ? pick(random, [16, 64] as const) : undefined;
      this.frame({ opcode: i === 0 ? (binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation, payload: data, fin: last, lengthForm: data.length < 0x10000 ? lengthForm : undefined });
      if (last) return;
      if (this.faultBetweenFragments && random() < 0.5) {
        this.faultDataOpcode = Opcode.Continuation;
        this.fault(this.faultBetweenFragments);
        this.faultDataOpcode = Opcode.Binary;
        this.faultBetweenFragments = null;
      } else if (random() < 0.3) {
        // A close between fragments is legal too: it ends the stream mid-message.
        if (random() < 0.05) this.frame({ opcode: Opcode.Close, payload: validClosePayload(random) });
        else this.control();
      }
    });
  }

  randomMessage(): void {
    const binary = this.random() < 0.4;
    const length = dataLength(this.random);
    this.message(binary ? randomBinary(this.random, length) : randomText(this.random, length), binary);
  }

  validItem(): void {
    if (this.random() < 0.7) this.randomMessage();
    else this.control();
  }

  fault(fault: Fault): void {
    const random = this.random;
    const small = (): Uint8Array => randomBinary(random, int(random, 0, 10));
    switch (fault) {
      case 'reserved-opcode':
        return this.frame({ opcode: pick(random, [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), payload: small() });
      case 'rsv-bits':
        return this.frame({ opcode: pick(random, [this.faultDataOpcode, Opcode.Ping, Opcode.Pong, Opcode.Close]), payload: new Uint8Array(0), rsv: int(random, 1, 7) });
      case 'wrong-masking':
        return this.frame({ opcode: pick(random, [this.faultDataOpcode, Opcode.Ping]), payload: small(), masked: !this.masked });
      case 'fragmented-control':
        return this.frame({ opcode: pick(random, [Opcode.Ping, Opcode.Pong, Opcode.Close]), payload: new Uint8Array(0), fin: false });
      case 'long-control':
        return this.frame({ opcode: pick(random, [Opcode.Ping, Opcode.Pong, Opcode.Close]), payload: randomBinary(random, int(random, 126, 300)) });
      case 'continuation-without-start':
        return this.frame({ opcode: Opcode.Continuation, payload: small(), fin: random() < 0.5 });
      case 'message-inside-fragmented':
        this.frame({ opcode: Opcode.Binary, payload: small(), fin: false });
        if (random() < 0.5) this.control();
        return this.frame({ opcode: pick(random, [Opcode.Text, Opcode.Binary]), payload: new Uint8Array(0) });
      case 'invalid-utf8-text':
        return this.message(invalidText(random), false);
      case 'invalid-utf8-close-reason':
        return this.frame({ opcode: Opcode.Close, payload: closePayload(1000, invalidText(random)) });
      case 'close-of-one-byte':
        return this.frame({ opcode: Opcode.Close, payload: Uint8Array.of(int(random, 0, 255)) });
      case 'invalid-close-code':
        return this.frame({ opcode: Opcode.Close, payload: closePayload(pick(random, INVALID_CLOSE_CODES), randomText(random, int(random, 0, 10))) });
      case 'length-top-bit':
        this.frames.push(header64(random, this.masked, this.faultDataOpcode, int(random, 0x80000000, 0xffffffff), int(random, 0, 0xffffffff)));
        return;
      case 'length-too-big': {
        // Above the limit: just over it, or beyond ws's 2^53 - 1 (top bit still clear).
        const huge = random() < 0.5;
        this.frames.push(header64(random, this.masked, this.faultDataOpcode, huge ? int(random, 0x200000, 0x7fffffff) : 0, huge ? int(random, 0, 0xffffffff) : LIMIT + int(random, 1, 1000)));
        return;
      }
      case 'message-too-big': {
        // Each frame within the limit, their sum over it; the second frame fails at its header.
        const first = int(random, 1, 200);
        this.frame({ opcode: Opcode.Binary, payload: randomBinary(random, first), fin: false });
        this.frames.push(header64(random, this.masked, Opcode.Continuation, 0, LIMIT - first + int(random, 1, 100)));
        return;
      }
    }
  }
}

/** A few valid items, maybe one fault among them, maybe a close (and bytes after it, to be ignored). */
function randomStream(random: Random, role: Role): Stream {
  const builder = new StreamBuilder(random, role === 'server');
  const items = int(random, 0, 4);
  const fault = random() < 0.5 ? pick(random, FAULTS) : null;
  const faultAt = int(random, 0, items);
  for (let i = 0; i <= items; i++) {
    if (fault && i === faultAt) {
      if (i < items && FRAME_FAULTS.includes(fault) && random() < 0.5) builder.faultBetweenFragments = fault;
      else builder.fault(fault);
    }
    if (i < items) builder.validItem();
    if (builder.faultBetweenFragments && i === faultAt) {
      // No fragmented message came to take it: put it after that item.
      builder.fault(builder.faultBetweenFragments);
      builder.faultBetweenFragments = null;
    }
  }
  if (random() < 0.4) {
    builder.frame({ opcode: Opcode.Close, payload: validClosePayload(random) });
    if (random() < 0.5) builder.validItem();
    if (random() < 0.3) builder.fault(pick(random, FAULTS));
  }
  // Cut short now and then, anywhere: a fault shows as soon as the octets that make it are in, in
  // ws and in ours, whether the rest of its header comes or not.
  const bytes = join(builder.frames);
  return { bytes: random() < 0.15 ? bytes.slice(0, int(random, 0, bytes.length)) : bytes, fault };
}

/** Cut points for feeding `length` bytes: whole, in tiny pieces, or at random places. */
function randomCuts(random: Random, length: number): number[] {
  const style = random();
  if (style < 0.15) return [];
  if (style < 0.5 && length <= 4096) {
    const cuts: number[] = [];
    for (let at = int(random, 1, 8); at < length; at += int(random, 1, 8)) cuts.push(at);
    return cuts;
  }
  return Array.from({ length: int(random, 1, 40) }, () => int(random, 1, Math.max(1, length - 1))).sort((a, b) => a - b);
}

/** Fresh copies of the pieces: both receivers unmask in place, and ours keeps views. */
function piecesOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  return bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end));
}

// ---------------------------------------------------------------- the run

const STREAMS_PER_ROLE = 2000;

interface Finding {
  role: Role;
  index: number;
  fault: Fault | null;
  stream: string;
  cuts: number[];
  ours: Item[];
  ws: Item[];
}

function describeFinding(f: Finding): string {
  const stream = f.stream.length > 4000 ? `${f.stream.slice(0, 4000)}… (${f.stream.length / 2} bytes)` : f.stream;
  return [`${f.role} stream #${f.index} (fault: ${f.fault ?? 'none'})`, `  hex: ${stream}`, `  cuts: ${JSON.stringify(f.cuts)}`, `  ours: ${JSON.stringify(f.ours)}`, `  ws:   ${JSON.stringify(f.ws)}`].join('\n');
}

describe('receive side, differential against ws', () => {
  for (const [role, seed] of [['server', 0x5eed01], ['client', 0x5eed02]] as const) {
    test(`${STREAMS_PER_ROLE} random streams as ${role}: same outcome as ws, in any chunking`, (t) => {
      const random = prng(seed);
      const findings: Finding[] = [];
      const rulesUsed = new Map<KnownDifference, number>();
      const failedFaults = new Set<Fault>();
      let faulty = 0;
      for (let index = 0; index < STREAMS_PER_ROLE; index++) {
        const { bytes, fault } = randomStream(random, role);
        if (fault) faulty++;
        const cuts = randomCuts(random, bytes.length);
        const ours = runOurs(role, piecesOf(bytes, cuts));
        const otherCuts = randomCuts(random, bytes.length);
        assert.deepStrictEqual(runOurs(role, piecesOf(bytes, otherCuts)), ours, `our events depend on chunking: ${role} stream #${index}, cuts ${JSON.stringify(cuts)} vs ${JSON.stringify(otherCuts)}`);
        const ws = runWs(role, piecesOf(bytes, cuts));
        const verdict = compareOutcomes(ours, ws);
        if (fault && ours.at(-1)?.type === 'fail') failedFaults.add(fault);
        if (!verdict.agree) findings.push({ role, index, fault, stream: toHex(bytes), cuts, ours, ws });
        else if (verdict.rule) rulesUsed.set(verdict.rule, (rulesUsed.get(verdict.rule) ?? 0) + 1);
      }
      t.diagnostic(`${STREAMS_PER_ROLE} streams (${faulty} with a fault); known differences: ${JSON.stringify(Object.fromEntries(rulesUsed))}`);
      assert.equal(findings.length, 0, `${findings.length} differences from ws, the first ones:\n${findings.slice(0, 10).map(describeFinding).join('\n')}`);
      // The generator's faults are faults: each one failed some stream (a close before it can disarm it).
      assert.deepStrictEqual([...failedFaults].sort(), [...FAULTS].sort());
      // Every rule must still be needed: one that never applies is dead, or the generator lost a case.
      assert.deepStrictEqual([...rulesUsed.keys()].sort(), ['length-top-bit', 'utf8-fails-early']);
    });
  }

  test('the comparison is not vacuous: different streams, or a difference outside a rule, disagree', () => {
    const random = prng(7);
    const text = (payload: string) => encode(random, { opcode: Opcode.Text, payload: utf8(payload), masked: false });
    const a = join([text('hello'), text('world')]);
    const b = join([text('hello'), text('World')]);
    assert.deepStrictEqual(compareOutcomes(runOurs('client', [a]), runWs('client', [a])), { agree: true, rule: null });
    assert.deepStrictEqual(compareOutcomes(runOurs('client', [a]), runWs('client', [b])), { agree: false });
    const fail = (closeCode: number, code: string): Item[] => [{ type: 'fail', closeCode, code }];
    assert.deepStrictEqual(compareOutcomes(fail(1002, 'WSW_ERR_RESERVED_OPCODE'), fail(1009, 'WS_ERR_INVALID_OPCODE')), { agree: false });
    // Invalid UTF-8 early in a fragmented message: the rule covers it only while the messages before agree.
    const frame = (opcode: number, payload: Uint8Array, fin = true) => encode(random, { opcode, payload, fin, masked: false });
    const bad = (first: string) =>
      join([text(first), frame(Opcode.Text, Uint8Array.of(0xff), false), frame(Opcode.Ping, utf8('p')), frame(Opcode.Continuation, utf8('!'))]);
    assert.deepStrictEqual(compareOutcomes(runOurs('client', [bad('x')]), runWs('client', [bad('x')])), { agree: true, rule: 'utf8-fails-early' });
    assert.deepStrictEqual(compareOutcomes(runOurs('client', [bad('x')]), runWs('client', [bad('y')])), { agree: false });
  });
});
