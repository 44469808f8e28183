/**
 * A WebSocket on a socket: the engine's Connection driven by a node:net or node:tls socket.
 * This is where the timers live (the close time-out), where backpressure is reported, and where
 * engine events become typed events. Client and server share it.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { SocketReads } from './socket-reads';
import { Connection, UsageError, allocFilled, type CloseResult, type ProtocolError, type ConnectionEvent, type DeflateParams, type FrameInfo, type SendMessageOptions } from '../engine';

export interface CloseInfo extends CloseResult {
  /** We gave up waiting for the peer to finish closing and dropped TCP ourselves. */
  closeTimedOut: boolean;
  /** A socket error that ended the connection (reset, TLS alert, …). */
  socketError: Error | null;
}

/**
 * Whether a connection closed cleanly as a client sees it (RFC 6455 §7.1.1: close frames both
 * ways, then TCP closed by the server, not dropped by us after the close time-out), and in words.
 */
export function cleanClose(info: CloseInfo): { clean: boolean; how: string } {
  if (!info.wasClean) return { clean: false, how: `not clean${info.closeTimedOut ? ' (close handshake timed out)' : ''}` };
  if (info.closeTimedOut) return { clean: false, how: 'not clean: close frames both ways, but the server did not close TCP in time' };
  return { clean: true, how: 'clean' };
}

