import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRawFrame, repeatPayload, type RawFrameSpec } from '../../../src/wire/raw-frame';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (s: string) => new TextEncoder().encode(s);

function frame(overrides: Partial<RawFrameSpec>): RawFrameSpec {
  return { opcode: 1, payload: new Uint8Array(0), fin: true, rsv: 0, mask: null, ...overrides };
}

describe('RFC 6455 §5.7 examples', () => {
  test('a single-frame unmasked text message', () => {
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('Hello') })).octets), '810548656c6c6f');
  });

  test('a single-frame masked text message', () => {
    const encoded = encodeRawFrame(frame({ payload: text('Hello'), mask: hex('37fa213d') }));
    assert.equal(toHex(encoded.octets), '818537fa213d7f9f4d5158');
    assert.equal(toHex(encoded.mask as Uint8Array), '37fa213d');
  });

  test('a fragmented unmasked text message', () => {
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('Hel'), fin: false })).octets), '010348656c');
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 0, payload: text('lo') })).octets), '80026c6f');
  });

  test('unmasked ping and masked pong', () => {
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 9, payload: text('Hello') })).octets), '890548656c6c6f');
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 10, payload: text('Hello'), mask: hex('37fa213d') })).octets), '8a8537fa213d7f9f4d5158');
  });

  test('256 octets of binary: 16-bit length', () => {
    const octets = encodeRawFrame(frame({ opcode: 2, payload: new Uint8Array(256).fill(7) })).octets;
    assert.equal(toHex(octets.subarray(0, 4)), '827e0100');
    assert.equal(octets.length, 4 + 256);
  });

  test('64 KiB of binary: 64-bit length', () => {
    const octets = encodeRawFrame(frame({ opcode: 2, payload: new Uint8Array(65536) })).octets;
    assert.equal(toHex(octets.subarray(0, 10)), '827f0000000000010000');
    assert.equal(octets.length, 10 + 65536);
  });
});

describe('length encoding boundaries', () => {
  for (const [length, header] of [
    [125, '817d'],
    [126, '817e007e'],
    [65535, '817effff'],
    [65536, '817f0000000000010000'],
  ] as const) {
    test(`${length} octets -> ${header}`, () => {
      const octets = encodeRawFrame(frame({ payload: new Uint8Array(length) })).octets;
      assert.equal(toHex(octets.subarray(0, header.length / 2)), header);
      assert.equal(octets.length, header.length / 2 + length);
    });
  }
});

describe('the knobs Autobahn has and a valid encoder would refuse', () => {
  test('rsv bits, fin off and reserved opcodes go out as given', () => {
    assert.equal(toHex(encodeRawFrame(frame({ rsv: 4 })).octets), 'c100');
    assert.equal(toHex(encodeRawFrame(frame({ rsv: 7, fin: false, opcode: 0 })).octets), '7000');
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 0xb })).octets), '8b00');
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 15, rsv: 2, fin: false })).octets), '2f00');
  });

  test('values wider than their field are cut to it', () => {
    assert.equal(toHex(encodeRawFrame(frame({ rsv: 8 + 1, opcode: 16 + 2 })).octets), '9200');
  });

  test('a control frame longer than 125 octets is encoded anyway', () => {
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 9, payload: new Uint8Array(126) })).octets.subarray(0, 4)), '897e007e');
  });

  test('the length override lies in the header and sends the real payload', () => {
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('Hello'), payloadLengthOverride: 3 })).octets), '810348656c6c6f');
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('Hello'), payloadLengthOverride: 126 })).octets), '817e007e48656c6c6f');
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('Hi'), payloadLengthOverride: 0 })).octets), '81004869');
  });

  test('the override can set the most significant bit of the 64-bit length (RFC: MUST be 0)', () => {
    const octets = encodeRawFrame(frame({ payload: text('Hi'), payloadLengthOverride: 2n ** 63n })).octets;
    assert.equal(toHex(octets), '817f80000000000000004869');
  });

  test('the override with a mask: masked length bit, real payload masked', () => {
    const octets = encodeRawFrame(frame({ payload: text('Hello'), mask: hex('37fa213d'), payloadLengthOverride: 1 })).octets;
    assert.equal(toHex(octets), '818137fa213d7f9f4d5158');
  });

  test('repeat: payload repeated and cut to the length, which the header announces', () => {
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('abc'), payloadRepeatLength: 7 })).octets), '8107' + toHex(text('abcabca')));
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('abc'), payloadRepeatLength: 2 })).octets), '8102' + toHex(text('ab')));
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('abc'), payloadRepeatLength: 0 })).octets), '8100');
  });

  test('repeat to a 16-bit length, masked', () => {
    const mask = hex('01020304');
    const octets = encodeRawFrame(frame({ opcode: 2, payload: hex('00'), payloadRepeatLength: 300, mask })).octets;
    assert.equal(toHex(octets.subarray(0, 8)), '82fe012c01020304');
    assert.equal(toHex(octets.subarray(8, 16)), '0102030401020304');
    assert.equal(octets.length, 8 + 300);
  });

  test('repeat and override together: the override wins in the header', () => {
    assert.equal(toHex(encodeRawFrame(frame({ payload: text('ab'), payloadRepeatLength: 3, payloadLengthOverride: 9 })).octets), '8109616261');
  });

  test('repeating an empty payload is a usage error (as in Autobahn)', () => {
    assert.throws(() => repeatPayload(new Uint8Array(0), 5), RangeError);
    assert.deepEqual(repeatPayload(new Uint8Array(0), 0), new Uint8Array(0));
  });

  test('repeatPayload over many lengths matches the naive definition', () => {
    const payload = text('0123456');
    for (let length = 0; length < 60; length++) {
      const naive = Uint8Array.from({ length }, (_, i) => payload[i % payload.length]);
      assert.deepEqual(repeatPayload(payload, length), naive, `length ${length}`);
    }
  });
});

