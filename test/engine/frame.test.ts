import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameParser, encodeFrame, type FrameHeader, type FrameParserOptions, type FrameSink } from '../../src/engine/frame';
import { largePayloadMasking } from '../../src/engine/mask';
import { Opcode } from '../../src/engine/constants';
import { ProtocolError } from '../../src/engine/errors';
import { chunkings, hex, join, prng, randomBytes, toHex } from './helpers';

interface ParsedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  mask: string | null;
  length: number;
  payload: string;
}

/** Collects whole frames, joining the payload views the parser hands out. */
class Recorder implements FrameSink {
  frames: ParsedFrame[] = [];
  /** Payload bytes delivered so far (to check that a bad frame fails before its payload). */
  payloadBytes = 0;
  private header: FrameHeader | null = null;
  private pieces: Uint8Array[] = [];
  onFrameHeader(header: FrameHeader): void {
    this.header = header;
    this.pieces = [];
  }
  onFramePayload(chunk: Uint8Array): void {
    this.pieces.push(chunk.slice());
    this.payloadBytes += chunk.length;
  }
  onFrameEnd(): void {
    const h = this.header!;
    this.frames.push({ fin: h.fin, rsv: h.rsv, opcode: h.opcode, masked: h.masked, mask: h.mask ? toHex(h.mask) : null, length: h.length, payload: toHex(this.pieces) });
    this.header = null;
  }
}

const clientSide: FrameParserOptions = { expectMasked: false, allowedRsv: 0, maxFrameSize: 1 << 26 };
const serverSide: FrameParserOptions = { expectMasked: true, allowedRsv: 0, maxFrameSize: 1 << 26 };

/** Parses `data` in every chunking and checks they all give the same frames; returns them. */
function parseAll(data: Uint8Array, options: FrameParserOptions): ParsedFrame[] {
  let reference: ParsedFrame[] | null = null;
  for (const chunking of chunkings(data.length)) {
    const recorder = new Recorder();
    const parser = new FrameParser(recorder, { ...options });
    for (const piece of chunking.split(data)) parser.push(piece);
    if (reference === null) reference = recorder.frames;
    else assert.deepEqual(recorder.frames, reference, chunking.name);
  }
  return reference!;
}

/** Feeds `data` byte by byte; returns the error and the index of the byte that raised it. */
function failByteByByte(data: Uint8Array, options: FrameParserOptions): { error: ProtocolError; at: number; payloadBytes: number } {
  const recorder = new Recorder();
  const parser = new FrameParser(recorder, { ...options });
  for (let i = 0; i < data.length; i++) {
    try {
      parser.push(data.slice(i, i + 1));
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
      return { error, at: i, payloadBytes: recorder.payloadBytes };
    }
  }
  assert.fail('no error was raised');
}

function failWhole(data: Uint8Array, options: FrameParserOptions): ProtocolError {
  const parser = new FrameParser(new Recorder(), { ...options });
  try {
    parser.push(data.slice());
  } catch (error) {
    assert.ok(error instanceof ProtocolError);
    return error;
  }
  assert.fail('no error was raised');
}

const frame = (fields: Partial<ParsedFrame> & { opcode: number; payload: string }): ParsedFrame => ({
  fin: true,
  rsv: 0,
  masked: false,
  mask: null,
  length: fields.payload.length / 2,
  ...fields,
});

