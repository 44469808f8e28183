// copyBytes: what keeps received bytes keeps a copy, not a view.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyBytes } from '../../src/engine';

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
