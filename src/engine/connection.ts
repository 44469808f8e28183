/**
 * The sans-I/O WebSocket connection (after the opening handshake), in the shape of
 * python-websockets' protocol: bytes in through receiveData()/receiveEof(), application calls
 * through send*(), and out through dataToSend(), events() and closeExpected(). The transport
 * owns sockets and timers; this class owns every protocol decision.
 */
import { CloseCode, Opcode, isControlOpcode, isValidWireCloseCode } from './constants';
import { FrameParser, encodeFrameStart, type FrameHeader, type FrameSink } from './frame';
import { ProtocolError, UsageError } from './errors';
import { Utf8Validator, isValidUtf8 } from './utf8';
import { closeReasonText, encodeClosePayload, parseClosePayload, truncateUtf8, type ClosePayload } from './close';
import type { PerMessageDeflate } from './deflate';
import { pooledRandomMask } from './mask';
import { NONE, append } from './lists';
import { allocFilled, copyBytes } from './buffers';

/** Shared by every client connection: one pool of random bytes, not 8 KiB per connection. */
const defaultMaskKey = pooledRandomMask();

export type Role = 'client' | 'server';

export interface Limits {
  /** Largest payload one frame may announce (bytes). */
  maxFrameSize: number;
  /** Largest message after reassembly and inflation (bytes). */
  maxMessageSize: number;
  /** Most frames one fragmented message may have. */
  maxFragments: number;
}

/** Large enough for Autobahn's 16 MiB messages and its 64-byte fragments of 4 MiB (65,536). */
export const defaultLimits: Readonly<Limits> = {
  maxFrameSize: 64 * 1024 * 1024,
  maxMessageSize: 64 * 1024 * 1024,
  maxFragments: 1024 * 1024,
};

// One merged object per limits object given: a server's connections all share theirs.
const resolvedLimits = new WeakMap<Partial<Limits>, Readonly<Limits>>();

function resolveLimits(limits: Partial<Limits> | undefined): Readonly<Limits> {
  if (!limits) return defaultLimits;
  let resolved = resolvedLimits.get(limits);
  if (!resolved) resolvedLimits.set(limits, (resolved = Object.freeze({ ...defaultLimits, ...limits })));
  return resolved;
}

export interface ConnectionOptions {
  role: Role;
  limits?: Partial<Limits>;
  /** Answer pings with pongs automatically (RFC 6455 §5.5.2). Default true. */
  autoPong?: boolean;
  /** The negotiated permessage-deflate, if any. */
  deflate?: PerMessageDeflate | null;
  /** Emit frame-received / frame-sent events for a wire log. Default false (costs a little). */
  frameEvents?: boolean;
  /** Source of 4-byte masking keys (clients), used at once and not kept. Default: crypto.getRandomValues, pooled. */
  maskKey?: () => Uint8Array;
  /**
   * How to answer a peer's close: 'echo' its code and reason (default, as ws and python-websockets
   * do), or 'normal': 1000 without a reason (Autobahn|Testsuite's fuzzer, whose reports we match).
   */
  closeReply?: 'echo' | 'normal';
  /**
   * Stop parsing after each message until events() is called again, so the reader can answer a
   * message before later bytes are parsed: with it, an echo goes out before the close frame of a
   * fault that followed the message in the same TCP read (Autobahn 4.2.3 grades the reverse
   * NON-STRICT). The caller then calls events() until it returns nothing. Default false.
   */
  pauseAfterMessage?: boolean;
  /**
   * Fail (1002) a frame whose payload length is not in its minimal encoding, which §5.2 requires
   * of the sender. Autobahn's protocol fails it; ws, python-websockets and browsers accept it, and
   * so do we by default.
   */
  minimalLengths?: boolean;
  /**
   * Which close codes the peer may send; others fail the connection (1002). Default: RFC 6455
   * §7.4 and the IANA registry (1000-1003, 1007-1014, 3000-4999).
   */
  validCloseCode?: (code: number) => boolean;
}

/** One frame as it crossed the wire, for logs. `payload` is unmasked (and still compressed). */
export interface FrameInfo {
  opcode: number;
  fin: boolean;
  rsv: number;
  masked: boolean;
  mask: Uint8Array | null;
  payload: Uint8Array;
}

