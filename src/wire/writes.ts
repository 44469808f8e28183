/**
 * How a frame's octets go onto the socket, as data for the transport (src/wire has no sockets or
 * timers). Mirrors Autobahn's `sendData`: with a chop size the octets become chunks of that many
 * octets, each one a sync write; otherwise one write carrying the caller's sync flag.
 *
 * Contract for the transport, which honours the list in order:
 * - a `sync` write goes to the socket on its own: write it, let the event loop turn (so the kernel
 *   sends it as its own segment), then take the next write;
 * - a non-sync write may be coalesced with whatever follows, but never overtakes a pending sync
 *   write (Autobahn queues it behind them).
 */

export interface OctetWrite {
  data: Uint8Array;
  sync: boolean;
}

/** `octets` cut into chunks of `chopSize` octets (the last may be shorter); views, not copies. */
export function chopOctets(octets: Uint8Array, chopSize: number): Uint8Array[] {
  if (!(chopSize >= 1)) throw new RangeError(`chop size must be at least 1, got ${chopSize}`);
  const chunks: Uint8Array[] = [];
  // Like Autobahn, an empty frame still makes one (empty) write.
  let start = 0;
  do {
    chunks.push(octets.subarray(start, start + chopSize));
    start += chopSize;
  } while (start < octets.length);
  return chunks;
}

/** The writes for one frame (or any octets) sent with Autobahn's `chopsize` and `sync` knobs. */
export function planWrites(octets: Uint8Array, options: { chopSize?: number | null; sync?: boolean }): OctetWrite[] {
  const { chopSize, sync = false } = options;
  if (chopSize != null && chopSize > 0) return chopOctets(octets, chopSize).map((data) => ({ data, sync: true }));
  return [{ data: octets, sync }];
}
