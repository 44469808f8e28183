/**
 * Counters behind the report's "Wire Statistics", as Autobahn keeps them: every socket write or
 * read counts once under its length ("chop size"), every frame once under its opcode.
 *
 * src/cases/result.ts names this type WireStats for the case model.
 */

export interface WireCounters {
  rxOctetsByChopSize: Map<number, number>;
  txOctetsByChopSize: Map<number, number>;
  rxFramesByOpcode: Map<number, number>;
  txFramesByOpcode: Map<number, number>;
}

export type Direction = 'rx' | 'tx';

export function emptyWireCounters(): WireCounters {
  return { rxOctetsByChopSize: new Map(), txOctetsByChopSize: new Map(), rxFramesByOpcode: new Map(), txFramesByOpcode: new Map() };
}

/** One write (tx) or one read (rx) of `octetCount` octets. */
export function countOctets(counters: WireCounters, direction: Direction, octetCount: number): void {
  increment(direction === 'rx' ? counters.rxOctetsByChopSize : counters.txOctetsByChopSize, octetCount);
}

/** One frame sent (tx) or received (rx). */
export function countFrame(counters: WireCounters, direction: Direction, opcode: number): void {
  increment(direction === 'rx' ? counters.rxFramesByOpcode : counters.txFramesByOpcode, opcode);
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