describe('RFC 6455 §5.7 examples', () => {
  test('a single-frame unmasked text message "Hello"', () => {
    const wire = '810548656c6c6f';
    assert.deepEqual(parseAll(hex(wire), clientSide), [frame({ opcode: 1, payload: '48656c6c6f' })]);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Text, payload: hex('48656c6c6f') })), wire);
  });

  test('a single-frame masked text message "Hello"', () => {
    const wire = '818537fa213d7f9f4d5158';
    assert.deepEqual(parseAll(hex(wire), serverSide), [frame({ opcode: 1, payload: '48656c6c6f', masked: true, mask: '37fa213d' })]);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Text, payload: hex('48656c6c6f'), mask: hex('37fa213d') })), wire);
  });

  test('a fragmented unmasked text message: "Hel" then "lo"', () => {
    const first = '010348656c';
    const second = '80026c6f';
    assert.deepEqual(parseAll(hex(first + second), clientSide), [
      frame({ opcode: 1, fin: false, payload: '48656c' }),
      frame({ opcode: 0, payload: '6c6f' }),
    ]);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Text, payload: hex('48656c'), fin: false })), first);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Continuation, payload: hex('6c6f') })), second);
  });

  test('an unmasked ping with body "Hello", and a masked pong answering it', () => {
    const ping = '890548656c6c6f';
    const pong = '8a8537fa213d7f9f4d5158';
    assert.deepEqual(parseAll(hex(ping), clientSide), [frame({ opcode: 9, payload: '48656c6c6f' })]);
    assert.deepEqual(parseAll(hex(pong), serverSide), [frame({ opcode: 10, payload: '48656c6c6f', masked: true, mask: '37fa213d' })]);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Ping, payload: hex('48656c6c6f') })), ping);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Pong, payload: hex('48656c6c6f'), mask: hex('37fa213d') })), pong);
  });

  test('256 bytes of binary in one unmasked frame: 16-bit length 7E 01 00', () => {
    const payload = randomBytes(prng(256), 256);
    const wire = join([hex('827e0100'), payload]);
    assert.deepEqual(parseAll(wire, clientSide), [frame({ opcode: 2, payload: toHex(payload) })]);
    const encoded = encodeFrame({ opcode: Opcode.Binary, payload });
    assert.equal(toHex(encoded[0]), '827e0100');
    assert.equal(encoded[1], payload, 'an unmasked payload is not copied');
  });

  test('64 KiB of binary in one unmasked frame: 64-bit length 7F 00 00 00 00 00 01 00 00', () => {
    const payload = randomBytes(prng(65536), 65536);
    const wire = join([hex('827f0000000000010000'), payload]);
    const recorder = new Recorder();
    const parser = new FrameParser(recorder, { ...clientSide });
    parser.push(wire.slice());
    assert.deepEqual(recorder.frames, [frame({ opcode: 2, payload: toHex(payload) })]);
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Binary, payload })), toHex(wire));
  });

  test('the same frames masked round-trip through the parser', () => {
    const payload = randomBytes(prng(1), 65536);
    const wire = join(encodeFrame({ opcode: Opcode.Binary, payload, mask: hex('01020304') }));
    assert.equal(toHex(wire.subarray(0, 14)), '82ff000000000001000001020304');
    const recorder = new Recorder();
    new FrameParser(recorder, { ...serverSide }).push(wire);
    assert.equal(recorder.frames[0].payload, toHex(payload));
  });
});

describe('masked frames on both sides of the byte-loop size (small ones live in V8\'s heap)', () => {
  for (const size of [0, 1, 46, 47, 48, 49, 58, 59, 125, 126]) {
    test(`${size} bytes`, () => {
      const payload = randomBytes(prng(size + 1), size);
      const mask = hex('a1b2c3d4');
      const [wire] = encodeFrame({ opcode: Opcode.Binary, payload, mask });
      const headerLength = size < 126 ? 6 : 8;
      assert.equal(wire.length, headerLength + size);
      assert.equal(toHex(wire.subarray(headerLength - 4, headerLength)), 'a1b2c3d4');
      const unmasked = wire.slice(headerLength).map((byte, i) => byte ^ mask[i & 3]);
      assert.equal(toHex(unmasked), toHex(payload));
    });
  }
});

