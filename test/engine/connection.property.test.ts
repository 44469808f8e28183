/**
 * Property tests for Connection (the h11 fuzz invariant, with fast-check):
 *  - any byte stream, in any chunking, gives the same events and the same bytes out as when fed
 *    whole; receiveData never throws; a fault is one 'failed' event with 1002, 1007 or 1009;
 *  - generated valid frame sequences give exactly the messages, pings and pongs they encode.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import fc from 'fast-check';
import { Connection, Opcode, encodeFrame, type DeflateParams, type Limits, type Role } from '../../src/engine';
import { connection, deflateFor, join, observe, peerOf, sentFrames, splitAt, toHex, utf8, type Observed, type SentFrame } from './helpers';

const NUM_RUNS = 200;

interface Setup {
  role: Role;
  deflate: Partial<DeflateParams> | null;
  limits: Partial<Limits>;
}

function make(setup: Setup): Connection {
  return connection(setup.role, { deflate: setup.deflate ? deflateFor(setup.role, setup.deflate) : null, limits: setup.limits });
}

/** Feeds copies of the pieces (the engine unmasks in place); never lets an exception through. */
function run(setup: Setup, pieces: Uint8Array[]): { events: Observed[]; sent: string } {
  const conn = make(setup);
  for (const piece of pieces) conn.receiveData(piece.slice());
  return { events: conn.events().map(observe), sent: toHex(conn.dataToSend()) };
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  role: fc.constantFrom<Role>('client', 'server'),
  deflate: fc.option(
    fc.record({
      serverNoContextTakeover: fc.boolean(),
      clientNoContextTakeover: fc.boolean(),
      serverMaxWindowBits: fc.integer({ min: 8, max: 15 }),
      clientMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    }),
    { nil: null },
  ),
  limits: fc.oneof(fc.constant({}), fc.record({ maxFrameSize: fc.integer({ min: 0, max: 300 }), maxMessageSize: fc.integer({ min: 0, max: 400 }), maxFragments: fc.integer({ min: 1, max: 6 }) })),
});

/** A compressed payload that inflates (most of the time) — so RSV1 frames get past zlib too. */
const compressedArb = fc.string({ maxLength: 40 }).map((s) => {
  const out = deflateRawSync(utf8(s), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return Uint8Array.from(out.subarray(0, out.length - 4));
});

/** Frame-shaped bytes from the peer of `role`: mostly plausible, with every field free to be wrong. */
const frameArb = (role: Role) =>
  fc
    .record({
      fin: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      rsv: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(4) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 7 }) }),
      opcode: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
      // Masked as the peer must (a client masks), with the occasional wrong choice.
      rightMasking: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      mask: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      payload: fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.string({ maxLength: 20 }).map(utf8),
        compressedArb,
        fc.constantFrom(Uint8Array.of(0x03, 0xe8), Uint8Array.of(0x03), Uint8Array.of(0x0f, 0xa0, 0x68, 0x69), Uint8Array.of(0x03, 0xed), new Uint8Array(0), new Uint8Array(126)),
      ),
    })
    .map(({ fin, rsv, opcode, rightMasking, mask, payload }) => {
      const masked = (role === 'server') === rightMasking;
      return join(encodeFrame({ fin, rsv, opcode, payload, mask: masked ? mask : null }));
    });

/** Frames that are usually valid on their own: whole messages and pings, some compressed. */
const plainFrameArb = (role: Role) =>
  fc
    .record({
      opcode: fc.constantFrom(1, 2, 9, 10),
      compressed: fc.boolean(),
      text: fc.string({ unit: 'binary', maxLength: 30 }),
      mask: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    })
    .map(({ opcode, compressed, text, mask }) => {
      const data = utf8(text);
      const deflated = compressed && opcode < 8 ? deflateRawSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : null;
      const payload = deflated ? Uint8Array.from(deflated.subarray(0, deflated.length - 4)) : data.subarray(0, 125);
      return join(encodeFrame({ opcode, rsv: deflated ? 4 : 0, payload, mask: role === 'server' ? mask : null }));
    });

const streamArb = (role: Role) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: plainFrameArb(role) }, { weight: 1, arbitrary: frameArb(role) }), { maxLength: 10 }).map(join) },
    { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: frameArb(role) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }) }), { maxLength: 12 }).map(join) },
  );

