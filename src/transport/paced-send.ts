/**
 * A message sent with Autobahn's `chopsize` and `sync` knobs (src/wire planWrites): the engine
 * encodes it as usual (fragments, pings between them, masks, compression), then its octets go
 * to the socket frame by frame as planned: with a chop size each frame in chunks of that many
 * octets, each its own write; with sync each frame its own write; otherwise all coalesced.
 * A write of its own is followed by a turn of the event loop once the socket took it.
 */
import type { SendMessageOptions } from '../engine';
import { planWrites, splitFrames } from '../wire';
import type { WebSocketConnection } from './websocket';

export interface PacedSendOptions extends SendMessageOptions {
  /** Write each frame in chunks of this many octets, each its own write (Autobahn: always sync). */
  chopSize?: number | null;
  /** Each frame its own write (when there is no chop size); false: the frames are coalesced. */
  sync?: boolean;
}

export interface PacedSendResult {
  /** Frames written (fragments and pings). */
  frames: number;
  /** The octets of each socket write, in order. */
  writes: number[];
  /** False when cancelled halfway: the connection was then dropped (a frame cut short cannot be finished). */
  completed: boolean;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  return Uint8Array.from(Buffer.concat(parts));
}

/**
 * Two macrotask turns: the second runs after an I/O poll phase, so what was written before is
 * read by a peer in this process too before the next write (and remote peers get it as its own segment).
 */
function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Sends `data` with the given pacing. `turn` lets the event loop run between writes (injectable
 * for tests); `signal` stops between two writes. Incoming data is held back (the socket is paused) until the
 * last write: an automatic pong must not land inside a chopped frame.
 */
export async function sendPaced(ws: WebSocketConnection, data: Uint8Array, options: PacedSendOptions, signal?: AbortSignal, turn: () => Promise<void> = eventLoopTurn): Promise<PacedSendResult> {
  const { chopSize, sync, ...send } = options;
  if (chopSize != null && !(Number.isInteger(chopSize) && chopSize >= 1)) throw new RangeError(`chop size must be an integer of at least 1, got ${chopSize}`);
  // Whatever the engine still holds goes first, as it would have.
  const earlier = ws.engine.dataToSend();
  if (earlier.length) ws.sendRaw(concat(earlier));
  ws.engine.sendMessage(data, send);
  const frames = splitFrames(concat(ws.engine.dataToSend()));
  const writes: number[] = [];
  let pending: Uint8Array[] = [];
  const write = (bytes: Uint8Array) => {
    if (ws.state === 'closed') throw new Error('the connection closed while the message was being written');
    ws.sendRaw(bytes); // also dispatches the engine's frame events (the wire log) on the first write
    writes.push(bytes.length);
  };
  const flushPending = () => {
    if (!pending.length) return;
    write(concat(pending));
    pending = [];
  };
  const release = ws.holdReading(); // no automatic pong lands inside a chopped frame
  try {
    let first = true;
    for (const frame of frames) {
      for (const planned of planWrites(frame, { chopSize, sync })) {
        if (!planned.sync) {
          pending.push(planned.data);
          continue;
        }
        flushPending();
        if (!first && signal?.aborted) {
          ws.terminate();
          return { frames: frames.length, writes, completed: false };
        }
        first = false;
        write(planned.data);
        // the socket took it (handed to the kernel), then the loop turns before the next write
        while (ws.bufferedAmount > 0 && ws.state !== 'closed') await turn();
        await turn();
      }
    }
    flushPending();
    return { frames: frames.length, writes, completed: true };
  } finally {
    release();
  }
}