describe('RFC 6455 §5.2 base framing: lengths', () => {
  const boundaries: [number, string][] = [
    [0, '8200'],
    [1, '8201'],
    [125, '827d'],
    [126, '827e007e'],
    [127, '827e007f'],
    [65535, '827effff'],
    [65536, '827f0000000000010000'],
  ];
  for (const [length, header] of boundaries) {
    test(`${length} bytes: header ${header}, parsed in every chunking`, () => {
      const payload = randomBytes(prng(length), length);
      const encoded = encodeFrame({ opcode: Opcode.Binary, payload });
      assert.equal(toHex(encoded[0]), header);
      const frames = parseAll(join(encoded), clientSide);
      assert.deepEqual(frames, [frame({ opcode: 2, payload: toHex(payload) })]);
    });
  }

  test('encodeFrame writes lengths of 2^32 and more in all eight octets (header only)', () => {
    // A view claiming a huge length: only the header is built from it for unmasked frames.
    const fake = { length: 2 ** 32 + 5 } as unknown as Uint8Array;
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Binary, payload: fake })[0]), '827f0000000100000005');
  });

  test('fin, RSV bits and opcodes are encoded where §5.2 puts them', () => {
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Text, payload: new Uint8Array(0), fin: false, rsv: 4 })), '4100');
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(0), rsv: 7 })), 'f200');
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Close, payload: hex('03e8') })), '880203e8');
    assert.equal(toHex(encodeFrame({ opcode: Opcode.Ping, payload: new Uint8Array(0), mask: hex('aabbccdd') })), '8980aabbccdd');
  });

  test('several frames back to back, with trailing partial data kept for later', () => {
    const wire = hex('810548656c6c6f 8900 8a0148 8203010203 81');
    const recorder = new Recorder();
    const parser = new FrameParser(recorder, { ...clientSide });
    parser.push(wire);
    assert.equal(recorder.frames.length, 4);
    parser.push(hex('0141'));
    assert.deepEqual(recorder.frames.map((f) => [f.opcode, f.payload]), [[1, '48656c6c6f'], [9, ''], [10, '48'], [2, '010203'], [1, '41']]);
  });

  test('a non-minimal length encoding is accepted by default (as ws, python-websockets and browsers do)', () => {
    assert.deepEqual(parseAll(hex('827e0003010203'), clientSide), [frame({ opcode: 2, payload: '010203' })]);
    assert.deepEqual(parseAll(hex('827f0000000000000003010203'), clientSide), [frame({ opcode: 2, payload: '010203' })]);
  });

  test('with minimalLengths, a length in a longer form than it needs fails 1002, and the shortest lengths of each form pass', () => {
    const strict = { ...clientSide, minimalLengths: true };
    for (const wire of ['827e0003010203', '827e007d', '827f000000000000fffe']) {
      assert.throws(() => parseAll(hex(wire), strict), (e: unknown) => e instanceof ProtocolError && e.code === 'WSW_ERR_LENGTH_NOT_MINIMAL' && e.closeCode === 1002, wire);
    }
    const at126 = new Uint8Array(4 + 126);
    at126.set([0x82, 126, 0, 126]);
    assert.equal(parseAll(at126, strict).length, 1);
    const at64k = new Uint8Array(10 + 0x10000);
    at64k.set([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert.equal(parseAll(at64k, strict).length, 1);
  });

  test('the header hands out a copy of the masking key, not a view of the read (which it would keep alive)', () => {
    // A Buffer's slice() is a view: a key cut that way from a socket read kept the whole read
    // alive for as long as a frame event (a wire-log row) kept the key.
    const frame = hex('818537fa213d7f9f4d5158');
    const read = Buffer.from(new ArrayBuffer(64 * 1024), 0, frame.length); // a read, in a 64 KiB allocation
    read.set(frame);
    const headers: FrameHeader[] = [];
    new FrameParser({ onFrameHeader: (h) => void headers.push(h), onFramePayload: () => {}, onFrameEnd: () => {} }, { ...serverSide }).push(read);
    const mask = headers[0].mask!;
    assert.equal(toHex(mask), '37fa213d');
    assert.equal(mask.buffer.byteLength, 4);
    read.fill(0);
    assert.equal(toHex(mask), '37fa213d', 'unchanged when the read buffer is reused');
  });

  test('the masking key lives in four octets of the parser, reused by every masked frame', () => {
    // A new array per frame was most of the cost of a 16-byte masked message.
    const keys: string[] = [];
    const arrays = new Set<Uint8Array>();
    const sink = { onFrameHeader: (h: FrameHeader) => void (keys.push(toHex(h.mask!)), arrays.add(h.mask!)), onFramePayload: () => {}, onFrameEnd: () => {} };
    new FrameParser(sink, { ...serverSide }).push(hex('818537fa213d7f9f4d5158 8180aabbccdd 2e'));
    assert.deepEqual(keys, ['37fa213d', 'aabbccdd']);
    assert.equal(arrays.size, 1);
  });

  test('a masked payload is unmasked in place in the input buffer (the parser takes ownership)', () => {
    const input = hex('818537fa213d7f9f4d5158');
    new FrameParser(new Recorder(), { ...serverSide }).push(input);
    assert.equal(toHex(input.subarray(6)), '48656c6c6f');
  });
});