describe('masking', () => {
  test("'random' draws the key from the injected source and reports it", () => {
    let calls = 0;
    const encoded = encodeRawFrame(frame({ payload: text('Hello'), mask: 'random' }), () => {
      calls++;
      return hex('37fa213d');
    });
    assert.equal(calls, 1);
    assert.equal(toHex(encoded.octets), '818537fa213d7f9f4d5158');
    assert.equal(toHex(encoded.mask as Uint8Array), '37fa213d');
  });

  test("'random' by default: a 4-octet key that the octets carry", () => {
    const encoded = encodeRawFrame(frame({ payload: text('Hello'), mask: 'random' }));
    assert.equal(encoded.mask?.length, 4);
    assert.deepEqual(encoded.octets.subarray(2, 6), encoded.mask);
    const unmasked = encoded.octets.subarray(6).map((b, i) => b ^ (encoded.mask as Uint8Array)[i % 4]);
    assert.equal(Buffer.from(unmasked).toString(), 'Hello');
  });

  test('no mask: the mask bit is clear and no key is reported', () => {
    assert.equal(encodeRawFrame(frame({ payload: text('x') })).mask, null);
  });

  test('every length and header size (payload at offsets 6, 8 and 14) matches the octet-wise XOR', () => {
    const mask = hex('a1b2c3d4');
    for (const length of [...Array.from({ length: 140 }, (_, i) => i), 65535, 65536, 65539]) {
      const payload = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);
      const octets = encodeRawFrame(frame({ opcode: 2, payload, mask })).octets;
      const body = octets.subarray(octets.length - length);
      const expected = payload.map((b, i) => b ^ mask[i % 4]);
      assert.ok(Buffer.from(body).equals(Buffer.from(expected)), `length ${length}`);
    }
  });

  test("the caller's payload is left untouched", () => {
    const payload = text('Hello');
    encodeRawFrame(frame({ payload, mask: hex('37fa213d') }));
    assert.equal(Buffer.from(payload).toString(), 'Hello');
  });

  test('a payload that is an unaligned view of a larger buffer', () => {
    const backing = text('xHelloy');
    const encoded = encodeRawFrame(frame({ payload: backing.subarray(1, 6), mask: hex('37fa213d') }));
    assert.equal(toHex(encoded.octets), '818537fa213d7f9f4d5158');
  });
});

describe("the seed report's frames (case 5.20)", () => {
  const seedFrames: Array<[number, boolean, string, string, string]> = [
    [1, false, 'be6e52c6', 'fragment1', '0189be6e52c6d81c33a1d30b3cb28f'],
    [0, false, '6abb748e', 'fragment2', '00896abb748e0cc915e907de1afa58'],
    [9, true, 'ddf1bc65', 'pongme 1!', '8989ddf1bc65ad9ed202b0949c54fc'],
    [0, false, '9c0521a4', 'fragment3', '00899c0521a4fa7740c3f1604fd0af'],
    [0, false, '5c1fc1f7', 'fragment4', '00895c1fc1f73a6da090317aaf8368'],
    [9, true, 'fe80cb4a', 'pongme 2!', '8989fe80cb4a8eefa52d93e5eb78df'],
    [0, true, '453d0c2d', 'fragment5', '8089453d0c2d234f6d4a2858625970'],
  ];
  for (const [opcode, fin, mask, payload, octets] of seedFrames) {
    test(`${payload} with mask ${mask}`, () => {
      assert.equal(toHex(encodeRawFrame(frame({ opcode, fin, mask: hex(mask), payload: text(payload) })).octets), octets);
    });
  }

  test('the close frame 1000 with mask 2f0f5753', () => {
    assert.equal(toHex(encodeRawFrame(frame({ opcode: 8, mask: hex('2f0f5753'), payload: hex('03e8') })).octets), '88822f0f57532ce7');
  });
});
