/**
 * What Autobahn's protocol does with the peer's bytes after it failed the connection, as its fuzzer
 * runs it (failByDrop off; autobahn 0.10.9 processDataHybi with failedByMe set, state CLOSING): it
 * sends its close frame and keeps reading. Every frame is still parsed and logged; a further
 * protocol violation drops TCP (failConnection while closing); a pong is still recorded; and a
 * close frame, even the one that broke the protocol, is taken as the reply to its close (wasClean).
 *
 * As a client, Autobahn stays in CLOSING after the reply until the server drops TCP, and reads on:
 * a later violation drops TCP (the handshake stays clean), a later close is taken again. Autobahn
 * re-runs its checks of a header's first two octets at every read until the header is complete,
 * so a bad header split across reads is a second violation at the next read.
 *
 * Our engine stops reading at the first fault, as RFC 6455 §7.1.7 asks, so the runner keeps this
 * reader beside it. Until the engine fails it only follows the frame stream (headers, views of
 * payloads until the engine delivers the frame, and the unfinished character at the end of a text
 * message's last delivered frame); then it takes over at the frame the engine failed on. Not
 * reproduced: compressed messages after the fault are not inflated (the context went with the
 * engine), so their text is not checked.
 */
import { Opcode, Utf8Validator, isValidUtf8, maskInto, type FrameHeader, type ProtocolError } from '../engine';
import type { RxFrameFields } from '../wire';

/** What the reader saw, in order, once it has taken over. */
export type AfterFailure =
  /** A frame read to its end: log and count it (Autobahn's logRxFrame). */
  | { type: 'frame'; frame: RxFrameFields }
  | { type: 'pong'; payload: Uint8Array }
  /** A close frame, taken as the reply to ours. Nothing is read after it. */
  | { type: 'close'; code: number | null; reason: string | null }
  /** A further violation: Autobahn drops the TCP connection. Nothing is read after it. */
  | { type: 'violation'; reason: string };

/** Octets of a data frame kept for the wire log: all that Autobahn's log shows (64, then " ..."). */
const LOGGED_OCTETS = 64;
const EMPTY = new Uint8Array(0);
/** Octets of a control frame kept (a close frame's code and reason); over 125 is a fault already. */
const CONTROL_OCTETS = 0x10000;

/**
 * The close codes Autobahn 0.10.9 takes from a peer (onCloseFrame: CLOSE_STATUS_CODES_ALLOWED
 * under 3000, then 3000-4999). 1012-1014 came to autobahn-python only in 19.3.3.
 */
const ALLOWED_CLOSE_CODES = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011]);
export function autobahnAcceptsCloseCode(code: number): boolean {
  return code >= 3000 ? code <= 4999 : ALLOWED_CLOSE_CODES.has(code);
}

interface Piece {
  data: Uint8Array;
  /** Where in the payload it starts (for the mask). */
  at: number;
}

/** A frame as read (its `mask` a copy of its own), and what becomes of it. */
interface FrameRecord extends FrameHeader {
  /** The violations Autobahn finds in this header, in its order. */
  violations: string[];
  /** This data frame begins a message (Autobahn's onFrameBegin with inside_message false). */
  beginsMessage: boolean;
  /** The message this data frame belongs to is uncompressed text (Autobahn checks its UTF-8). */
  inText: boolean;
  /** Payload octets read so far. */
  received: number;
  /** Views of the payload as it came (still masked) that were not looked at yet. */
  pieces: Piece[];
  /** The payload octets kept for the log (masked as on the wire). */
  logged: Piece[];
  loggedLength: number;
  done: boolean;
}

export class AfterFailureReader {
  private readonly header = new Uint8Array(14);
  private headerFill = 0;
  /** Frames read (or being read) that the engine has not delivered, oldest first. */
  private readonly undelivered: FrameRecord[] = [];
  /** The frame whose payload is arriving. */
  private current: FrameRecord | null = null;
  /** The frame the engine delivered last, with its payload as delivered (unmasked). */
  private lastDelivered: { record: FrameRecord; payload: Uint8Array } | null = null;
  /** Autobahn's inside_message, as of the headers read so far, and what that message is. */
  private insideMessage = false;
  private messageIsText = false;
  /** The octets of a character the text message's delivered frames left unfinished (at most 3). */
  private textTail: Uint8Array = EMPTY;
  /** The engine failed on a header the reader has only begun: Autobahn checks it again at the next read. */
  private headerRecheck = false;

