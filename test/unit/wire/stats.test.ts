import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countFrame, countOctets, emptyWireCounters } from '../../../src/wire/stats';

test('octets count per write length, frames per opcode, each direction apart', () => {
  const counters = emptyWireCounters();
  for (const length of [15, 15, 245, 8]) countOctets(counters, 'tx', length);
  countOctets(counters, 'rx', 11);
  for (const opcode of [1, 0, 9, 0]) countFrame(counters, 'tx', opcode);
  countFrame(counters, 'rx', 10);
  assert.deepEqual(counters.txOctetsByChopSize, new Map([[15, 2], [245, 1], [8, 1]]));
  assert.deepEqual(counters.rxOctetsByChopSize, new Map([[11, 1]]));
  assert.deepEqual(counters.txFramesByOpcode, new Map([[1, 1], [0, 2], [9, 1]]));
  assert.deepEqual(counters.rxFramesByOpcode, new Map([[10, 1]]));
});
