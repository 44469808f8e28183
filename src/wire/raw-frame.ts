/**
 * Raw frames with every knob of Autobahn's `sendFrame` (autobahn/websocket/protocol.py), for
 * deliberately broken traffic: nothing here is validated. Values wider than their header field
 * are cut to it (opcode to 4 bits, rsv to 3), so every input still yields a well-defined octet
 * string.
 */
import { applyMask, pooledRandomMask } from '../engine/mask';

/** Supplies a fresh 4-octet masking key; injectable so tests get fixed masks. */
export type MaskSource = () => Uint8Array;

const pooledMask = pooledRandomMask();
/** A fresh random key per frame; a copy, since an encoded frame keeps its key. */
export const cryptoMaskSource: MaskSource = () => pooledMask().slice();

export interface RawFrameSpec {
  /** 0-15; reserved opcodes are sent as given. */
  opcode: number;
  payload: Uint8Array;
  fin: boolean;
  /** RSV1..RSV3 as a 3-bit number: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
  rsv: number;
  /** A given key, a fresh one from the mask source, or no masking at all. */
  mask: Uint8Array | 'random' | null;
  /** Length written in the header instead of the true one: the frame lies about its size. */
  payloadLengthOverride?: number | bigint;
  /** Send `payload` repeated (and cut) to exactly this many octets (Autobahn's `payload_len`). */
  payloadRepeatLength?: number | null;
}

export interface EncodedFrame {
  octets: Uint8Array;
  /** The key actually used (the drawn one when the spec said 'random'), for the wire log. */
  mask: Uint8Array | null;
}

export function encodeRawFrame(spec: RawFrameSpec, maskSource: MaskSource = cryptoMaskSource): EncodedFrame {
  const body = spec.payloadRepeatLength == null ? spec.payload : repeatPayload(spec.payload, spec.payloadRepeatLength);
  const mask = spec.mask === 'random' ? maskSource() : spec.mask;
  const announced = BigInt.asUintN(64, BigInt(spec.payloadLengthOverride ?? body.length));
  const extraLengthOctets = announced <= 125n ? 0 : announced <= 0xffffn ? 2 : 8;
  const headerLength = 2 + extraLengthOctets + (mask ? 4 : 0);

  const octets = new Uint8Array(headerLength + body.length);
  octets[0] = (spec.fin ? 0x80 : 0) | ((spec.rsv & 7) << 4) | (spec.opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  const view = new DataView(octets.buffer);
  if (extraLengthOctets === 0) octets[1] = maskBit | Number(announced);
  else if (extraLengthOctets === 2) {
    octets[1] = maskBit | 126;
    view.setUint16(2, Number(announced));
  } else {
    octets[1] = maskBit | 127;
    view.setBigUint64(2, announced);
  }
  octets.set(body, headerLength);
  if (mask) {
    octets.set(mask.subarray(0, 4), headerLength - 4);
    applyMask(octets.subarray(headerLength), mask);
  }
  return { octets, mask };
}

/** `payload` repeated and cut to `length` octets, as Autobahn's sendFrame does for `payload_len`. */
export function repeatPayload(payload: Uint8Array, length: number): Uint8Array {
  if (length > 0 && payload.length === 0) {
    throw new RangeError(`cannot repeat an empty payload to ${length} octets`);
  }
  const out = new Uint8Array(length);
  out.set(payload.subarray(0, length));
  // Doubling copies: log2(length / payload.length) calls instead of one per repetition.
  for (let filled = Math.min(payload.length, length); filled < length; filled *= 2) {
    out.copyWithin(filled, 0, Math.min(filled, length - filled));
  }
  return out;
}