const setupAndStreamArb = setupArb.chain((setup) => fc.tuple(fc.constant(setup), streamArb(setup.role)));

/** Cut points as fractions, so they scale with the input. */
const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 });
const cut = (data: Uint8Array, fractions: number[]): Uint8Array[] => splitAt(data, fractions.map((f) => Math.floor(f * data.length)));

describe('Property: chunking never changes the outcome, and only protocol errors come out', () => {
  test('any byte stream, any chunking, both roles, with and without deflate and limits', () => {
    let failures = 0;
    let messages = 0;
    fc.assert(
      fc.property(setupAndStreamArb, cutsArb, ([setup, data], fractions) => {
        const whole = run(setup, [data]);
        const bytewise = run(setup, Array.from(data, (b) => Uint8Array.of(b)));
        const chunked = run(setup, cut(data, fractions));
        assert.deepEqual(bytewise, whole);
        assert.deepEqual(chunked, whole);
        const failed = whole.events.filter((e) => e.type === 'failed');
        assert.ok(failed.length <= 1, 'at most one failed event');
        if (failed.length === 1) {
          failures++;
          const f = failed[0] as Extract<Observed, { type: 'failed' }>;
          assert.ok([1002, 1007, 1009].includes(f.closeCode), `close code ${f.closeCode} (${f.code})`);
          assert.equal(whole.events[whole.events.length - 1], f, 'nothing after the failure');
        }
        const closeAt = whole.events.findIndex((e) => e.type === 'close-received');
        if (closeAt >= 0) assert.equal(closeAt, whole.events.length - 1, 'nothing after a close frame');
        messages += whole.events.filter((e) => e.type === 'message').length;
      }),
      { numRuns: NUM_RUNS * 3 },
    );
    // The generators must reach both the failure paths and the happy paths.
    assert.ok(failures > NUM_RUNS / 10, `failures seen: ${failures}`);
    assert.ok(messages > NUM_RUNS / 2, `messages seen: ${messages}`);
  });
});

/** One item of a valid exchange: a message (fragmented, with control frames between) or a control frame. */
type Item =
  | { kind: 'message'; binary: boolean; data: Uint8Array; fragments: number[]; between: Map<number, { opcode: 9 | 10; payload: Uint8Array }> }
  | { kind: 'control'; opcode: 9 | 10; payload: Uint8Array };

const controlArb = fc.record({ opcode: fc.constantFrom<9 | 10>(9, 10), payload: fc.uint8Array({ maxLength: 125 }) });
const itemArb: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('message' as const),
      binary: fc.boolean(),
      text: fc.string({ unit: 'binary', maxLength: 60 }),
      bytes: fc.uint8Array({ maxLength: 300 }),
      fragments: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
      between: fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), controlArb), { maxLength: 4 }),
    }).map(({ kind, binary, text, bytes, fragments, between }) => ({ kind, binary, data: binary ? bytes : utf8(text), fragments, between: new Map(between) })),
  },
  { weight: 1, arbitrary: controlArb.map((c) => ({ kind: 'control' as const, ...c })) },
);

/** Frames of a message cut as sendMessage documents it: the given sizes, the last frame takes the rest. */
function pieces(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; ; i++) {
    const last = i >= sizes.length || offset + sizes[i] >= data.length;
    const end = last ? data.length : offset + sizes[i];
    out.push(data.subarray(offset, end));
    offset = end;
    if (last) return out;
  }
}

/** The wire image of the items as a peer in `peerRole` sends them, and the events they must give. */
function encodeItems(items: Item[], peerRole: Role, masks: Uint8Array[]): { wire: Uint8Array; expected: Observed[]; pongs: string[] } {
  let m = 0;
  const mask = () => (peerRole === 'client' ? masks[m++ % masks.length] : null);
  const frames: Uint8Array[] = [];
  const expected: Observed[] = [];
  const pongs: string[] = [];
  const control = (opcode: 9 | 10, payload: Uint8Array) => {
    frames.push(...encodeFrame({ opcode, payload, mask: mask() }));
    expected.push({ type: opcode === 9 ? 'ping' : 'pong', data: toHex(payload) });
    if (opcode === 9) pongs.push(toHex(payload));
  };
  for (const item of items) {
    if (item.kind === 'control') {
      control(item.opcode, item.payload);
      continue;
    }
    const parts = pieces(item.data, item.fragments);
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      frames.push(...encodeFrame({ opcode: i === 0 ? (item.binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation, payload: part, fin: last, mask: mask() }));
      const between = item.between.get(i);
      if (between && !last) control(between.opcode, between.payload);
    });
    expected.push({ type: 'message', binary: item.binary, data: toHex(item.data) });
  }
  return { wire: join(frames), expected, pongs };
}

