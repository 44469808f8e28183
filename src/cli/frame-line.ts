/** One line per frame for terminals: direction, opcode, FIN, RSV, length and a payload preview. */
import { Opcode, type FrameInfo, type RejectedFrame } from '../engine';

const opcodeNames: Record<number, string> = {
  [Opcode.Continuation]: 'CONT',
  [Opcode.Text]: 'TEXT',
  [Opcode.Binary]: 'BINARY',
  [Opcode.Close]: 'CLOSE',
  [Opcode.Ping]: 'PING',
  [Opcode.Pong]: 'PONG',
};

export const opcodeName = (opcode: number): string => opcodeNames[opcode] ?? `OP${opcode}`;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text when the bytes are printable UTF-8, else hex; cut to `max` characters. */
export function previewPayload(payload: Uint8Array, max = 64): string {
  const text = printableText(payload);
  if (text !== null) {
    const quoted = JSON.stringify(text.length > max ? text.slice(0, max) : text);
    return text.length > max ? `${quoted}…` : quoted;
  }
  const hex = Buffer.from(payload.subarray(0, Math.ceil(max / 2))).toString('hex');
  return `0x${hex}${payload.length * 2 > max ? '…' : ''}`;
}

/** The payload as text when it is valid UTF-8 without control characters (other than whitespace). */
function printableText(payload: Uint8Array): string | null {
  try {
    const text = decoder.decode(payload);
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? null : text;
  } catch {
    return null;
  }
}

/** A close frame's payload: its code and reason, or what it holds when it has no code. */
export function closePreview(payload: Uint8Array): string {
  if (payload.length < 2) return payload.length === 0 ? '(no code)' : previewPayload(payload);
  const code = (payload[0] << 8) | payload[1];
  return `code=${code}${payload.length > 2 ? ` reason=${previewPayload(payload.subarray(2))}` : ''}`;
}

/**
 * Fed every frame in order, says whether it carries compressed data: RSV1 on a message's first
 * frame compresses the whole message (RFC 7692 §6.1), its continuation frames included.
 */
export function compressionTracker(): (direction: 'in' | 'out', frame: FrameInfo) => boolean {
  const current = { in: false, out: false };
  return (direction, frame) => {
    if (frame.opcode === Opcode.Text || frame.opcode === Opcode.Binary) current[direction] = (frame.rsv & 4) !== 0;
    else if (frame.opcode !== Opcode.Continuation) return false;
    return current[direction];
  };
}

export function formatFrameLine(direction: 'in' | 'out', frame: FrameInfo, elapsedMs: number, compressed = (frame.rsv & 4) !== 0): string {
  const arrow = direction === 'out' ? '>>' : '<<';
  const preview = frame.opcode === Opcode.Close ? closePreview(frame.payload) : compressed ? `(compressed) ${previewPayload(frame.payload)}` : previewPayload(frame.payload);
  return `${(elapsedMs / 1000).toFixed(3).padStart(8)}s ${arrow} ${opcodeName(frame.opcode).padEnd(6)} fin=${frame.fin ? 1 : 0} rsv=${frame.rsv} len=${String(frame.payload.length).padEnd(6)} ${preview}`;
}

/** The line for a frame the peer sent that broke the protocol: its header, as far as it was read. */
export function formatRejectedFrameLine(frame: RejectedFrame, elapsedMs: number): string {
  return `${(elapsedMs / 1000).toFixed(3).padStart(8)}s << ${opcodeName(frame.opcode).padEnd(6)} fin=${frame.fin ? 1 : 0} rsv=${frame.rsv} len=${String(frame.length ?? '?').padEnd(6)} (rejected: read no further)`;
}