export interface OpenInfo {
  protocol: string | null;
  deflate: DeflateParams | null;
  /**
   * The opening handshake as sent and received, for logs and reports. Clients keep it; servers
   * only with `keepHandshakeHeads` (the 'connection' event carries the request head either way),
   * since an idle server connection would otherwise carry ~0.4 KiB of strings nobody reads.
   */
  requestHead: string | null;
  responseHead: string | null;
  /** Request target (server side: what the client asked for). */
  path: string;
  /** The peer's address and port ('' and 0 when the socket closed before anyone asked). */
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface WebSocketOptions {
  /** How long to wait for the peer to finish the closing handshake (ms). Default 5000. */
  closeTimeoutMs?: number;
  /** Sends throw once this many bytes wait in the socket; the caller should await drained(). Default 256 MiB. */
  maxBufferedBytes?: number;
}

export type WebSocketEvents = {
  message: [data: Uint8Array, binary: boolean];
  ping: [data: Uint8Array];
  pong: [data: Uint8Array];
  /** Every frame in and out, when the engine was made with frameEvents. */
  frame: [direction: 'in' | 'out', frame: FrameInfo];
  'close-received': [code: number | null, reason: string];
  /** We are failing the connection because the peer broke the protocol. */
  failed: [error: ProtocolError];
  /** The socket can take more data after a send returned false. */
  drain: [];
  /** The end; always emitted once. */
  close: [info: CloseInfo];
};

/**
 * Parts shorter than this are copied together with their neighbours into one buffer before
 * writing. Each socket.write() of a Uint8Array costs a Buffer view and stream bookkeeping
 * (13% of an echo server's CPU at 16-byte messages in the profile), while copying a few KiB
 * costs less than one write. Larger parts (payloads) are written as they are, never copied.
 */
const COALESCE_BELOW = 4096;

/** Writes the engine's output in order: small parts coalesced, large ones zero-copy, one writev. */
function writeParts(socket: Socket, parts: Uint8Array[]): void {
  if (parts.length === 1) {
    socket.write(socketChunk(parts, 0, 1, parts[0].length));
    return;
  }
  socket.cork();
  let runStart = 0;
  let runBytes = 0;
  for (let i = 0; i <= parts.length; i++) {
    const part = i < parts.length ? parts[i] : null;
    if (part && part.length < COALESCE_BELOW) {
      runBytes += part.length;
      continue;
    }
    if (i > runStart) socket.write(socketChunk(parts, runStart, i, runBytes));
    if (part) socket.write(part);
    runStart = i + 1;
    runBytes = 0;
  }
  socket.uncork();
}

/**
 * parts[from, to) as one chunk for socket.write(): a lone Buffer or large part as it is, anything
 * else copied into one pooled Buffer. The socket turns a Uint8Array into a Buffer over its
 * `.buffer`, and for the small arrays the engine keeps in V8's heap (headers, short masked
 * frames) that makes V8 move the bytes out of its heap: about 1 µs each, against 70 ns to copy.
 */
function socketChunk(parts: Uint8Array[], from: number, to: number, bytes: number): Uint8Array {
  const first = parts[from];
  if (to - from === 1 && (bytes >= COALESCE_BELOW || Buffer.isBuffer(first))) return first;
  return joinParts(parts, from, to, bytes);
}

function joinParts(parts: Uint8Array[], from: number, to: number, bytes: number): Buffer {
  const joined = allocFilled(bytes);
  let offset = 0;
  for (let i = from; i < to; i++) {
    joined.set(parts[i], offset);
    offset += parts[i].length;
  }
  return joined;
}

const kConnection = Symbol('wsw.connection');
type SocketWithConnection = Socket & { [kConnection]: WebSocketConnection };

function socketOnData(this: SocketWithConnection, chunk: Buffer): void {
  this[kConnection].onSocketData(chunk);
}
function socketOnEnd(this: SocketWithConnection): void {
  this[kConnection].onSocketEnd();
}
function socketOnError(this: SocketWithConnection, error: Error): void {
  this[kConnection].onSocketError(error);
}
function socketOnDrain(this: SocketWithConnection): void {
  this[kConnection].onSocketDrain();
}

/**
 * The table EventEmitter keeps a connection's listeners in. Its own, `{ __proto__: null }`, is an
 * object V8 makes in dictionary mode: about 200 bytes on every idle connection. Objects made by
 * this constructor are in fast mode and, like EventEmitter's, see no Object.prototype, so no event
 * name ("constructor", "__proto__") finds anything but listeners. (Node's own streams preset theirs
 * with the common event names; that one inherits from Object.prototype.)
 */
function ListenerTable(): void {}
ListenerTable.prototype = Object.create(null) as object;

const textEncoder = new TextEncoder();
const toBytes = (data: string | Uint8Array) => (typeof data === 'string' ? textEncoder.encode(data) : data);

export class WebSocketConnection extends EventEmitter<WebSocketEvents> {
  // The `closed` promise is made on first use: an idle server holds thousands of connections
  // whose promise nobody asks for, and a promise with its resolver costs ~150 bytes each.
  private closedPromise: Promise<CloseInfo> | null = null;
  private resolveClosed: ((info: CloseInfo) => void) | null = null;
  private closeInfo: CloseInfo | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private closeTimedOut = false;
  private socketError: Error | null = null;
  private endCalled = false;
  private pumping = false;
  private pumpAgain = false;
  private readingHolds = 0;
  /** Set while reading waits for the peer to take what its own frames made us write. */
  private backlogRelease: (() => void) | null = null;
  /** Events wait for emitPending(): a client's caller has no handlers yet (see receive()). */
  private eventsHeld = false;
  private readonly closeTimeoutMs: number;
  private readonly maxBufferedBytes: number;

  constructor(
    readonly socket: Socket,
    readonly engine: Connection,
    readonly info: OpenInfo,
    options: WebSocketOptions = {},
    /** The socket's `onread` reads, for a socket made with them (a ws:// client); else 'data' events. */
    reads: SocketReads | null = null,
  ) {
    super();
    (this as unknown as { _events: object })._events = new (ListenerTable as unknown as new () => object)();
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 256 * 1024 * 1024;
    // Module-level listeners that find their connection through the socket (as ws does): five
    // closures per connection would cost more than the rest of an idle connection's state.
    (socket as SocketWithConnection)[kConnection] = this;
    if (reads) {
      reads.deliver = (chunk) => this.onSocketData(chunk);
      reads.engine = engine;
    } else socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('close', socketOnEnd);
    socket.on('error', socketOnError);
    socket.on('drain', socketOnDrain);
  }