export interface CloseResult {
  /** True when close frames went both ways before the TCP connection ended (RFC 6455 §7.1.4). */
  wasClean: boolean;
  /** The code the application sees: the peer's, 1005 when its close had none, 1006 when none came. */
  code: number;
  reason: string;
  sent: ClosePayload | null;
  received: ClosePayload | null;
  /** True when the peer closed first and we answered. */
  receivedThenSent: boolean | null;
  /** The protocol fault that made us fail the connection, if any. */
  failure: ProtocolError | null;
}

export type ConnectionEvent =
  | { type: 'message'; binary: boolean; data: Uint8Array }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  | { type: 'close-received'; code: number | null; reason: string }
  | { type: 'frame-received'; frame: FrameInfo }
  | { type: 'frame-sent'; frame: FrameInfo }
  /** We are failing the connection (RFC 6455 §7.1.7) because of this peer fault. */
  | { type: 'failed'; error: ProtocolError }
  /** The end: the transport is gone. Always the last event. */
  | ({ type: 'closed' } & CloseResult);

export type ConnectionState = 'open' | 'closing' | 'closed';

export interface SendMessageOptions {
  binary?: boolean;
  /** Payload sizes of the frames to split the message into; the last one takes the rest. */
  fragments?: number[];
  /** Pings to send after the frame with this 0-based index (between fragments). */
  pingsAfter?: Map<number, Uint8Array>;
  /** Compress with permessage-deflate when negotiated. Default true. */
  compress?: boolean;
}

const EMPTY = new Uint8Array(0);
/**
 * A message may be read straight into its own buffer (receiveBuffer()) while at least this much of
 * it is still to come, a socket's usual read. Smaller messages mostly come in one read, and are
 * delivered as views of it, without a copy.
 */
const DIRECT_READ_MIN = 64 * 1024;
/** The most a message's buffer is made ahead of its bytes, beyond what already came (receiveBuffer()). */
const DIRECT_READ_AHEAD = 4 * 1024 * 1024;
const textEncoder = new TextEncoder();

export class Connection implements FrameSink {
  readonly role: Role;
  readonly limits: Readonly<Limits>;
  autoPong: boolean;
  private readonly closeReply: 'echo' | 'normal';
  private readonly pauseAfterMessage: boolean;
  /** events() resumes a paused parser first, once the reader had its turn. */
  private resumeOnNextEvents = false;
  /** The peer's EOF arrived while bytes waited behind a pause. */
  private eofPending = false;
  private readonly deflate: PerMessageDeflate | null;
  private readonly frameEvents: boolean;
  private readonly maskKey: (() => Uint8Array) | null;
  private readonly parser: FrameParser;

  private _state: ConnectionState = 'open';
  private outgoing: Uint8Array[] = NONE;
  private outgoingBytes = 0;
  private queued: ConnectionEvent[] = NONE;
  private eofRequested = false;
  private discarding = false;
  private pongsHeld = false;
  /** The latest ping's payload, answered when pongs are released (see holdPongs). */
  private heldPong: Uint8Array | null = null;

  // The frame being received.
  private frame: FrameHeader | null = null;
  private frameChunks: Uint8Array[] = NONE;
  // The message being received.
  private messageOpcode = -1;
  private messageCompressed = false;
  // Most messages arrive as one piece: it is kept as is, and a list is made only for a second
  // piece (a new array per message and two per frame were much of the garbage at 16 bytes).
  private messageFirstChunk: Uint8Array | null = null;
  private messageChunks: Uint8Array[] = NONE;
  /**
   * A large unfragmented uncompressed message that arrives unmasked (what a client receives) may
   * be read straight into its own buffer (see receiveBuffer()): this is that buffer, once asked
   * for, and `messageDirectFill` how much of it has arrived.
   */
  private messageDirectAllowed = false;
  private messageDirect: Uint8Array | null = null;
  private messageDirectFill = 0;
  private messageSize = 0;
  private messageFragments = 0;
  private readonly validator = new Utf8Validator();

  private closeSent: ClosePayload | null = null;
  private closeReceived: ClosePayload | null = null;
  private receivedThenSent: boolean | null = null;
  private failure: ProtocolError | null = null;
  private readonly validCloseCode: ((code: number) => boolean) | undefined;

