import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chopOctets, planWrites, splitFrames } from '../../../src/wire/writes';
import { encodeRawFrame } from '../../../src/wire/raw-frame';

const octets = Uint8Array.from({ length: 10 }, (_, i) => i);
const lengths = (chunks: Uint8Array[]) => chunks.map((chunk) => chunk.length);

describe('chopOctets', () => {
  test('chunks of the chop size, the last one shorter', () => {
    assert.deepEqual(lengths(chopOctets(octets, 3)), [3, 3, 3, 1]);
    assert.deepEqual(chopOctets(octets, 3)[3], Uint8Array.of(9));
  });

  test('chop size 1 gives one chunk per octet (Autobahn\'s octet-wise chops)', () => {
    assert.deepEqual(lengths(chopOctets(octets, 1)), Array(10).fill(1));
  });

  test('a chop size at or above the length gives one chunk', () => {
    assert.deepEqual(lengths(chopOctets(octets, 10)), [10]);
    assert.deepEqual(lengths(chopOctets(octets, 64)), [10]);
  });

  test('empty octets still make one empty write, as in Autobahn', () => {
    assert.deepEqual(lengths(chopOctets(new Uint8Array(0), 4)), [0]);
  });

  test('the chunks put back together are the octets', () => {
    assert.deepEqual(Buffer.concat(chopOctets(octets, 4)), Buffer.from(octets));
  });

  test('a chop size below 1 is a usage error', () => {
    for (const size of [0, -1, Number.NaN]) assert.throws(() => chopOctets(octets, size), RangeError);
  });
});

describe('planWrites (Autobahn sendData)', () => {
  test('with a chop size: every chunk is a sync write, whatever the sync flag', () => {
    const writes = planWrites(octets, { chopSize: 4, sync: false });
    assert.deepEqual(writes.map((w) => [w.data.length, w.sync]), [[4, true], [4, true], [2, true]]);
  });

  test('without a chop size: one write carrying the sync flag', () => {
    assert.deepEqual(planWrites(octets, { sync: true }), [{ data: octets, sync: true }]);
    assert.deepEqual(planWrites(octets, {}), [{ data: octets, sync: false }]);
  });

  test('chop size 0 or null means no chopping (Autobahn: `if chopsize and chopsize > 0`)', () => {
    assert.deepEqual(planWrites(octets, { chopSize: 0 }), [{ data: octets, sync: false }]);
    assert.deepEqual(planWrites(octets, { chopSize: null, sync: true }), [{ data: octets, sync: true }]);
  });
});

describe('splitFrames', () => {
  const frame = (payloadLength: number, mask: Uint8Array | null, opcode = 1) =>
    encodeRawFrame({ opcode, fin: true, rsv: 0, payload: new Uint8Array(payloadLength).fill(0x61), mask }).octets;
  const join = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

  test('cuts frames with 7-bit, 16-bit and 64-bit lengths, masked or not, at their boundaries', () => {
    const parts = [frame(0, null), frame(5, Uint8Array.of(1, 2, 3, 4)), frame(300, null, 2), frame(70000, Uint8Array.of(9, 9, 9, 9), 0), frame(125, null, 9)];
    const frames = splitFrames(join(...parts));
    assert.deepEqual(lengths(frames), [2, 2 + 4 + 5, 2 + 2 + 300, 2 + 8 + 4 + 70000, 2 + 125]);
    frames.forEach((f, i) => assert.deepEqual(Buffer.from(f), Buffer.from(parts[i])));
  });

  test('no octets, no frames', () => {
    assert.deepEqual(splitFrames(new Uint8Array(0)), []);
  });

  test('octets that end inside a header or a payload are refused', () => {
    assert.throws(() => splitFrames(Uint8Array.of(0x81)), RangeError);
    assert.throws(() => splitFrames(Uint8Array.of(0x81, 0x7e, 0x01)), RangeError);
    assert.throws(() => splitFrames(frame(10, null).subarray(0, 11)), RangeError);
  });
});
