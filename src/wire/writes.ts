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

/**
 * Cuts octets holding whole frames one after the other (what an encoder produced) at the frame
 * boundaries, reading each header's payload length and mask bit; views, not copies. Throws a
 * RangeError when the octets end inside a frame.
 */
export function splitFrames(octets: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (offset < octets.length) {
    if (octets.length - offset < 2) throw new RangeError(`a frame header is cut short at octet ${offset}`);
    const second = octets[offset + 1];
    const len7 = second & 0x7f;
    let header = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
    if (octets.length - offset < header) throw new RangeError(`a frame header is cut short at octet ${offset}`);
    let length = len7;
    if (len7 === 126) length = (octets[offset + 2] << 8) | octets[offset + 3];
    else if (len7 === 127) {
      length = 0;
      for (let i = 2; i < 10; i++) length = length * 256 + octets[offset + i];
    }
    header += length;
    if (octets.length - offset < header) throw new RangeError(`a frame of ${header} octets at octet ${offset} is cut short`);
    frames.push(octets.subarray(offset, offset + header));
    offset += header;
  }
  return frames;
}
