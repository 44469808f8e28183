// The engine's buffer pool (allocFilled) and copyBytes; and that pooled messages never share bytes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, Opcode, allocFilled, copyBytes, encodeFrame } from '../../src/engine';
import { prng, randomBytes } from './helpers';

const KiB = 1024;

describe('allocFilled', () => {
  test('4-256 KiB come from one shared 1 MiB slab, 8-byte aligned and disjoint', () => {
    const sizes = [4 * KiB, 5 * KiB + 3, 64 * KiB, 100 * KiB + 1];
    const buffers = sizes.map((size) => allocFilled(size));
    const slab = buffers[0].buffer;
    assert.equal(slab.byteLength, 1024 * KiB);
    for (const [i, b] of buffers.entries()) {
      assert.equal(b.length, sizes[i]);
      if (b.buffer !== slab) continue; // the first one may have opened a slab the others did not fit
      assert.equal(b.byteOffset % 8, 0, `offset ${b.byteOffset}`);
    }
    assert.ok(buffers.filter((b) => b.buffer === slab).length >= 2, 'consecutive buffers share a slab');
    // Disjoint: filling each one leaves the others as they were.
    buffers.forEach((b, i) => b.fill(i + 1));
    buffers.forEach((b, i) => assert.ok(b.every((x) => x === i + 1), `buffer ${i} was overwritten`));
  });

  test('a full slab gives way to a new one; sizes outside 4-256 KiB get buffers of their own or Node\'s pool', () => {
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 9; i++) seen.add(allocFilled(256 * KiB).buffer);
    assert.ok(seen.size >= 3, `nine 256 KiB buffers in ${seen.size} slabs`);
    for (const buffer of seen) assert.equal(buffer.byteLength, 1024 * KiB);
    const large = allocFilled(256 * KiB + 1);
    assert.equal(large.buffer.byteLength, 256 * KiB + 1);
    assert.ok(allocFilled(4 * KiB - 1).buffer.byteLength <= Buffer.poolSize, 'under 4 KiB: Buffer.allocUnsafe\'s pool');
  });
});

describe('copyBytes', () => {
  test('holds only the bytes it copied, and later writes to the original do not reach it', () => {
    const socketRead = Buffer.from('0123456789');
    const view = socketRead.subarray(2, 5);
    const copy = copyBytes(view);
    socketRead.fill(0);
    assert.deepEqual([...copy], [...Buffer.from('234')]);
    assert.equal(copy.buffer.byteLength, 3);
    // What copyBytes replaced: Buffer#slice is a view and sees the write.
    const b = Buffer.from('abc');
    const sliced = b.slice();
    b[0] = 0x7a;
    assert.equal(sliced[0], 0x7a);
  });
});

describe('messages joined in pooled buffers', () => {
  test('every message kept from a long stream still holds its own bytes at the end', () => {
    // Messages of 1-300 KiB in random 1-64 KiB chunks: most are joined from several chunks into
    // slab buffers. If any two shared bytes, a later message would overwrite an earlier one.
    for (const role of ['client', 'server'] as const) {
      const random = prng(role === 'client' ? 7 : 8);
      const sent: Uint8Array[] = [];
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 60; i++) {
        const payload = randomBytes(random, 1 + Math.floor(random() * 300 * KiB));
        sent.push(payload);
        const mask = role === 'server' ? randomBytes(random, 4) : null;
        frames.push(Buffer.concat(encodeFrame({ opcode: Opcode.Binary, payload, mask })));
      }
      const stream = Buffer.concat(frames);
      const connection = new Connection({ role, limits: { maxMessageSize: 1024 * KiB } });
      const received: Uint8Array[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + Math.floor(random() * 64 * KiB);
        // A fresh copy per chunk, as a socket gives: the engine unmasks in place.
        connection.receiveData(Uint8Array.from(stream.subarray(at, at + size)));
        at += size;
        for (const event of connection.events()) if (event.type === 'message') received.push(event.data);
      }
      assert.equal(received.length, sent.length);
      const pooled = received.filter((m) => m.buffer.byteLength === 1024 * KiB).length;
      assert.ok(pooled > 20, `${role}: only ${pooled} of ${received.length} messages came from slabs`);
      received.forEach((m, i) => assert.ok(Buffer.from(m).equals(sent[i]), `${role}: message ${i} (${sent[i].length} bytes) changed`));
    }
  });
});