describe('Property: valid frame sequences round-trip to exactly their messages', () => {
  test('random messages, fragmentations, interleaved pings and pongs, masks; any chunking', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Role>('client', 'server'),
        fc.array(itemArb, { maxLength: 8 }),
        fc.array(fc.uint8Array({ minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.option(fc.constantFrom(1000, 1001, 1003, 1011, 3000, 4999), { nil: null }),
        cutsArb,
        (role, items, masks, closeCode, fractions) => {
          const { wire, expected, pongs } = encodeItems(items, peerOf(role), masks);
          const close = closeCode === null ? new Uint8Array(0) : join(encodeFrame({ opcode: Opcode.Close, payload: Uint8Array.of(closeCode >> 8, closeCode & 0xff), mask: peerOf(role) === 'client' ? masks[0] : null }));
          const conn = connection(role);
          for (const piece of cut(join([wire, close]), fractions)) conn.receiveData(piece);
          const events = conn.events().map(observe);
          assert.deepEqual(events, closeCode === null ? expected : [...expected, { type: 'close-received', code: closeCode, reason: '' }]);
          const sent = sentFrames(role, conn.dataToSend());
          const expectedSent: SentFrame[] = pongs.map((payload) => ({ opcode: Opcode.Pong, fin: true, rsv: 0, payload }));
          if (closeCode !== null) expectedSent.push({ opcode: Opcode.Close, fin: true, rsv: 0, payload: closeCode.toString(16).padStart(4, '0') });
          assert.deepEqual(sent, expectedSent);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('the same through permessage-deflate: a peer Connection compresses, ours inflates', () => {
    const paramsArb = fc.record({
      serverNoContextTakeover: fc.boolean(),
      clientNoContextTakeover: fc.boolean(),
      serverMaxWindowBits: fc.integer({ min: 8, max: 15 }),
      clientMaxWindowBits: fc.integer({ min: 8, max: 15 }),
    });
    fc.assert(
      fc.property(fc.constantFrom<Role>('client', 'server'), paramsArb, fc.array(fc.tuple(itemArb, fc.boolean()), { maxLength: 8 }), cutsArb, (role, params, items, fractions) => {
        const peer = connection(peerOf(role), { deflate: deflateFor(peerOf(role), params) });
        const wire: Uint8Array[] = [];
        const expected: Observed[] = [];
        for (const [item, compress] of items) {
          if (item.kind === 'control') {
            if (item.opcode === 9) peer.sendPing(item.payload);
            else peer.sendPong(item.payload);
            wire.push(...peer.dataToSend());
            expected.push({ type: item.opcode === 9 ? 'ping' : 'pong', data: toHex(item.payload) });
            continue;
          }
          const pingsAfter = new Map<number, Uint8Array>();
          for (const [i, c] of item.between) if (c.opcode === 9) pingsAfter.set(i, c.payload);
          peer.sendMessage(item.data, { binary: item.binary, fragments: item.fragments, pingsAfter, compress });
          const chunks = peer.dataToSend();
          wire.push(...chunks);
          // The pings that actually went out between this message's frames (sentFrames reads a copy).
          for (const f of sentFrames(peerOf(role), chunks)) if (f.opcode === Opcode.Ping) expected.push({ type: 'ping', data: f.payload });
          expected.push({ type: 'message', binary: item.binary, data: toHex(item.data) });
        }
        const conn = connection(role, { deflate: deflateFor(role, params) });
        for (const piece of cut(join(wire), fractions)) conn.receiveData(piece);
        assert.deepEqual(conn.events().map(observe), expected);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
