/**
 * RFC 6455 §5.2 framing: a push parser with explicit states, and the encoder.
 *
 * The parser is zero-copy: payload bytes are handed to the sink as views of the chunks that came
 * in (unmasked in place, so the caller gives up those bytes), except a masked payload in several
 * pieces that the sink lets come whole (unmasked into one new buffer); and a frame's header is
 * checked as soon as each part of it arrives (its first two octets, then its length), so a bad
 * frame fails before the rest of its header or its payload is waited for, as ws fails it.
 */
import { SHORT_PAYLOAD, applyMask, maskInto } from './mask';
import { Opcode, isControlOpcode, isKnownOpcode } from './constants';
import { ProtocolError, type ProtocolErrorCode } from './errors';
import { NONE, append } from './lists';
import { allocFilled } from './buffers';

export interface FrameHeader {
  fin: boolean;
  /** RSV1..RSV3 as a 3-bit number: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The masking key in the parser's own four octets, rewritten by the next masked frame: copy it to keep it past onFrameEnd. */
  mask: Uint8Array | null;
  length: number;
}

/** Receives a frame in pieces: its header, its payload (0..n unmasked views), its end. */
export interface FrameSink {
  /**
   * Optional checks on a frame whose header is still arriving: throw a ProtocolError for one that
   * may not come now. `onFrameStart` has the first two octets (e.g. a continuation without a
   * message), `onFrameLength` the length too (e.g. a message grown past its limit). Both only
   * check: the frame begins with onFrameHeader.
   */
  onFrameStart?(opcode: number, fin: boolean, rsv: number): void;
  onFrameLength?(opcode: number, length: number): void;
  /**
   * A frame begins. Returning true lets the parser hand over a masked payload that arrives in
   * several pieces as one piece when the frame ends (see FrameParser.push); otherwise each piece
   * comes as it arrives (e.g. to validate a text message on the fly).
   */
  onFrameHeader(header: FrameHeader): boolean | void;
  onFramePayload(chunk: Uint8Array): void;
  onFrameEnd(): void;
}

export interface FrameParserOptions {
  /** true: frames must be masked (we are the server); false: must not be (we are the client). */
  expectMasked: boolean;
  /** RSV bits an extension negotiated (RSV1 = 4 for permessage-deflate); others fail with 1002. */
  allowedRsv: number;
  /** Largest payload a single frame may announce; larger fails with 1009. */
  maxFrameSize: number;
  /** Fail a length not in its minimal encoding (see ConnectionOptions.minimalLengths). Default false. */
  minimalLengths?: boolean;
}

const enum ParseState {
  /** Collecting the 2..14 header octets. */
  Header,
  Payload,
  /** A fault was found, or the sink called stop(): everything after it is ignored. */
  Failed,
}

export class FrameParser {
  private state = ParseState.Header;
  /**
   * Header octets collected so far when a header straddles chunks; made on the first straddle,
   * since most connections never need it and an idle server holds thousands of parsers.
   */
  private headerBytes: Uint8Array | null = null;
  private headerFill = 0;
  /** The straddling header's payload length, read (and checked) once its octets are in. */
  private headerLength = 0;
  private remaining = 0;
  private mask: Uint8Array | null = null;
  /** Where masked frames' keys are copied: one per parser, made at the first masked frame. */
  private maskBytes: Uint8Array | null = null;
  private maskOffset = 0;
  /** The sink takes this masked frame's payload in one piece at its end; its pieces wait here still masked. */
  private joinMasked = false;
  private maskedPieces: Uint8Array[] = NONE;
  /** Set by pause(): input from then on waits until resume(). */
  private paused = false;
  /**
   * The chunk a pause stopped in, parsed from `pendingStart` on resume(). An offset, not a
   * subarray: a pause comes after every message, and a view of the rest for each one cost more
   * than the parsing of a 16-byte message.
   */
  private pending: Uint8Array | null = null;
  private pendingStart = 0;
  /** Chunks that came while paused, after `pending`. */
  private held: Uint8Array[] = NONE;

  constructor(
    private readonly sink: FrameSink,
    private readonly options: FrameParserOptions,
  ) {}

  /** Let an extension negotiated after construction allow its RSV bits. */
  setAllowedRsv(bits: number): void {
    this.options.allowedRsv = bits;
  }