/** Counts the payload pieces of each frame. */
class CountingRecorder extends Recorder {
  pieceCounts: number[] = [];
  private count = 0;
  override onFrameHeader(header: FrameHeader): boolean | void {
    super.onFrameHeader(header);
    this.count = 0;
  }
  override onFramePayload(chunk: Uint8Array): void {
    super.onFramePayload(chunk);
    this.count++;
  }
  override onFrameEnd(): void {
    super.onFrameEnd();
    this.pieceCounts.push(this.count);
  }
}

/** Lets masked payloads come whole, as the Connection does for all but uncompressed text. */
class JoiningRecorder extends CountingRecorder {
  override onFrameHeader(header: FrameHeader): boolean {
    super.onFrameHeader(header);
    return true;
  }
}

for (const kernel of ['simd', 'words'] as const) describe(`a masked payload in several pieces, taken whole by the sink (large payloads: ${kernel})`, () => {
  before(() => assert.equal(largePayloadMasking(kernel === 'simd'), kernel));
  after(() => largePayloadMasking(true));
  const random = prng(11);
  const sizes = [1, 5, 47, 48, 125, 511, 512, 513, 4096, 65_536, 65_541, 200_003];
  const frames = sizes.map((size) => ({ size, payload: randomBytes(random, size), mask: randomBytes(random, 4) }));
  const wire = join(frames.flatMap((f) => encodeFrame({ opcode: Opcode.Binary, payload: f.payload, mask: f.mask })));
  const chunkingsToTry = [
    { name: 'whole', cuts: [] as number[] },
    { name: '64 KiB reads', cuts: Array.from({ length: Math.floor(wire.length / 65_536) }, (_, i) => (i + 1) * 65_536) },
    { name: '1,000-byte reads', cuts: Array.from({ length: Math.floor(wire.length / 1000) }, (_, i) => (i + 1) * 1000) },
    { name: 'random reads of 1-3,000 bytes', cuts: ((r) => { const cuts: number[] = []; for (let p = 0; p < wire.length; ) cuts.push((p += 1 + Math.floor(r() * 3000))); return cuts; })(prng(5)) },
  ];
  for (const { name, cuts } of chunkingsToTry) {
    test(`${sizes.length} frames of 1 B to 195 KiB in ${name}: each payload comes as one unmasked piece, the bytes exact`, () => {
      const recorder = new JoiningRecorder();
      const parser = new FrameParser(recorder, { ...serverSide });
      let from = 0;
      for (const cut of [...cuts, wire.length]) {
        parser.push(wire.slice(from, Math.min(cut, wire.length)));
        from = Math.min(cut, wire.length);
      }
      assert.equal(recorder.frames.length, frames.length);
      frames.forEach((f, i) => assert.equal(recorder.frames[i].payload, toHex(f.payload), `frame ${i} (${f.size} B)`));
      assert.deepEqual(recorder.pieceCounts, frames.map(() => 1));
    });
  }

  test('byte by byte, with a ping between two frames: still one piece per frame', () => {
    const payload = randomBytes(random, 700);
    const data = join([
      ...encodeFrame({ opcode: Opcode.Binary, payload, mask: hex('01020304'), fin: false }),
      ...encodeFrame({ opcode: Opcode.Ping, payload: hex('0a0b0c'), mask: hex('a0b0c0d0') }),
      ...encodeFrame({ opcode: Opcode.Continuation, payload: payload.subarray(0, 99), mask: hex('ffeeddcc') }),
    ]);
    const recorder = new JoiningRecorder();
    const parser = new FrameParser(recorder, { ...serverSide });
    for (const b of data) parser.push(Uint8Array.of(b));
    assert.deepEqual(recorder.frames.map((f) => [f.opcode, f.payload]), [[2, toHex(payload)], [9, '0a0b0c'], [0, toHex(payload.subarray(0, 99))]]);
    assert.deepEqual(recorder.pieceCounts, [1, 1, 1]);
  });

  test('a sink that does not take it whole gets each piece as it arrives, unmasked in place', () => {
    const payload = randomBytes(random, 3000);
    const data = join(encodeFrame({ opcode: Opcode.Text, payload, mask: hex('37fa213d') }));
    const recorder = new CountingRecorder();
    const parser = new FrameParser(recorder, { ...serverSide });
    for (let at = 0; at < data.length; at += 1000) {
      parser.push(data.slice(at, at + 1000));
      if (at === 0) assert.equal(recorder.payloadBytes, 1000 - 8, 'the first piece came before the frame ended');
    }
    assert.equal(recorder.frames[0].payload, toHex(payload));
    assert.deepEqual(recorder.pieceCounts, [4]);
  });
});