  private takenOver = false;
  private ended = false;
  /** How the text of the message in progress is checked after the takeover. */
  private textCheck: 'none' | 'check' | 'rejected' = 'none';
  private readonly validator = new Utf8Validator();
  private out: AfterFailure[] = [];

  constructor(private readonly options: { isServer: boolean; deflate: boolean }) {}

  /**
   * The peer's next octets, as they came: the reader only looks at them, so give it a copy when
   * the engine unmasks in place and the log should show the frames as sent. Returns what it saw
   * after the takeover (nothing before).
   */
  push(chunk: Uint8Array): AfterFailure[] {
    if (this.headerRecheck && chunk.length) {
      // The engine's fault is one of these checks, so there is one.
      this.violation(this.firstOctetsViolations(this.header[0], this.header[1])[0]);
    }
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      const frame = this.current;
      if (frame && frame.received < frame.length) {
        const n = Math.min(frame.length - frame.received, chunk.length - pos);
        this.addPiece(frame, chunk.subarray(pos, pos + n));
        pos += n;
      } else {
        pos = this.readHeader(chunk, pos);
      }
      if (this.takenOver && this.current) this.advance(this.current);
    }
    return this.drain();
  }

  /** The engine delivered the oldest frame (its 'frame-received' event), with this payload. */
  delivered(payload: Uint8Array): void {
    const record = this.undelivered.shift();
    if (!record) return;
    // Only a close frame is looked at again (afterDeliveredFault): keep nothing else alive.
    record.done = true;
    record.pieces = [];
    record.logged = [];
    this.lastDelivered = { record, payload: record.opcode === Opcode.Close ? payload : EMPTY };
    if (record.opcode < 8) {
      if (record.beginsMessage) this.textTail = EMPTY;
      if (record.inText) this.textTail = unfinishedCharacter(this.textTail, payload);
      if (record.fin) this.textTail = EMPTY;
    }
  }

  /**
   * The engine failed the connection with `error`: from here on, read as Autobahn does. A fault
   * that names a frame is in a frame the engine never delivered, which is read again from its
   * header; one that does not was found at the end of the frame it delivered last.
   */
  takeOver(error: ProtocolError): AfterFailure[] {
    if (this.takenOver) return [];
    this.takenOver = true;
    const pending = this.undelivered.splice(0);
    if (!error.frame) this.afterDeliveredFault();
    else if (pending.length) this.adoptOffending(pending[0], error);
    // The engine checks a header from its first two octets on: the rest of it is still on its way.
    else if (this.headerFill >= 2) this.headerRecheck = true;
    for (const record of pending) this.advance(record);
    return this.drain();
  }

  /** The frame the engine failed on: its fault was Autobahn's first violation, and was answered. */
  private adoptOffending(frame: FrameRecord, error: ProtocolError): void {
    // A second violation in the same header drops TCP.
    if (frame.violations.length > 1) return this.violation(frame.violations[1]);
    frame.violations = [];
    if (error.code === 'WSW_ERR_INVALID_UTF8') {
      // Failed inside the payload: what arrived of it was checked, and was wrong.
      frame.beginsMessage = false;
      frame.pieces = [];
      this.textCheck = 'rejected';
    } else if (!frame.beginsMessage) {
      // A fault inside a message (in a continuation, or a control frame between its fragments):
      // Autobahn checks the rest of its text from where the delivered frames left it.
      this.textCheck = frame.inText ? 'check' : 'none';
      this.validator.reset();
      this.validator.feed(this.textTail);
    }
  }

  /** The fault was found at the end of the frame the engine delivered last. */
  private afterDeliveredFault(): void {
    const last = this.lastDelivered;
    if (!last || last.record.opcode !== Opcode.Close) return;
    // Autobahn takes a close frame whose code it refuses (or of one octet) as the reply all the
    // same; a reason that is not UTF-8 makes its decode raise, and Twisted drops the connection.
    const { payload } = last;
    const reason = payload.length > 2 ? payload.subarray(2) : null;
    if (reason && !isValidUtf8(reason)) return this.violation('invalid close reason (non-UTF-8 payload)');
    this.closeReply(payload.length >= 2 ? (payload[0] << 8) | payload[1] : null, reason);
  }

  private readHeader(chunk: Uint8Array, pos: number): number {
    const h = this.header;
    while (pos < chunk.length) {
      h[this.headerFill++] = chunk[pos++];
      if (this.headerFill >= 2 && this.headerFill === headerSize(h[1])) {
        this.headerFill = 0;
        this.beginFrame(h);
        break;
      }
    }
    return pos;
  }

  private beginFrame(h: Uint8Array): void {
    const fin = (h[0] & 0x80) !== 0;
    const rsv = (h[0] >> 4) & 0x07;
    const opcode = h[0] & 0x0f;
    const masked = (h[1] & 0x80) !== 0;
    const len7 = h[1] & 0x7f;
    let length = len7;
    let p = 2;
    if (len7 === 126) {
      length = (h[2] << 8) | h[3];
      p = 4;
    } else if (len7 === 127) {
      length = 0;
      for (let i = 2; i < 10; i++) length = length * 256 + h[i];
      p = 10;
    }
    const violations = this.headerViolations(h, len7, length);
    const isData = opcode < 8;
    const beginsMessage = isData && !this.insideMessage;
    if (beginsMessage) {
      this.insideMessage = true;
      this.messageIsText = opcode === Opcode.Text && !(this.options.deflate && rsv === 4);
    }
    // A control frame between fragments belongs to no message, but a fault in it leaves the
    // message's text to be checked on: it carries what that message is.
    const frame: FrameRecord = {
      fin,
      rsv,
      opcode,
      masked,
      mask: masked ? h.slice(p, p + 4) : null,
      length,
      violations,
      beginsMessage,
      inText: (isData || this.insideMessage) && this.messageIsText,
      received: 0,
      pieces: [],
      logged: [],
      loggedLength: 0,
      done: false,
    };
    // Autobahn's onFrameEnd: a final data frame ends the message.
    if (isData && fin) this.insideMessage = false;
    this.current = frame;
    if (!this.takenOver) this.undelivered.push(frame);
  }

  /** Autobahn's header checks (processDataHybi), in its order. */
  private headerViolations(h: Uint8Array, len7: number, length: number): string[] {
    const found = this.firstOctetsViolations(h[0], h[1]);
    if (len7 === 126 && length < 126) found.push('invalid data frame length (not using minimal length encoding)');
    if (len7 === 127) {
      if (h[2] & 0x80) found.push('invalid data frame length (>2^63)');
      if (length < 65536) found.push('invalid data frame length (not using minimal length encoding)');
    }
    return found;
  }

  /** The checks Autobahn makes as soon as a header's first two octets are in (again at each read until it is whole). */
  private firstOctetsViolations(b0: number, b1: number): string[] {
    const f = { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked: (b1 & 0x80) !== 0, len7: b1 & 0x7f };
    const found: string[] = [];
    const { deflate, isServer } = this.options;
    const compressed = deflate && f.rsv === 4;
    if (f.rsv !== 0 && !compressed) found.push(`RSV = ${f.rsv} and no extension negotiated`);
    if (isServer && !f.masked) found.push('unmasked client-to-server frame');
    if (!isServer && f.masked) found.push('masked server-to-client frame');
    if (f.opcode > 7) {
      if (!f.fin) found.push('fragmented control frame');
      if (f.len7 > 125) found.push('control frame with payload length > 125 octets');
      if (f.opcode !== Opcode.Close && f.opcode !== Opcode.Ping && f.opcode !== Opcode.Pong) found.push(`control frame using reserved opcode ${f.opcode}`);
      if (f.opcode === Opcode.Close && f.len7 === 1) found.push('received close control frame with payload len 1');
      if (compressed) found.push('received compressed control frame [permessage-deflate]');
    } else {
      if (f.opcode > 2) found.push(`data frame using reserved opcode ${f.opcode}`);
      if (!this.insideMessage && f.opcode === 0) found.push('received continuation data frame outside fragmented message');
      if (this.insideMessage && f.opcode !== 0) found.push('received non-continuation data frame while inside fragmented message');
      if (compressed && this.insideMessage) found.push('received continuation data frame with compress bit set [permessage-deflate]');
    }
    return found;
  }

  private addPiece(frame: FrameRecord, data: Uint8Array): void {
    const at = frame.received;
    frame.received += data.length;
    frame.pieces.push({ data, at });
    const room = (frame.opcode >= 8 ? CONTROL_OCTETS : LOGGED_OCTETS) - frame.loggedLength;
    if (room > 0) {
      const kept = data.subarray(0, room);
      frame.logged.push({ data: kept, at });
      frame.loggedLength += kept.length;
    }
  }

  /** Reads `frame` as far as it has arrived (after the takeover). */
  private advance(frame: FrameRecord): void {
    if (this.ended || frame.done) return;
    if (frame.violations.length) return this.violation(frame.violations[0]);
    if (frame.beginsMessage) {
      frame.beginsMessage = false;
      this.validator.reset();
      this.textCheck = frame.inText ? 'check' : 'none';
    }
    const pieces = frame.pieces;
    frame.pieces = [];
    if (frame.opcode < 8 && this.textCheck !== 'none') {
      for (const piece of pieces) {
        if (!this.checkText(unmask(frame, [piece]))) return this.violation('encountered invalid UTF-8 while processing text message');
      }
    }
    if (frame.received < frame.length) return;
    frame.done = true;
    if (this.current === frame) this.current = null;
    this.endFrame(frame);
  }

  private endFrame(frame: FrameRecord): void {
    const logged = unmask(frame, frame.logged);
    this.out.push({ type: 'frame', frame: { opcode: frame.opcode, fin: frame.fin, rsv: frame.rsv, payloadLen: frame.length, masked: frame.masked, mask: frame.mask, payload: logged } });
    if (frame.opcode === Opcode.Close) return this.closeFrame(logged);
    if (frame.opcode === Opcode.Pong) return void this.out.push({ type: 'pong', payload: logged });
    if (frame.opcode < 8 && frame.fin) {
      const check = this.textCheck;
      this.textCheck = 'none';
      if (check === 'rejected' || (check === 'check' && !this.validator.finish())) this.violation('UTF-8 text message payload ended within Unicode code point');
    }
  }

  /** Autobahn's onCloseFrame while closing: the reply, unless its code or reason is refused. */
  private closeFrame(payload: Uint8Array): void {
    const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : null;
    if (code !== null && !autobahnAcceptsCloseCode(code)) return this.violation(`invalid close code ${code}`);
    const reason = payload.length > 2 ? payload.subarray(2) : null;
    if (reason && !isValidUtf8(reason)) return this.violation('invalid close reason (non-UTF-8 payload)');
    this.closeReply(code, reason);
  }

  /** The reply: a server drops TCP at once; a client waits for the server to, reading on. */
  private closeReply(code: number | null, reason: Uint8Array | null): void {
    this.out.push({ type: 'close', code, reason: reason && utf8(reason) });
    if (this.options.isServer) this.end();
  }

  private checkText(data: Uint8Array): boolean {
    if (this.textCheck === 'none' || data.length === 0) return true;
    if (this.textCheck === 'rejected') return false;
    return this.validator.feed(data);
  }

  private violation(reason: string): void {
    this.out.push({ type: 'violation', reason });
    this.end();
  }

  /** Autobahn has dropped TCP (or, as a server, is about to): nothing more is read. */
  private end(): void {
    this.ended = true;
    this.current = null;
    this.headerRecheck = false;
  }

  private drain(): AfterFailure[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** The pieces of `frame`'s payload joined into a new array and unmasked (the octets seen stay as they came). */
function unmask(frame: FrameRecord, pieces: Piece[]): Uint8Array {
  let total = 0;
  for (const piece of pieces) total += piece.data.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    if (frame.mask) maskInto(piece.data, frame.mask, out, at, piece.at);
    else out.set(piece.data, at);
    at += piece.data.length;
  }
  return out;
}

/**
 * The octets of the character left unfinished at the end of a text stream that has been valid so
 * far, given the unfinished octets before `payload`: at most 3, or none.
 */
function unfinishedCharacter(before: Uint8Array, payload: Uint8Array): Uint8Array {
  const end = payload.length >= 4 ? payload.subarray(payload.length - 4) : Buffer.concat([before, payload]).subarray(-4);
  for (let i = end.length - 1; i >= Math.max(0, end.length - 3); i--) {
    const octet = end[i];
    if ((octet & 0xc0) === 0x80) continue;
    const size = octet >= 0xf0 ? 4 : octet >= 0xe0 ? 3 : octet >= 0xc0 ? 2 : 1;
    return end.length - i < size ? end.slice(i) : EMPTY;
  }
  return EMPTY;
}

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** Octets in a frame header with this second octet (2, 4 or 10, plus 4 for a mask). */
function headerSize(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