  /** @internal Called by the module-level socket listeners (socketOnData and the others). */
  onSocketData(chunk: Uint8Array): void {
    this.engine.receiveData(chunk);
    this.pump();
    const socket = this.socket;
    // A peer that pings but does not read: while the socket is backed up, only its latest ping is
    // answered (on 'drain'), so pongs do not pile up.
    if (socket.writableNeedDrain) this.engine.holdPongs(true);
    // Anything else we answer on our own, past the cap: read no more until the peer has taken it.
    if (!this.backlogRelease && socket.writableLength > this.maxBufferedBytes && socket.writableNeedDrain) this.backlogRelease = this.holdReading();
  }

  onSocketDrain(): void {
    if (this.engine.holdPongs(false)) this.pump();
    if (this.backlogRelease) {
      this.backlogRelease();
      this.backlogRelease = null;
    }
    this.emit('drain');
  }

  onSocketEnd(): void {
    this.engine.receiveEof();
    this.pump();
  }

  onSocketError(error: Error): void {
    this.socketError ??= error;
  }

  /** Resolves with the close information once the connection has ended. */
  get closed(): Promise<CloseInfo> {
    this.closedPromise ??= this.closeInfo ? Promise.resolve(this.closeInfo) : new Promise((resolve) => (this.resolveClosed = resolve));
    return this.closedPromise;
  }

  get protocol(): string | null {
    return this.info.protocol;
  }

  get state() {
    return this.engine.state;
  }

  /** Bytes accepted by send*() and not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength + this.engine.bufferedBytes;
  }

  /**
   * Feeds bytes that arrived together with the handshake. With `emit: false` events (theirs and
   * any later ones) wait for emitPending(), for a caller that has not attached its handlers yet.
   */
  receive(data: Uint8Array, { emit = true }: { emit?: boolean } = {}): void {
    if (!emit) this.eventsHeld = true;
    if (data.length > 0) this.engine.receiveData(data);
    this.pump();
  }

  /**
   * Emits the events held since `receive(…, { emit: false })`, and from then on as they come.
   * Until then sends still go out, and their events queue behind the held ones.
   */
  emitPending(): void {
    this.eventsHeld = false;
    this.pump();
  }

