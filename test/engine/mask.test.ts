import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMask, largePayloadMasking, maskInto, pooledRandomMask } from '../../src/engine/mask';
import { hex, prng, randomBytes, toHex } from './helpers';

/** The definition of RFC 6455 §5.3, one byte at a time. */
function naiveMask(data: Uint8Array, mask: Uint8Array, offset: number): Uint8Array {
  const out = data.slice();
  for (let i = 0; i < out.length; i++) out[i] ^= mask[(offset + i) % 4];
  return out;
}

test('Node has WebAssembly SIMD, so large payloads are masked by the SIMD kernel', () => {
  assert.equal(largePayloadMasking(), 'simd');
});

for (const kernel of ['simd', 'words'] as const) describe(`RFC 6455 §5.3 client-to-server masking (large payloads: ${kernel})`, () => {
  before(() => assert.equal(largePayloadMasking(kernel === 'simd'), kernel));
  after(() => largePayloadMasking(true));

  test('the §5.7 example: "Hello" masked with 37 fa 21 3d', () => {
    const data = hex('48656c6c6f');
    applyMask(data, hex('37fa213d'));
    assert.equal(toHex(data), '7f9f4d5158');
    applyMask(data, hex('37fa213d'));
    assert.equal(toHex(data), '48656c6c6f');
  });

  test('an offset continues the mask stream (a payload unmasked in pieces)', () => {
    const mask = hex('37fa213d');
    const data = hex('7f9f4d5158');
    applyMask(data.subarray(0, 2), mask, 0);
    applyMask(data.subarray(2, 3), mask, 2);
    applyMask(data.subarray(3), mask, 3);
    assert.equal(toHex(data), '48656c6c6f');
  });

  test('every misalignment (byteOffset 0-3), every offset 0-7, lengths 0-70, against a byte loop', () => {
    const random = prng(53);
    const mask = hex('a1b2c3d4');
    for (let byteOffset = 0; byteOffset < 4; byteOffset++) {
      for (let offset = 0; offset < 8; offset++) {
        for (let length = 0; length <= 70; length++) {
          const backing = randomBytes(random, byteOffset + length + 8);
          const data = backing.subarray(byteOffset, byteOffset + length);
          const before = toHex(backing);
          const expected = naiveMask(data, mask, offset);
          applyMask(data, mask, offset);
          assert.equal(toHex(data), toHex(expected), `byteOffset ${byteOffset}, offset ${offset}, length ${length}`);
          // Nothing outside the view is touched.
          assert.equal(toHex(backing.subarray(0, byteOffset)), before.slice(0, byteOffset * 2));
          assert.equal(toHex(backing.subarray(byteOffset + length)), before.slice((byteOffset + length) * 2));
        }
      }
    }
  });

  test('large buffers at each misalignment and with random masks', () => {
    const random = prng(7);
    for (const length of [511, 512, 513, 1000, 65_535, 65_536, 65_537, 131_088, 1_000_003]) {
      for (let byteOffset = 0; byteOffset < 4; byteOffset++) {
        const mask = randomBytes(random, 4);
        const offset = Math.floor(random() * 1000);
        const data = randomBytes(random, length + 4).subarray(byteOffset, byteOffset + length);
        const expected = naiveMask(data, mask, offset);
        applyMask(data, mask, offset);
        assert.ok(Buffer.from(data).equals(Buffer.from(expected)), `length ${length}, byteOffset ${byteOffset}`);
      }
    }
  });

  test('offsets beyond 2^32 keep their low bits (a payload longer than 4 GiB, unmasked in pieces)', () => {
    const mask = hex('01020304');
    const data = hex('00000000000000');
    applyMask(data, mask, 2 ** 32 + 1);
    assert.equal(toHex(data), '02030401020304');
  });

  test('a zero mask changes nothing and the mask itself is not modified', () => {
    const mask = hex('00000000');
    const data = hex('0102030405');
    applyMask(data, mask);
    assert.equal(toHex(data), '0102030405');
    const key = hex('ffeeddcc');
    applyMask(new Uint8Array(33), key, 1);
    assert.equal(toHex(key), 'ffeeddcc');
  });


  test('maskInto copies and masks in one call, leaving the source and the rest of the target alone', () => {
    const random = prng(11);
    for (const length of [0, 5, 47, 48, 511, 512, 4099, 65_536, 200_003]) {
      const mask = randomBytes(random, 4);
      const source = randomBytes(random, length);
      const sourceBefore = toHex(source.subarray(0, 64));
      const target = randomBytes(random, length + 20);
      const targetBefore = Buffer.from(target);
      maskInto(source, mask, target, 7);
      assert.ok(Buffer.from(target.subarray(7, 7 + length)).equals(Buffer.from(naiveMask(source, mask, 0))), `length ${length}`);
      assert.ok(Buffer.from(target.subarray(0, 7)).equals(targetBefore.subarray(0, 7)));
      assert.ok(Buffer.from(target.subarray(7 + length)).equals(targetBefore.subarray(7 + length)));
      assert.equal(toHex(source.subarray(0, 64)), sourceBefore);
    }
  });

  test('maskInto from a mask stream position (the pieces of one payload, each into its place)', () => {
    const random = prng(12);
    for (const length of [5, 47, 48, 513, 65_541]) {
      for (const offset of [1, 2, 3, 6, 4099]) {
        const mask = randomBytes(random, 4);
        const source = randomBytes(random, length);
        const target = new Uint8Array(length + 3);
        maskInto(source, mask, target, 3, offset);
        assert.ok(Buffer.from(target.subarray(3)).equals(Buffer.from(naiveMask(source, mask, offset))), `length ${length}, offset ${offset}`);
      }
    }
  });
});

describe('pooledRandomMask', () => {
  test('one reused 4-byte buffer, refilled with the pool\'s next bytes on each call, across refills of the pool', () => {
    const next = pooledRandomMask();
    const first = next();
    assert.equal(first.length, 4);
    const keys = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const key = next();
      assert.equal(key, first, 'the same buffer every time');
      keys.add(Buffer.from(key).toString('hex'));
    }
    // 5,000 random 32-bit keys (past two refills of the 2,048-key pool) are all but surely distinct.
    assert.ok(keys.size > 4990, `${keys.size} distinct keys of 5,000`);
  });
});
