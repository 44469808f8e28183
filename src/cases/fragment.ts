/**
 * How Autobahn's `sendMessage` frames a message (`sendMessageHybi`, autobahn/websocket/protocol.py
 * 0.10.9), so the runner sends the same frames and the wire statistics match.
 */
import { Opcode } from '../engine/constants';
import type { FrameSpec } from './context';

export interface MessageFraming {
  binary: boolean;
  /** Frame size limit; absent or 0: one frame. */
  fragmentSize?: number;
  /** The payload is already permessage-deflate compressed: RSV1 on the first frame. */
  compressed: boolean;
}

/**
 * The frames for one message. A payload that fits goes in one frame. Otherwise frames of
 * `fragmentSize` octets; like Autobahn, when the length is an exact multiple of the size the
 * message ends with an extra empty continuation frame carrying FIN.
 */
export function messageFrames(payload: Uint8Array, framing: MessageFraming): FrameSpec[] {
  const opcode = framing.binary ? Opcode.Binary : Opcode.Text;
  const rsv = framing.compressed ? 4 : 0;
  const size = framing.fragmentSize ?? 0;
  if (size <= 0 || payload.length <= size) return [{ opcode, payload, fin: true, rsv }];

  const frames: FrameSpec[] = [];
  // Autobahn stops only once a slice would run past the end, hence the empty final frame.
  for (let start = 0; ; start += size) {
    const last = start + size > payload.length;
    const chunk = payload.subarray(start, Math.min(start + size, payload.length));
    frames.push(start === 0 ? { opcode, payload: chunk, fin: last, rsv } : { opcode: Opcode.Continuation, payload: chunk, fin: last, rsv: 0 });
    if (last) return frames;
  }
}