  /**
   * Stops reading from the socket until the returned release is called. Holds nest: the socket
   * reads again when the last one is released, so one part of the program (connect() until the
   * caller has its handlers, sendPaced() between chops, an echo waiting for 'drain') cannot
   * resume what another paused. Use this, not socket.pause() / resume().
   */
  holdReading(): () => void {
    if (this.readingHolds++ === 0) this.socket.pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.readingHolds === 0 && !this.socket.destroyed) this.socket.resume();
    };
  }

  /** Sends text (a string) or binary (bytes); false means "wait for drain before sending more". */
  send(data: string | Uint8Array, options: SendMessageOptions = {}): boolean {
    return this.act(() => this.engine.sendMessage(toBytes(data), { binary: typeof data !== 'string', ...options }));
  }

  ping(payload: string | Uint8Array = new Uint8Array(0)): boolean {
    return this.act(() => this.engine.sendPing(toBytes(payload)));
  }

  pong(payload: string | Uint8Array = new Uint8Array(0)): boolean {
    return this.act(() => this.engine.sendPong(toBytes(payload)));
  }

  /** Bytes as they are (the raw frame composer); no protocol checks. */
  sendRaw(bytes: Uint8Array): boolean {
    return this.act(() => this.engine.sendRaw(bytes));
  }

  /**
   * Starts the closing handshake and resolves when the connection has ended. Not held back by
   * maxBufferedBytes: a close frame is small, and a connection must always be closable.
   */
  close(code: number | null = 1000, reason = ''): Promise<CloseInfo> {
    if (this.engine.state === 'open') this.write(() => this.engine.sendClose(code, reason));
    return this.closed;
  }

  /** Drops TCP at once, without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  /** Resolves once the socket's buffer has room again (or the connection ended). */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.engine.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.off('drain', done);
        this.off('close', done);
        resolve();
      };
      this.on('drain', done);
      this.on('close', done);
    });
  }

  /** A send the caller asked for: refused while more than maxBufferedBytes wait to be sent. */
  private act(send: () => void): boolean {
    if (this.socket.writableLength > this.maxBufferedBytes) {
      throw new UsageError('WSW_USAGE_BACKPRESSURE', `${this.socket.writableLength} bytes are waiting to be sent (limit ${this.maxBufferedBytes}); await drained() before sending more`);
    }
    return this.write(send);
  }

  private write(send: () => void): boolean {
    send();
    this.pump();
    return !this.socket.writableNeedDrain;
  }

  /**
   * Writes what the engine wants written and dispatches its events. Re-entrant calls (a handler
   * that sends) are folded into the running loop so events keep their order.
   */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    // Corked for the whole loop: the engine pauses after each message, so a chunk of 100 small
    // messages makes 100 turns, and the replies written in them leave in one writev, not 100.
    const socket = this.socket;
    socket.cork();
    try {
      do {
        this.pumpAgain = false;
        this.flush();
        if (this.eventsHeld) break;
        const events = this.engine.events();
        for (const event of events) this.dispatch(event);
        // The engine pauses after each message: keep going until it has nothing more to say.
        if (events.length) this.pumpAgain = true;
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
      socket.uncork();
    }
  }

  private flush(): void {
    const out = this.engine.dataToSend();
    const socket = this.socket;
    if (out.length && socket.writable) writeParts(socket, out);
    if (this.engine.transportCloseRequested && !this.endCalled) {
      this.endCalled = true;
      socket.end();
    }
    // Also after we ended TCP: a half-open peer that never closes its side must not hold the socket.
    const waiting = this.engine.closeExpected() || (this.endCalled && this.engine.state !== 'closed');
    if (waiting && !this.closeTimer) {
      this.closeTimer = setTimeout(() => {
        this.closeTimedOut = true;
        socket.destroy();
      }, this.closeTimeoutMs);
    }
  }

  private dispatch(event: ConnectionEvent): void {
    switch (event.type) {
      case 'message':
        this.emit('message', event.data, event.binary);
        break;
      case 'ping':
        this.emit('ping', event.data);
        break;
      case 'pong':
        this.emit('pong', event.data);
        break;
      case 'frame-received':
        this.emit('frame', 'in', event.frame);
        break;
      case 'frame-sent':
        this.emit('frame', 'out', event.frame);
        break;
      case 'close-received':
        this.emit('close-received', event.code, event.reason);
        break;
      case 'failed':
        this.emit('failed', event.error);
        break;
      case 'closed': {
        if (this.closeTimer) clearTimeout(this.closeTimer);
        this.closeTimer = null;
        // The engine saw the end; make sure the socket is gone too (a client after a timeout,
        // a peer that half-closed).
        if (!this.socket.destroyed) this.socket.destroy();
        // Field by field: an object rest and spread here cost 3-4 µs per connection (a runtime
        // call), 2 % of a server's CPU per handshake; this costs 30-50 ns.
        const info: CloseInfo = {
          wasClean: event.wasClean,
          code: event.code,
          reason: event.reason,
          sent: event.sent,
          received: event.received,
          receivedThenSent: event.receivedThenSent,
          failure: event.failure,
          closeTimedOut: this.closeTimedOut,
          socketError: this.socketError,
        };
        this.closeInfo = info;
        this.emit('close', info);
        this.resolveClosed?.(info);
        break;
      }
    }
  }
}