describe('RFC 6455 §5.2 / §5.5 protocol errors in the parser (all 1002 unless noted)', () => {
  const cases: { name: string; wire: string; options: FrameParserOptions; code: string; closeCode?: number; detectedAt: number }[] = [];
  for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    cases.push({ name: `reserved opcode ${opcode}`, wire: `${(0x80 | opcode).toString(16)}0548656c6c6f`, options: clientSide, code: 'WSW_ERR_RESERVED_OPCODE', detectedAt: 1 });
  }
  for (const [bit, byte] of [['RSV1', 'c1'], ['RSV2', 'a1'], ['RSV3', '91']]) {
    cases.push({ name: `${bit} without an extension`, wire: `${byte}0548656c6c6f`, options: clientSide, code: 'WSW_ERR_RESERVED_RSV', detectedAt: 1 });
  }
  cases.push({ name: 'RSV2 when only RSV1 was negotiated', wire: 'e10548656c6c6f', options: { ...clientSide, allowedRsv: 4 }, code: 'WSW_ERR_RESERVED_RSV', detectedAt: 1 });
  cases.push({ name: 'RSV3 when only RSV1 was negotiated', wire: 'd10548656c6c6f', options: { ...clientSide, allowedRsv: 4 }, code: 'WSW_ERR_RESERVED_RSV', detectedAt: 1 });
  cases.push({ name: 'ping with a 126-byte payload (16-bit length)', wire: '897e007e' + '00'.repeat(126), options: clientSide, code: 'WSW_ERR_CONTROL_FRAME_TOO_LONG', detectedAt: 1 });
  cases.push({ name: 'close with a 64-bit length', wire: '887f0000000000000002' + '03e8', options: clientSide, code: 'WSW_ERR_CONTROL_FRAME_TOO_LONG', detectedAt: 1 });
  cases.push({ name: 'fragmented ping (FIN clear)', wire: '090548656c6c6f', options: clientSide, code: 'WSW_ERR_CONTROL_FRAME_FRAGMENTED', detectedAt: 1 });
  cases.push({ name: 'fragmented close', wire: '080203e8', options: clientSide, code: 'WSW_ERR_CONTROL_FRAME_FRAGMENTED', detectedAt: 1 });
  cases.push({ name: 'unmasked frame from a client (server role)', wire: '810548656c6c6f', options: serverSide, code: 'WSW_ERR_MASK_REQUIRED', detectedAt: 1 });
  cases.push({ name: 'masked frame from a server (client role)', wire: '818537fa213d7f9f4d5158', options: clientSide, code: 'WSW_ERR_MASK_FORBIDDEN', detectedAt: 1 });
  cases.push({ name: '64-bit length with the most significant bit set', wire: '827f8000000000000001ff', options: clientSide, code: 'WSW_ERR_LENGTH_TOP_BIT', detectedAt: 9 });
  // At its last length octet, before the mask key (ws fails it there too).
  cases.push({ name: '64-bit length ff…ff (masked)', wire: '82ffffffffffffffffff01020304ff', options: serverSide, code: 'WSW_ERR_LENGTH_TOP_BIT', detectedAt: 9 });
  cases.push({ name: 'masked frame over maxFrameSize (16-bit length)', wire: '82fe0100' + '01020304' + '00'.repeat(256), options: { ...serverSide, maxFrameSize: 255 }, code: 'WSW_ERR_FRAME_TOO_BIG', closeCode: 1009, detectedAt: 3 });
  cases.push({ name: 'close with a 1-byte payload', wire: '880103', options: clientSide, code: 'WSW_ERR_INVALID_CLOSE_PAYLOAD', detectedAt: 1 });
  cases.push({ name: 'close with a 1-byte payload (masked)', wire: '888101020304ff', options: serverSide, code: 'WSW_ERR_INVALID_CLOSE_PAYLOAD', detectedAt: 1 });
  cases.push({ name: 'frame one byte over maxFrameSize (7-bit length)', wire: '8206010203040506', options: { ...clientSide, maxFrameSize: 5 }, code: 'WSW_ERR_FRAME_TOO_BIG', closeCode: 1009, detectedAt: 1 });
  cases.push({ name: 'frame over maxFrameSize (16-bit length)', wire: '827e0100' + '00'.repeat(256), options: { ...clientSide, maxFrameSize: 255 }, code: 'WSW_ERR_FRAME_TOO_BIG', closeCode: 1009, detectedAt: 3 });
  cases.push({ name: 'frame over maxFrameSize (64-bit length, 4 GiB)', wire: '827f0000000100000000', options: clientSide, code: 'WSW_ERR_FRAME_TOO_BIG', closeCode: 1009, detectedAt: 9 });

  for (const c of cases) {
    test(`${c.name} → ${c.closeCode ?? 1002} ${c.code}, before any payload is read`, () => {
      const wire = hex(c.wire);
      const whole = failWhole(wire, c.options);
      assert.equal(whole.code, c.code);
      assert.equal(whole.closeCode, c.closeCode ?? 1002);
      const bytewise = failByteByByte(wire, c.options);
      assert.equal(bytewise.error.code, c.code);
      assert.equal(bytewise.at, c.detectedAt, 'detected at the byte that makes the header bad');
      assert.equal(bytewise.payloadBytes, 0);
    });
  }

  test('frame of exactly maxFrameSize is accepted', () => {
    assert.deepEqual(parseAll(hex('82050102030405'), { ...clientSide, maxFrameSize: 5 }), [frame({ opcode: 2, payload: '0102030405' })]);
  });

  test('RSV1 passes the parser once an extension allows it (setAllowedRsv)', () => {
    const recorder = new Recorder();
    const parser = new FrameParser(recorder, { ...clientSide });
    parser.setAllowedRsv(4);
    parser.push(hex('c10548656c6c6f'));
    assert.equal(recorder.frames[0].rsv, 4);
  });

  test('a control frame of exactly 125 bytes is fine', () => {
    const payload = '00'.repeat(125);
    assert.deepEqual(parseAll(hex('897d' + payload), clientSide), [frame({ opcode: 9, payload })]);
  });

  test('after a fault the parser ignores everything', () => {
    const recorder = new Recorder();
    const parser = new FrameParser(recorder, { ...clientSide });
    parser.push(hex('810141'));
    assert.throws(() => parser.push(hex('830141 810142')), (e: unknown) => e instanceof ProtocolError && e.code === 'WSW_ERR_RESERVED_OPCODE');
    parser.push(hex('810143'));
    assert.deepEqual(recorder.frames.map((f) => f.payload), ['41']);
  });

  test('a fault inside a chunk stops the chunk: earlier frames in it were delivered, later ones not', () => {
    const recorder = new Recorder();
    const parser = new FrameParser(recorder, { ...clientSide });
    assert.throws(() => parser.push(hex('810141 0900 810142')), ProtocolError);
    assert.deepEqual(recorder.frames.map((f) => f.payload), ['41']);
  });
});