  /**
   * Ignores everything from now on, even the rest of the chunk being parsed: the sink calls this
   * when a close frame arrives, since nothing after it may be processed (RFC 6455 §5.5.1).
   */
  stop(): void {
    this.state = ParseState.Failed;
    this.pending = null;
    this.held = NONE;
    this.maskedPieces = NONE;
  }

  /**
   * Stops parsing after the current frame: the rest of the chunk, and later chunks, wait until
   * resume(). The sink calls this after a message so its reader can answer before later bytes
   * are parsed (a fault further on must not overtake the answer).
   */
  pause(): void {
    this.paused = true;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** True while bytes wait for resume(). */
  get hasHeld(): boolean {
    return this.pending !== null || this.held.length > 0;
  }

  /** Parses the held bytes, until the next pause(). Throws like push(). */
  resume(): void {
    this.paused = false;
    const pending = this.pending;
    if (pending !== null) {
      this.pending = null;
      this.parse(pending, this.pendingStart);
    }
    while (this.held.length && !this.paused) this.parse(this.held.shift()!, 0);
  }

  /** Feeds bytes; throws ProtocolError at the first fault (the parser then stays failed). */
  push(chunk: Uint8Array): void {
    if (this.paused) {
      if (this.state !== ParseState.Failed && chunk.length) this.held = append(this.held, chunk);
      return;
    }
    this.parse(chunk, 0);
  }

  private parse(chunk: Uint8Array, start: number): void {
    let pos = start;
    const end = chunk.length;
    try {
      while (pos < end && this.state !== ParseState.Failed) {
        if (this.paused) {
          this.pending = chunk;
          this.pendingStart = pos;
          return;
        }
        if (this.state === ParseState.Payload) {
          const n = Math.min(this.remaining, end - pos);
          const piece = chunk.subarray(pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.joinMasked && (this.remaining > 0 || this.maskedPieces.length > 0)) {
            // A masked payload in several pieces: unmasking them in place and then joining them
            // copies each byte three times (into the SIMD kernel's memory, back, into the join);
            // unmasked straight into one buffer at the frame's end, twice.
            this.maskedPieces = append(this.maskedPieces, piece);
            if (this.remaining === 0) this.sink.onFramePayload(this.unmaskPieces());
          } else {
            if (this.mask) {
              applyMask(piece, this.mask, this.maskOffset);
              this.maskOffset += n;
            }
            this.sink.onFramePayload(piece);
          }
          if (this.remaining === 0) this.endFrame();
          continue;
        }
        pos = this.readHeader(chunk, pos);
      }
    } catch (error) {
      this.state = ParseState.Failed;
      this.maskedPieces = NONE;
      throw error;
    }
  }

  /** Collects header octets from `chunk` at `pos`; returns the new position. */
  private readHeader(chunk: Uint8Array, pos: number): number {
    const end = chunk.length;
    // Fast path: the whole header is in this chunk and nothing is pending.
    if (this.headerFill === 0 && end - pos >= 2) {
      const size = headerSize(chunk[pos + 1]);
      if (end - pos >= size) {
        this.checkFirstTwo(chunk[pos], chunk[pos + 1]);
        this.startFrame(chunk, pos, this.readLength(chunk, pos));
        return pos + size;
      }
    }
    const buf = (this.headerBytes ??= new Uint8Array(14));
    while (pos < end) {
      buf[this.headerFill++] = chunk[pos++];
      if (this.headerFill === 2) this.checkFirstTwo(buf[0], buf[1]);
      // The length is in before the mask key: check it now, not after four more octets.
      if (this.headerFill >= 2 && this.headerFill === lengthEnd(buf[1])) this.headerLength = this.readLength(buf, 0);
      if (this.headerFill >= 2 && this.headerFill === headerSize(buf[1])) {
        this.headerFill = 0;
        this.startFrame(buf, 0, this.headerLength);
        break;
      }
    }
    return pos;
  }

  /** The checks that need only the first two octets: fail as early as possible. */
  private checkFirstTwo(b0: number, b1: number): void {
    const opcode = b0 & 0x0f;
    const rsv = (b0 >> 4) & 0x07;
    const fin = (b0 & 0x80) !== 0;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    if (!isKnownOpcode(opcode)) throw headerFault(b0, b1, 'WSW_ERR_RESERVED_OPCODE', `reserved opcode ${opcode}`);
    if (rsv & ~this.options.allowedRsv) throw headerFault(b0, b1, 'WSW_ERR_RESERVED_RSV', `RSV bits ${rsv} set without a negotiated extension`);
    if (isControlOpcode(opcode)) {
      if (!fin) throw headerFault(b0, b1, 'WSW_ERR_CONTROL_FRAME_FRAGMENTED', `fragmented control frame (opcode ${opcode})`);
      if (len7 > 125) throw headerFault(b0, b1, 'WSW_ERR_CONTROL_FRAME_TOO_LONG', `control frame payload longer than 125 bytes (opcode ${opcode})`);
    }
    if (masked !== this.options.expectMasked) {
      throw this.options.expectMasked
        ? headerFault(b0, b1, 'WSW_ERR_MASK_REQUIRED', 'client frame is not masked')
        : headerFault(b0, b1, 'WSW_ERR_MASK_FORBIDDEN', 'server frame is masked');
    }
    // §5.5.1: a close frame's body, if any, begins with a two-octet code.
    if (opcode === Opcode.Close && len7 === 1) throw headerFault(b0, b1, 'WSW_ERR_INVALID_CLOSE_PAYLOAD', 'close frame payload of 1 byte');
    if (this.sink.onFrameStart) {
      try {
        this.sink.onFrameStart(opcode, fin, rsv);
      } catch (error) {
        throw namingFrame(error, b0, b1, len7 < 126 ? len7 : null);
      }
    }
  }

  /** The payload length in the header at `at` (its length octets must be in), checked. */
  private readLength(buf: Uint8Array, at: number): number {
    const b0 = buf[at];
    const b1 = buf[at + 1];
    let length = b1 & 0x7f;
    const p = at + 2;
    if (length === 126) {
      length = (buf[p] << 8) | buf[p + 1];
      if (length < 126 && this.options.minimalLengths) throw notMinimal(b0, b1, length);
    } else if (length === 127) {
      const high = ((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0;
      const low = ((buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7]) >>> 0;
      if (high & 0x80000000) throw rejected(new ProtocolError(1002, 'WSW_ERR_LENGTH_TOP_BIT', '64-bit payload length has its most significant bit set'), b0, b1, null);
      // No multiplication when the high word is 0: its product is a double whatever its value,
      // and a double changes how V8 stores `remaining` and the header's `length` (small integers
      // until then), which deoptimized the whole receive path at the first frame of 64 KiB.
      length = high === 0 ? low : high * 0x1_0000_0000 + low;
      if (length < 0x10000 && this.options.minimalLengths) throw notMinimal(b0, b1, length);
    }
    if (length > this.options.maxFrameSize) {
      throw rejected(new ProtocolError(1009, 'WSW_ERR_FRAME_TOO_BIG', `frame of ${length} bytes exceeds the limit of ${this.options.maxFrameSize}`), b0, b1, length);
    }
    if (this.sink.onFrameLength) {
      try {
        this.sink.onFrameLength(b0 & 0x0f, length);
      } catch (error) {
        throw namingFrame(error, b0, b1, length);
      }
    }
    return length;
  }

  /** The header at `at` is complete, its `length` read: the frame begins. */
  private startFrame(buf: Uint8Array, at: number, length: number): void {
    const b0 = buf[at];
    const b1 = buf[at + 1];
    const p = lengthEnd(b1) + at;
    const masked = (b1 & 0x80) !== 0;
    // Copied out of the read, which is unmasked in place (and on a Buffer a slice() would be a
    // view that keeps the whole read alive), into four octets the parser reuses: a new array
    // per frame was most of a 16-byte masked message's cost.
    if (masked) {
      const key = (this.maskBytes ??= new Uint8Array(4));
      key[0] = buf[p];
      key[1] = buf[p + 1];
      key[2] = buf[p + 2];
      key[3] = buf[p + 3];
      this.mask = key;
    } else this.mask = null;
    this.maskOffset = 0;
    this.remaining = length;
    const join = this.sink.onFrameHeader({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x07, opcode: b0 & 0x0f, masked, mask: this.mask, length });
    this.joinMasked = masked && join === true;
    if (length === 0) this.endFrame();
    else this.state = ParseState.Payload;
  }

  /** The held masked pieces of the frame, unmasked into one buffer. */
  private unmaskPieces(): Uint8Array {
    const pieces = this.maskedPieces;
    this.maskedPieces = NONE;
    let total = 0;
    for (const piece of pieces) total += piece.length;
    const out = allocFilled(total);
    let at = 0;
    for (const piece of pieces) {
      maskInto(piece, this.mask!, out, at, at);
      at += piece.length;
    }
    return out;
  }

  private endFrame(): void {
    this.state = ParseState.Header;
    this.sink.onFrameEnd();
  }
}

/** A 1002 for what the first two octets of a frame show, naming that frame. */
function headerFault(b0: number, b1: number, code: ProtocolErrorCode, message: string): ProtocolError {
  const len7 = b1 & 0x7f;
  return rejected(new ProtocolError(1002, code, message), b0, b1, len7 < 126 ? len7 : null);
}

/** §5.2: "the minimal number of bytes MUST be used to encode the length". */
function notMinimal(b0: number, b1: number, length: number): ProtocolError {
  const form = (b1 & 0x7f) === 126 ? '16' : '64';
  return rejected(new ProtocolError(1002, 'WSW_ERR_LENGTH_NOT_MINIMAL', `payload length ${length} sent in the ${form}-bit form (not the minimal encoding)`), b0, b1, length);
}

/** `error`, naming the frame whose first two octets are b0, b1 (see ProtocolError.frame). */
function rejected(error: ProtocolError, b0: number, b1: number, length: number | null): ProtocolError {
  error.frame = { opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x07, masked: (b1 & 0x80) !== 0, length };
  return error;
}

/** Where the length octets end, from the second octet: 2, plus 2 or 8 extended length. */
function lengthEnd(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
}

/** Header size implied by the second octet: the length octets, plus 4 mask. */
function headerSize(b1: number): number {
  return lengthEnd(b1) + (b1 & 0x80 ? 4 : 0);
}

/** What a sink's check threw, naming the frame when it is a ProtocolError that does not. */
function namingFrame(error: unknown, b0: number, b1: number, length: number | null): unknown {
  return error instanceof ProtocolError && !error.frame ? rejected(error, b0, b1, length) : error;
}

export interface FrameToEncode {
  opcode: number;
  payload: Uint8Array;
  fin?: boolean;
  rsv?: number;
  /** Four octets to mask with (clients must mask every frame), or null. */
  mask?: Uint8Array | null;
}

/**
 * Encodes one frame. Unmasked frames come back as [header, payload] so a large payload is never
 * copied; masked ones as a single buffer with the payload masked into it.
 */
export function encodeFrame({ opcode, payload, fin = true, rsv = 0, mask = null }: FrameToEncode): Uint8Array[] {
  const start = encodeFrameStart(opcode, payload, fin, rsv, mask);
  return mask || payload.length === 0 ? [start] : [start, payload];
}

/**
 * The octets of a frame up to its payload, or the whole frame when it is masked (the payload is
 * masked into it). An unmasked frame's payload follows as it is. For the engine's send path: no
 * options object and no array per frame (they showed in a profile of 16-byte sends).
 */
export function encodeFrameStart(opcode: number, payload: Uint8Array, fin: boolean, rsv: number, mask: Uint8Array | null): Uint8Array {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerLength = 2 + extended + (mask ? 4 : 0);
  // A Uint8Array of up to 64 bytes lives in V8's heap, made like any small object: headers, and
  // masked frames whose payload is masked byte by byte (a view of it to mask into would move it
  // off the heap). A larger one would get a backing store of its own from the allocator (a
  // 125-byte frame cost ten times a 16-byte one), so larger masked frames, written over in
  // full, are cut from a shared pool (allocFilled).
  const out = !mask ? new Uint8Array(headerLength) : length < SHORT_PAYLOAD ? new Uint8Array(headerLength + length) : allocFilled(headerLength + length);
  out[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  const maskBit = mask ? 0x80 : 0;
  if (extended === 0) {
    out[1] = maskBit | length;
  } else if (extended === 2) {
    out[1] = maskBit | 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
  } else {
    out[1] = maskBit | 127;
    const high = Math.floor(length / 0x1_0000_0000);
    out[2] = high >>> 24;
    out[3] = (high >>> 16) & 0xff;
    out[4] = (high >>> 8) & 0xff;
    out[5] = high & 0xff;
    out[6] = length >>> 24;
    out[7] = (length >>> 16) & 0xff;
    out[8] = (length >>> 8) & 0xff;
    out[9] = length & 0xff;
  }
  if (!mask) return out;
  out[headerLength - 4] = mask[0];
  out[headerLength - 3] = mask[1];
  out[headerLength - 2] = mask[2];
  out[headerLength - 1] = mask[3];
  if (length > 0) maskInto(payload, mask, out, headerLength);
  return out;
}

export { Opcode };