  constructor(options: ConnectionOptions) {
    this.role = options.role;
    this.limits = resolveLimits(options.limits);
    this.autoPong = options.autoPong ?? true;
    this.closeReply = options.closeReply ?? 'echo';
    this.pauseAfterMessage = options.pauseAfterMessage ?? false;
    this.validCloseCode = options.validCloseCode;
    this.deflate = options.deflate ?? null;
    this.frameEvents = options.frameEvents ?? false;
    this.maskKey = this.role === 'client' ? (options.maskKey ?? defaultMaskKey) : null;
    this.parser = new FrameParser(this, {
      expectMasked: this.role === 'server',
      allowedRsv: this.deflate ? 0b100 : 0,
      maxFrameSize: this.limits.maxFrameSize,
      minimalLengths: options.minimalLengths ?? false,
    });
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** Bytes handed out by dataToSend() not yet drained: the engine's own send queue. */
  get bufferedBytes(): number {
    return this.outgoingBytes;
  }

  // ---------------------------------------------------------------- input

  /**
   * Feeds bytes from the peer. Takes ownership of `data`: masked payloads are unmasked in
   * place and messages may keep views of it. Never throws for peer faults: they become a
   * 'failed' event and a close frame.
   */
  receiveData(data: Uint8Array): void {
    if (this._state === 'closed' || this.discarding) return;
    try {
      this.parser.push(data);
    } catch (error) {
      this.failParsing(error);
    }
  }

  /**
   * Where the transport may read the next bytes from the peer, or null for a buffer of its own.
   * While the payload of a large message is arriving (unfragmented, uncompressed, unmasked: what a
   * client receives), this is the rest of the message's own buffer. Reading into it and passing
   * what was read to receiveData() puts the bytes where the message is delivered from, without
   * the copy that joining a socket's reads would cost (receiveData() sees that they are already
   * in place). Valid until the next receiveData(); the reads must not run past it.
   */
  receiveBuffer(): Uint8Array | null {
    const frame = this.frame;
    if (!this.messageDirectAllowed || frame === null || this.discarding || this._state === 'closed' || this.parser.hasHeld) return null;
    let direct = this.messageDirect;
    if (direct === null) {
      const toCome = frame.length - this.messageSize;
      // Worth it only while more than a read's worth is to come: with less, one more read would
      // bring the rest, and reading just that rest would cost a read of its own.
      if (toCome < DIRECT_READ_MIN) return null;
      // The length is the peer's word: a peer that announces 64 MiB and sends 64 KiB gets no
      // 64 MiB buffer. Beyond DIRECT_READ_AHEAD, no more is set aside than has come already.
      if (toCome > Math.max(DIRECT_READ_AHEAD, this.messageSize)) return null;
      // The header's read brought the first piece of the payload: it is the one part copied.
      direct = this.messageDirect = allocFilled(frame.length);
      const first = this.messageFirstChunk;
      if (first !== null) direct.set(first, 0);
      let fill = first?.length ?? 0;
      for (const chunk of this.messageChunks) {
        direct.set(chunk, fill);
        fill += chunk.length;
      }
      this.messageDirectFill = fill;
      this.messageFirstChunk = null;
      this.messageChunks = NONE;
    }
    return direct.subarray(this.messageDirectFill);
  }

  /** The peer closed its side of the TCP connection (or the transport is gone). */
  receiveEof(): void {
    if (this._state === 'closed') return;
    if (this.parser.hasHeld && !this.discarding) {
      this.eofPending = true;
      return;
    }
    this._state = 'closed';
    this.resetMessageChunks();
    this.deflate?.close();
    const clean = this.closeSent !== null && this.closeReceived !== null;
    const received = this.closeReceived;
    this.queue({
      type: 'closed',
      wasClean: clean,
      code: received ? (received.code ?? CloseCode.NoStatusReceived) : CloseCode.AbnormalClosure,
      reason: received?.reason ?? '',
      sent: this.closeSent,
      received,
      receivedThenSent: this.receivedThenSent,
      failure: this.failure,
    });
  }

  // ---------------------------------------------------------------- output

  /** Drains the bytes to write, in order (the list is the caller's to read, not to change: it may be the shared empty one). */
  dataToSend(): Uint8Array[] {
    const out = this.outgoing;
    this.outgoing = NONE;
    this.outgoingBytes = 0;
    return out;
  }

  /** True once the transport should close TCP after writing dataToSend() (server side). */
  get transportCloseRequested(): boolean {
    return this.eofRequested;
  }

  /** Drains the events that happened since the last call (to read, not to change, like dataToSend()). */
  events(): ConnectionEvent[] {
    if (this.resumeOnNextEvents) {
      this.resumeOnNextEvents = false;
      this.resumeParsing();
    }
    const out = this.queued;
    this.queued = NONE;
    if (this.parser.isPaused) this.resumeOnNextEvents = true;
    return out;
  }

  private resumeParsing(): void {
    if (this._state !== 'closed' && !this.discarding) {
      try {
        this.parser.resume();
      } catch (error) {
        this.failParsing(error);
      }
    }
    if (this.eofPending && (!this.parser.hasHeld || this.discarding)) {
      this.eofPending = false;
      this.receiveEof();
    }
  }

  /**
   * True while we wait on the peer to finish closing: for our close to be answered, or (client)
   * for the server to close TCP. The transport arms its close time-out while this holds.
   */
  closeExpected(): boolean {
    if (this._state === 'closed') return false;
    if (this.closeSent && !this.closeReceived) return true;
    return this.role === 'client' && this.closeSent !== null;
  }

  // ---------------------------------------------------------------- sending

  sendText(text: string | Uint8Array): void {
    this.sendMessage(typeof text === 'string' ? textEncoder.encode(text) : text, { binary: false });
  }

  sendBinary(data: Uint8Array): void {
    this.sendMessage(data, { binary: true });
  }

  /** Sends one message, optionally split into frames of the given sizes with pings between. */
  sendMessage(data: Uint8Array, options: SendMessageOptions = {}): void {
    this.assertCanSendData();
    if (options.fragments === undefined && options.pingsAfter === undefined) {
      // Almost every message: one frame, and no lists to check (their empty stand-ins showed in
      // a profile of 16-byte sends).
      const compress = this.compresses(data, options);
      this.writeFrame(options.binary ? Opcode.Binary : Opcode.Text, compress ? this.deflate!.compress(data) : data, true, compress ? 0b100 : 0);
      return;
    }
    // Check every option before compressing or writing anything: a refused send must neither
    // leave half a message on the wire nor advance the compression context the peer mirrors.
    const sizes = options.fragments ?? [];
    for (const size of sizes) {
      if (!Number.isInteger(size) || size < 0) throw new UsageError('WSW_USAGE_FRAGMENT_SIZE', `fragment sizes must be integers >= 0, got ${size}`);
    }
    for (const ping of options.pingsAfter?.values() ?? []) checkControlPayload(ping);
    const compress = this.compresses(data, options);
    const payload = compress ? this.deflate!.compress(data) : data;
    const opcode = options.binary ? Opcode.Binary : Opcode.Text;
    let offset = 0;
    let index = 0;
    do {
      const last = index >= sizes.length || offset + sizes[index] >= payload.length;
      const end = last ? payload.length : offset + sizes[index];
      const frame = offset === 0 && end === payload.length ? payload : payload.subarray(offset, end);
      this.writeFrame(index === 0 ? opcode : Opcode.Continuation, frame, last, index === 0 && compress ? 0b100 : 0);
      const ping = options.pingsAfter?.get(index);
      if (ping && !last) this.writeFrame(Opcode.Ping, ping, true, 0);
      offset = end;
      index++;
      if (last) break;
    } while (offset <= payload.length);
  }

  sendPing(payload: Uint8Array = EMPTY): void {
    this.assertCanSendControl();
    this.writeFrame(Opcode.Ping, checkControlPayload(payload), true, 0);
  }

  sendPong(payload: Uint8Array = EMPTY): void {
    this.assertCanSendControl();
    this.writeFrame(Opcode.Pong, checkControlPayload(payload), true, 0);
  }

  /** Starts (or answers) the closing handshake. `code` null sends an empty close frame. */
  sendClose(code: number | null = CloseCode.NormalClosure, reason = ''): void {
    if (this.closeSent) throw new UsageError('WSW_USAGE_CLOSE_SENT', 'a close frame was already sent');
    this.assertCanSendControl();
    this.writeClose(encodeClosePayload(code, reason), { code, reason });
  }

  /**
   * Starts the closing handshake with a close frame whose payload is not checked (a conformance
   * case may send code 999, a reason that is not UTF-8, or more than 125 bytes on purpose). The close state is
   * updated as for sendClose().
   */
  sendRawClose(payload: Uint8Array): void {
    if (this.closeSent) throw new UsageError('WSW_USAGE_CLOSE_SENT', 'a close frame was already sent');
    this.assertCanSendControl();
    const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : null;
    this.writeClose(payload, { code, reason: closeReasonText(payload) });
  }

  /** Bytes written as they are, e.g. from the raw frame composer. No protocol checks. */
  sendRaw(bytes: Uint8Array): void {
    if (this._state === 'closed') throw new UsageError('WSW_USAGE_CLOSED', 'the connection is closed');
    this.push(bytes);
  }

  /**
   * Holds automatic pongs while the transport cannot write (a peer that pings and does not read
   * would otherwise make them pile up without bound): only the latest ping is answered, when they
   * are released (RFC 6455 §5.5.3 allows it). Returns whether releasing wrote a pong.
   */
  holdPongs(hold: boolean): boolean {
    this.pongsHeld = hold;
    if (hold || !this.heldPong) return false;
    const payload = this.heldPong;
    this.heldPong = null;
    if (this._state !== 'open') return false;
    this.writeFrame(Opcode.Pong, payload, true, 0);
    return true;
  }

  /** Fails the connection on our own account (RFC 6455 §7.1.7), e.g. on a local policy. */
  fail(code: number, reason = ''): void {
    // Refuse a code that may not be sent before any state changes, not halfway through failing.
    if (!isValidWireCloseCode(code)) throw new UsageError('WSW_USAGE_CLOSE_CODE', `close code ${code} may not be sent (valid: 1000-1003, 1007-1014, 3000-4999)`);
    this.failWith(new ProtocolError(code, 'WSW_ERR_INTERNAL', reason || `failed with ${code}`), false);
  }

  // ---------------------------------------------------------------- FrameSink

  /** A frame that may not come now fails on its first two octets (see FrameSink.onFrameStart). */
  onFrameStart(opcode: number, _fin: boolean, rsv: number): void {
    if (isControlOpcode(opcode)) {
      if (rsv !== 0) throw new ProtocolError(1002, 'WSW_ERR_RESERVED_RSV', `RSV bits ${rsv} on a control frame`);
      return;
    }
    const continuation = opcode === Opcode.Continuation;
    if (continuation) {
      if (this.messageOpcode < 0) throw new ProtocolError(1002, 'WSW_ERR_UNEXPECTED_CONTINUATION', 'continuation frame without a message to continue');
      if (rsv !== 0) throw new ProtocolError(1002, 'WSW_ERR_RESERVED_RSV', 'RSV1 on a continuation frame (only the first frame of a message may set it)');
    } else if (this.messageOpcode >= 0) {
      throw new ProtocolError(1002, 'WSW_ERR_EXPECTED_CONTINUATION', `new data frame (opcode ${opcode}) inside a fragmented message`);
    }
    if ((continuation ? this.messageFragments : 0) + 1 > this.limits.maxFragments) {
      throw new ProtocolError(1009, 'WSW_ERR_TOO_MANY_FRAGMENTS', `message has more than ${this.limits.maxFragments} fragments`);
    }
  }

  /** A data frame that would take its message past the limit fails on its length, before its mask key. */
  onFrameLength(opcode: number, length: number): void {
    if (isControlOpcode(opcode)) return;
    const before = opcode === Opcode.Continuation ? this.messageSize : 0;
    if (before + length > this.limits.maxMessageSize) {
      throw new ProtocolError(1009, 'WSW_ERR_MESSAGE_TOO_BIG', `message exceeds the limit of ${this.limits.maxMessageSize} bytes`);
    }
  }

  /** Returns whether the payload may come in one piece at the frame's end: all but uncompressed text, which is validated as it arrives. */
  onFrameHeader(header: FrameHeader): boolean {
    this.frame = header;
    this.frameChunks = NONE;
    if (isControlOpcode(header.opcode)) return true;
    if (header.opcode !== Opcode.Continuation) {
      this.messageOpcode = header.opcode;
      this.messageCompressed = (header.rsv & 0b100) !== 0;
      this.resetMessageChunks();
      this.messageSize = 0;
      this.messageFragments = 0;
      this.validator.reset();
      this.messageDirectAllowed = header.fin && !header.masked && !this.messageCompressed && header.length >= DIRECT_READ_MIN;
    }
    this.messageFragments++;
    return this.messageOpcode !== Opcode.Text || this.messageCompressed;
  }

  onFramePayload(chunk: Uint8Array): void {
    if (this.frameEvents || isControlOpcode(this.frame!.opcode)) this.frameChunks = append(this.frameChunks, chunk);
    if (isControlOpcode(this.frame!.opcode)) return;
    // Fail fast: validate text as it arrives, mid-frame (uncompressed messages only).
    if (this.messageOpcode === Opcode.Text && !this.messageCompressed && !this.validator.feed(chunk)) {
      throw new ProtocolError(1007, 'WSW_ERR_INVALID_UTF8', 'text message is not valid UTF-8');
    }
    const direct = this.messageDirect;
    if (direct !== null) {
      // Read into receiveBuffer() as asked, or (a transport that did not) copied there.
      if (chunk.buffer !== direct.buffer || chunk.byteOffset !== direct.byteOffset + this.messageDirectFill) direct.set(chunk, this.messageDirectFill);
      this.messageDirectFill += chunk.length;
    } else if (this.messageFirstChunk === null) this.messageFirstChunk = chunk;
    else this.messageChunks = append(this.messageChunks, chunk);
    this.messageSize += chunk.length;
  }

  onFrameEnd(): void {
    const header = this.frame!;
    this.frame = null;
    const framePayload = this.frameChunks.length === 0 || isControlOpcode(header.opcode) || this.frameEvents ? concat(this.frameChunks) : EMPTY;
    this.frameChunks = NONE;
    if (this.frameEvents) {
      const mask = header.mask && copyBytes(header.mask); // the parser's, rewritten by the next frame
      this.queue({ type: 'frame-received', frame: { opcode: header.opcode, fin: header.fin, rsv: header.rsv, masked: header.masked, mask, payload: framePayload } });
    }
    if (isControlOpcode(header.opcode)) this.handleControl(header.opcode, framePayload);
    else if (header.fin) this.finishMessage();
  }

  // ---------------------------------------------------------------- internals

  private finishMessage(): void {
    const binary = this.messageOpcode === Opcode.Binary;
    let data = this.messagePayload();
    if (this.messageCompressed) {
      data = this.deflate!.decompress(data, this.limits.maxMessageSize);
      if (!binary && !isValidUtf8(data)) throw new ProtocolError(1007, 'WSW_ERR_INVALID_UTF8', 'text message is not valid UTF-8');
    } else if (!binary && !this.validator.finish()) {
      throw new ProtocolError(1007, 'WSW_ERR_INVALID_UTF8', 'text message ends inside a UTF-8 sequence');
    }
    this.messageOpcode = -1;
    this.resetMessageChunks();
    this.queue({ type: 'message', binary, data });
    if (this.pauseAfterMessage) this.parser.pause();
  }

  /** The message's payload: its one piece as it came (zero-copy), or its pieces joined. */
  private messagePayload(): Uint8Array {
    if (this.messageDirect !== null) return this.messageDirect;
    const first = this.messageFirstChunk;
    if (first === null) return EMPTY;
    if (this.messageChunks.length === 0) return first;
    this.messageChunks.unshift(first);
    return concat(this.messageChunks);
  }

  private resetMessageChunks(): void {
    this.messageFirstChunk = null;
    this.messageChunks = NONE;
    this.messageDirect = null;
    this.messageDirectAllowed = false;
  }

  private handleControl(opcode: number, payload: Uint8Array): void {
    if (opcode === Opcode.Ping) {
      this.queue({ type: 'ping', data: payload });
      // §5.5.2: answer with the same payload; after a close frame we send nothing more. While
      // pongs are held, §5.5.3 lets only the latest ping be answered.
      if (this.autoPong && this._state === 'open') {
        if (this.pongsHeld) this.heldPong = copyBytes(payload);
        else this.writeFrame(Opcode.Pong, payload, true, 0);
      }
    } else if (opcode === Opcode.Pong) {
      this.queue({ type: 'pong', data: payload });
    } else {
      this.handleClose(parseClosePayload(payload, this.validCloseCode));
    }
  }

  private handleClose(received: ClosePayload): void {
    this.closeReceived = received;
    this.queue({ type: 'close-received', code: received.code, reason: received.reason });
    // §5.5.1: nothing after a close frame is processed, not even the rest of this chunk
    // (otherwise the events would depend on how the bytes were chunked).
    this.discarding = true;
    this.parser.stop();
    this.resetMessageChunks();
    if (!this.closeSent) {
      this.receivedThenSent = true;
      // Echo the peer's code and reason, as ws and python-websockets do (an empty close is
      // answered with an empty close). The reason already passed validation and fits the frame.
      const reply: ClosePayload = this.closeReply === 'echo' ? received : { code: CloseCode.NormalClosure, reason: '' };
      this.writeClose(encodeClosePayload(reply.code, reply.reason), reply);
    } else {
      this.receivedThenSent = false;
    }
    this._state = 'closing';
    // §7.1.1: the server closes TCP first once the handshake is done; the client waits for it.
    if (this.role === 'server') this.eofRequested = true;
  }

  /** A fault found while parsing the peer's bytes, named by the frame it is in when there is one. */
  private failParsing(error: unknown): void {
    if (!(error instanceof ProtocolError)) return this.failWith(new ProtocolError(CloseCode.InternalError, 'WSW_ERR_INTERNAL', 'internal error'));
    const frame = this.frame;
    if (!error.frame && frame) error.frame = { opcode: frame.opcode, fin: frame.fin, rsv: frame.rsv, masked: frame.masked, length: frame.length };
    this.failWith(error);
  }

  private failWith(error: ProtocolError, byPeer = true): void {
    if (this._state === 'closed' || this.discarding) return;
    if (byPeer) this.failure = error;
    this.queue({ type: 'failed', error });
    this.discarding = true;
    this.resetMessageChunks(); // the message will not be finished: its bytes may go
    if (!this.closeSent) {
      const reason = truncateUtf8(error.message, 123);
      this.writeClose(encodeClosePayload(error.closeCode, reason), { code: error.closeCode, reason });
    }
    this._state = 'closing';
    // A failing server drops TCP at once; a failing client waits for the server to do it.
    if (this.role === 'server') this.eofRequested = true;
  }

  private writeClose(payload: Uint8Array, close: ClosePayload): void {
    this.closeSent = close;
    if (this.receivedThenSent === null) this.receivedThenSent = false;
    this.writeFrame(Opcode.Close, payload, true, 0);
    this._state = 'closing';
  }

  /** Whether this message goes out compressed: negotiated, not refused, and not under the threshold. */
  private compresses(data: Uint8Array, options: SendMessageOptions): boolean {
    return this.deflate !== null && options.compress !== false && data.length >= this.deflate.threshold;
  }

  private writeFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv: number): void {
    const mask = this.maskKey ? this.maskKey() : null;
    this.push(encodeFrameStart(opcode, payload, fin, rsv, mask));
    if (!mask && payload.length > 0) this.push(payload);
    if (this.frameEvents) {
      this.queue({ type: 'frame-sent', frame: { opcode, fin, rsv, masked: mask !== null, mask: mask ? copyBytes(mask) : null, payload } });
    }
  }

  private push(bytes: Uint8Array): void {
    this.outgoing = append(this.outgoing, bytes);
    this.outgoingBytes += bytes.length;
  }

  private queue(event: ConnectionEvent): void {
    this.queued = append(this.queued, event);
  }

  private assertCanSendData(): void {
    if (this._state !== 'open') throw new UsageError('WSW_USAGE_NOT_OPEN', `cannot send a message: the connection is ${this._state}`);
  }

  private assertCanSendControl(): void {
    if (this._state === 'closed') throw new UsageError('WSW_USAGE_CLOSED', 'the connection is closed');
    if (this.closeSent) throw new UsageError('WSW_USAGE_CLOSE_SENT', 'nothing may be sent after a close frame');
  }
}

function checkControlPayload(payload: Uint8Array): Uint8Array {
  if (payload.length > 125) throw new UsageError('WSW_USAGE_CONTROL_PAYLOAD', `control frame payloads are at most 125 bytes, got ${payload.length}`);
  return payload;
}

/** Joins chunks, without copying when there is just one. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  if (chunks.length === 0) return EMPTY;
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = allocFilled(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
