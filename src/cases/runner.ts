/**
 * Runs one conformance case against a peer over a raw byte channel, the way Autobahn|Testsuite's
 * fuzzer does (autobahntestsuite/fuzzing.py on autobahn 0.10.9): the opening handshake, the
 * case's script through CaseContext, the peer's answers through our engine's Connection (which
 * parses, validates, inflates, answers pings and fails the connection like Autobahn's protocol),
 * Autobahn's closing timers and facts, the wire log and statistics, and finally the judge.
 *
 * Sockets and timers stay in src/transport: this file sees them only as a RawChannel.
 */
import {
  Connection,
  HandshakeError,
  Opcode,
  PerMessageDeflate,
  isControlOpcode,
  acceptClientRequest,
  applyMask,
  buildClientRequest,
  copyBytes,
  defaultHeadLimits,
  deflateResponseAsStated,
  headerValues,
  parseExtensionList,
  parseHttpHead,
  validateServerResponse,
  type ConnectionEvent,
  type DeflateParams,
  type ExtensionElement,
  type HttpHead,
  type ProtocolError,
} from '../engine';
import { nodeDeflateCodec, type RawChannel } from '../transport';
import { countFrame, countOctets, cryptoMaskSource, emptyWireCounters, encodeRawFrame, planWrites, type MaskSource, type RxFrameFields } from '../wire';
import { reportFileName } from '../report/file-name';
import type { CaseContext, CaseHandlers, CloseSpec, FrameHeaderSpec, FrameSpec, MessageOptions } from './context';
import { AfterFailureReader, autobahnAcceptsCloseCode, type AfterFailure } from './after-failure';
import { acceptDeflateOffer, acceptanceExtensionString, offerExtensionString, type DeflateOffer } from './deflate';
import { caseNumber } from './catalogue';
import type { CaseDefinition } from './definition';
import { messageFrames } from './fragment';
import { INITIAL_BEHAVIOR, closeCodeWhenDone, judgeCase } from './judge';
import { emptyTrafficStats, initialCloseFacts, type Behavior, type CaseResult, type CloseFacts, type ObservedEvent, type TrafficStats, type WireLogEntry } from './result';

/** Autobahn's fuzzer settings (seconds), scaled by `timeoutScale`. */
const OPEN_HANDSHAKE_TIMEOUT = 5;
const CLOSE_HANDSHAKE_TIMEOUT = 1;
const SERVER_DROP_TIMEOUT = 1;
/** A last resort for a case that never ends (the longest Autobahn cases give up after 480 s). */
const CASE_TIMEOUT = 600;

export const USER_AGENT = 'WebSocketWorkbench/0.1';

export type Opening =
  /** We are the client: connect to a server under test. */
  | { role: 'client'; hostHeader: string; path: string }
  /** We are the server: a client under test sent this upgrade request (already read, to route it). */
  | { role: 'server'; head: HttpHead; requestBytes: Uint8Array; rest: Uint8Array };

export interface RunCaseOptions {
  agent: string;
  channel: RawChannel;
  opening: Opening;
  /** Multiplies every delay and time-out (the case's own and Autobahn's). Default 1. */
  timeoutScale?: number;
  maskSource?: MaskSource;
  /** Wall clock for the report's start time. */
  clock?: () => Date;
  /**
   * Autobahn's "case" for the report: as a fuzzing server, the N of /runCase?case=N (its place
   * among the selected cases); by default, as its fuzzing client numbers it, the place in the
   * whole catalogue.
   */
  caseNumber?: number;
}

const EMPTY = new Uint8Array(0);
const TRAFFIC_ENTRIES: ReadonlySet<WireLogEntry['kind']> = new Set(['rx-octets', 'tx-octets', 'rx-frame', 'tx-frame']);
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Runs `definition` to its end (the TCP connection closed) and judges it. Never rejects. */
export function runCase(definition: CaseDefinition, options: RunCaseOptions): Promise<CaseResult> {
  return new Promise((resolve) => new CaseRun(definition, options, resolve).start());
}

class CaseRun implements CaseContext {
  private readonly channel: RawChannel;
  private readonly role: 'client' | 'server';
  private readonly scale: number;
  private readonly maskSource: MaskSource;
  private readonly started: Date;
  private readonly t0: number;
  /** When the opening handshake completed: Autobahn times a case from onOpen. */
  private openedAt: number | null = null;

  private engine: Connection | null = null;
  /**
   * Follows the peer's frames beside the engine and, once the engine has failed the connection
   * while open, reads on as Autobahn does: for the close reply, or a second violation.
   */
  private afterFailure: AfterFailureReader | null = null;
  /** The engine failed the connection and afterFailure reads for the reply. */
  private readingAfterFailure = false;
  private deflate: PerMessageDeflate | null = null;
  private handlers: CaseHandlers = {};
  private readonly observed: ObservedEvent[] = [];
  private preset: { behavior: Behavior; result: string } = { ...INITIAL_BEHAVIOR };
  private wireLogEnabled = true;
  private readonly wireLog: WireLogEntry[] = [];
  private readonly stats = emptyWireCounters();
  private readonly traffic: TrafficStats = emptyTrafficStats();
  private capturedTraffic: TrafficStats | null = null;
  private httpRequest = '';
  private httpResponse = '';
  private handshakeBytes: Uint8Array[] = [];
  private connectionWasOpen = false;
  private finished = false;
  /** A fault in the runner or a case script: it decides the verdict, whatever was observed. */
  private runnerError: string | null = null;
  /** The frame begun by beginFrame(): its key and how far into its payload we are. */
  private streaming: { mask: Uint8Array | null; offset: number } | null = null;

  private readonly facts: CloseFacts;
  private readonly timers = new Set<() => void>();
  private closeHandshakeTimer: (() => void) | null = null;

  constructor(
    private readonly definition: CaseDefinition,
    private readonly options: RunCaseOptions,
    private readonly resolve: (result: CaseResult) => void,
  ) {
    this.channel = options.channel;
    this.role = options.opening.role;
    this.scale = options.timeoutScale ?? 1;
    this.maskSource = options.maskSource ?? cryptoMaskSource;
    this.started = (options.clock ?? (() => new Date()))();
    this.t0 = this.channel.now();
    this.facts = initialCloseFacts(this.role === 'server');
  }

  start(): void {
    this.channel.setHandlers({ data: (bytes) => this.guard(() => this.onData(bytes)), closed: (byPeer) => this.guard(() => this.onTcpClosed(byPeer)) });
    // A bound on the peer, not one of the case's timings: never scaled below Autobahn's 5 s, or a
    // busy machine (a short --timeout-scale, many cases in parallel) fails handshakes that completed.
    this.after(OPEN_HANDSHAKE_TIMEOUT / Math.min(this.scale, 1), () => {
      if (this.engine || !this.channel.open) return;
      this.facts.wasOpenHandshakeTimeout = true;
      this.notClean('peer did not finish (in time) the opening handshake');
      this.drop();
    });
    this.after(CASE_TIMEOUT, () => {
      if (!this.channel.open) return;
      this.notClean(`the case did not end within ${CASE_TIMEOUT * this.scale} s`);
      this.drop();
    });
    this.guard(() => (this.options.opening.role === 'client' ? this.sendUpgradeRequest(this.options.opening) : this.answerUpgradeRequest(this.options.opening)));
  }

  // ------------------------------------------------------------------ CaseContext

  isOpen(): boolean {
    return this.engine !== null && this.engine.state === 'open' && this.channel.open;
  }

  sendFrame(frame: FrameSpec): void {
    if (!this.channel.open) return;
    const payload = frame.payload ?? EMPTY;
    const fin = frame.fin ?? true;
    const rsv = frame.rsv ?? 0;
    const { octets, mask } = encodeRawFrame(
      { opcode: frame.opcode, payload, fin, rsv, mask: frame.mask ?? (this.role === 'client' ? 'random' : null), payloadLengthOverride: frame.payloadLengthOverride, payloadRepeatLength: frame.payloadRepeatLength },
      this.maskSource,
    );
    countFrame(this.stats, 'tx', frame.opcode);
    this.log({
      kind: 'tx-frame',
      opcode: frame.opcode,
      fin,
      rsv,
      payloadLen: payload.length,
      mask,
      payloadRepeatLen: frame.payloadRepeatLength ?? null,
      chopSize: frame.chopSize ?? null,
      sync: frame.sync ?? false,
      payload,
    });
    for (const write of planWrites(octets, { chopSize: frame.chopSize, sync: frame.sync })) this.write(write.data, write.sync);
  }

  sendMessage(payload: Uint8Array, options: MessageOptions): void {
    if (!this.isOpen()) return;
    const data = this.deflate ? this.deflate.compress(payload) : payload;
    this.traffic.outgoingOctetsAppLevel += payload.length;
    this.traffic.outgoingOctetsWebSocketLevel += data.length;
    this.traffic.outgoingWebSocketMessages++;
    for (const frame of messageFrames(data, { binary: options.binary, fragmentSize: options.fragmentSize, compressed: this.deflate !== null })) {
      this.traffic.outgoingWebSocketFrames++;
      this.sendFrame(frame);
    }
  }

  sendClose(close: CloseSpec = {}): void {
    if (!this.isOpen()) return;
    const reason = close.reason ?? EMPTY;
    // As Autobahn's sendCloseFrame(): the code if there is one, then the reason if there is one.
    const payload = close.code === undefined ? reason : new Uint8Array([close.code >> 8, close.code & 0xff, ...reason]);
    this.engine!.sendRawClose(payload);
    this.weClosed(close.code ?? null, reason.length === 0 ? null : this.definition.localCloseReasonAsHex ? Buffer.from(reason).toString('hex') : lossyUtf8.decode(reason));
    this.pump();
  }

  beginFrame(header: FrameHeaderSpec): void {
    if (!this.isOpen()) return;
    const { octets, mask } = encodeRawFrame(
      { opcode: header.opcode, payload: EMPTY, fin: header.fin, rsv: 0, mask: this.role === 'client' ? 'random' : null, payloadLengthOverride: header.payloadLength },
      this.maskSource,
    );
    this.streaming = { mask, offset: 0 };
    this.write(octets, false);
  }

  sendFrameData(chunk: Uint8Array): void {
    if (!this.isOpen() || !this.streaming) return;
    // A copy: masking in place must not change the caller's bytes.
    const data = copyBytes(chunk);
    if (this.streaming.mask) applyMask(data, this.streaming.mask, this.streaming.offset);
    this.streaming.offset += data.length;
    this.write(data, false);
  }

  continueLater(seconds: number, step: () => void, tag?: string): void {
    this.log({ kind: 'delay', seconds, tag: tag ?? null });
    this.after(seconds, () => {
      if (!this.channel.open) return;
      this.log({ kind: 'delay-timeout', tag: tag ?? null });
      step();
      this.pump();
    });
  }

  closeAfter(seconds: number): void {
    this.log({ kind: 'close-connection-after', seconds });
    this.after(seconds, () => {
      if (!this.channel.open) return;
      this.log({ kind: 'closing-connection' });
      // Autobahn's sendClose(): a close frame without a status code, only while open.
      if (!this.isOpen()) return;
      this.engine!.sendClose(null);
      this.weClosed(null, null);
      this.pump();
    });
  }

  killAfter(seconds: number): void {
    this.log({ kind: 'kill-after', seconds });
    this.after(seconds, () => {
      if (!this.channel.open) return;
      this.log({ kind: 'failing-connection' });
      // Autobahn's failConnection() with failByDrop off: close 1001 while open, else drop.
      this.facts.failedByMe = true;
      if (this.isOpen()) {
        this.engine!.sendClose(1001, 'Going Away');
        this.weClosed(1001, 'Going Away');
        this.pump();
      } else {
        this.drop();
      }
    });
  }

  recordEvent(event: ObservedEvent): void {
    this.observed.push(event);
  }

  setBehavior(behavior: Behavior, result?: string): void {
    this.preset = { behavior, result: result ?? this.preset.result };
  }

  setWireLog(enabled: boolean, options: { marker: boolean }): void {
    this.wireLogEnabled = enabled;
    if (options.marker) this.wireLog.push({ kind: 'wirelog-mode', enabled });
  }

  deflateActive(): boolean {
    return this.deflate !== null;
  }

  captureTrafficStats(): void {
    this.capturedTraffic = { ...this.traffic };
  }

  // ------------------------------------------------------------------ opening handshake

  private sendUpgradeRequest(opening: { hostHeader: string; path: string }): void {
    const offers = (this.definition.deflate?.clientOffers ?? []).map(offerExtensionString);
    const headers: [string, string][] = [['User-Agent', USER_AGENT], ['Pragma', 'no-cache'], ['Cache-Control', 'no-cache']];
    if (offers.length) headers.push(['Sec-WebSocket-Extensions', offers.join(', ')]);
    const handshake = buildClientRequest({ host: opening.hostHeader, path: opening.path, headers });
    this.httpRequest = latin1(handshake.request);
    this.write(handshake.request, false);
    // Autobahn's 12.x/13.x take any well-formed permessage-deflate answer to any of the offers,
    // with the parameters it states (a server that leaves out server_no_context_takeover keeps
    // its context, and the case still runs): checked for syntax only, not against an offer.
    const offered: ExtensionElement | null = offers.length ? parseExtensionList(offers[0])[0] : null;
    this.awaitResponse = (head) => validateServerResponse(head, { ...handshake, offer: { subprotocols: [], deflate: offered } }, deflateResponseAsStated).deflate;
  }

  /** Client role: checks the server's response head; returns the deflate agreement or throws. */
  private awaitResponse: ((head: HttpHead) => DeflateParams | null) | null = null;

  private answerUpgradeRequest(opening: { head: HttpHead; requestBytes: Uint8Array; rest: Uint8Array }): void {
    // The request was read before this run began (to route it): log and count it as Autobahn
    // does every read, here as one.
    const request = Buffer.concat([opening.requestBytes, opening.rest]);
    countOctets(this.stats, 'rx', request.length);
    this.traffic.preopenIncomingOctetsWireLevel += request.length;
    this.log({ kind: 'rx-octets', data: request });
    this.httpRequest = latin1(opening.requestBytes);
    let params: DeflateParams | null = null;
    const extraHeaders: [string, string][] = [];
    const rules = this.definition.deflate?.serverAcceptRules;
    if (rules) {
      const acceptance = acceptDeflateOffer(rules, clientDeflateOffers(opening.head));
      if (acceptance) {
        extraHeaders.push(['Sec-WebSocket-Extensions', acceptanceExtensionString(acceptance)]);
        params = {
          serverNoContextTakeover: acceptance.offer.requestNoContextTakeover,
          serverMaxWindowBits: acceptance.offer.requestMaxWindowBits || 15,
          clientNoContextTakeover: acceptance.requestNoContextTakeover,
          clientMaxWindowBits: acceptance.requestMaxWindowBits || 15,
        };
      }
    }
    const answer = acceptClientRequest(opening.head, { deflate: false, headers: extraHeaders });
    this.httpResponse = latin1(answer.response);
    this.write(answer.response, false);
    if (!answer.ok) {
      this.notClean(`opening handshake refused: ${answer.error.message}`);
      this.channel.end();
      this.facts.droppedByMe = true;
      return;
    }
    this.open(params, opening.rest);
  }

  private open(params: DeflateParams | null, rest: Uint8Array): void {
    // Level 1: the peer inflates any level and no verdict depends on ours, so spend less CPU on
    // the 12.x/13.x bulk traffic.
    this.deflate = params ? new PerMessageDeflate(params, this.role, nodeDeflateCodec, { level: 1 }) : null;
    this.engine = new Connection({ role: this.role, deflate: this.deflate, frameEvents: true, closeReply: 'normal', maskKey: this.maskSource, pauseAfterMessage: true, minimalLengths: true, validCloseCode: autobahnAcceptsCloseCode });
    this.afterFailure = new AfterFailureReader({ isServer: this.role === 'server', deflate: this.deflate !== null });
    this.connectionWasOpen = true;
    this.openedAt = this.channel.now();
    this.handlers = this.definition.start(this);
    this.pump();
    if (rest.length) this.receive(rest, copyBytes(rest));
  }

  // ------------------------------------------------------------------ receiving

  private onData(bytes: Uint8Array): void {
    countOctets(this.stats, 'rx', bytes.length);
    if (this.connectionWasOpen) this.traffic.incomingOctetsWireLevel += bytes.length;
    else this.traffic.preopenIncomingOctetsWireLevel += bytes.length;
    // A copy (a socket's Buffer#slice would be a view): the engine unmasks client frames in place,
    // and the log must show the octets as they came.
    const asReceived = this.wireLogEnabled ? copyBytes(bytes) : null;
    this.log({ kind: 'rx-octets', data: asReceived ?? EMPTY });
    if (this.engine) {
      this.receive(bytes, asReceived);
      return;
    }
    if (!this.awaitResponse) return;
    this.handshakeBytes.push(bytes);
    const data = Buffer.concat(this.handshakeBytes);
    let head: HttpHead | null;
    let params: DeflateParams | null;
    try {
      head = parseHttpHead(data, defaultHeadLimits);
      if (!head) return;
      this.httpResponse = latin1(data.subarray(0, head.length));
      params = this.awaitResponse(head);
    } catch (error) {
      if (!(error instanceof HandshakeError)) throw error;
      this.notClean(`opening handshake failed: ${error.message}`);
      this.drop();
      return;
    }
    this.handshakeBytes = [];
    this.open(params, data.subarray(head.length));
  }

  /**
   * The peer's octets to the engine, and to the reader beside it first (`asReceived`, a copy when
   * the wire log needs one, for the frames it logs: the engine unmasks in place).
   */
  private receive(bytes: Uint8Array, asReceived: Uint8Array | null): void {
    const seen = this.afterFailure?.push(asReceived ?? bytes);
    if (seen?.length) this.afterFailureSaw(seen);
    this.engine!.receiveData(bytes);
    this.pump();
  }

  private pumping = false;
  private pumpAgain = false;

  /** The engine's close after data that did not inflate is not sent: see inflateFailed(). */
  private engineOutputDropped = false;
  /** The engine's output not written yet: each frame goes out at its 'frame-sent' event. */
  private engineOutput: Uint8Array[] = [];
  /** The engine failed the connection while open: the reader takes over once its close is out. */
  private takeOverDue: ProtocolError | null = null;

  /**
   * Handles the engine's events and writes its output, until it has nothing more to say (it
   * pauses after each message so a case reacts before later bytes are parsed). Each frame the
   * engine sends is written at its 'frame-sent' event, as one write after its TX FRAME line (as
   * Autobahn logs and sends a frame), in order with what the case sends from its handlers. A case
   * that sends from a handler re-enters here: that is folded into the running loop.
   */
  private pump(): void {
    const engine = this.engine;
    if (!engine) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        // Events first: the output then holds exactly the frames these 'frame-sent' events name.
        const events = engine.events();
        this.engineOutput = engine.dataToSend().slice();
        for (const event of events) this.handle(event);
        for (const bytes of this.engineOutput.splice(0)) this.write(bytes, false);
        const failed = this.takeOverDue;
        if (failed && this.afterFailure) {
          this.takeOverDue = null;
          this.readingAfterFailure = true;
          this.afterFailureSaw(this.afterFailure.takeOver(failed));
        }
        if (engine.transportCloseRequested && !this.readingAfterFailure && this.channel.open && !this.facts.droppedByMe) {
          // A server drops TCP once the closing handshake is done (after failing: once answered).
          this.facts.droppedByMe = true;
          this.channel.end();
        }
        if (events.length) this.pumpAgain = true;
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /** The engine's encoding of a frame with this payload, taken from its output as one write. */
  private takeEngineFrame(payloadLength: number, masked: boolean): Uint8Array {
    let size = 2 + (payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8) + (masked ? 4 : 0) + payloadLength;
    const parts: Uint8Array[] = [];
    while (size > 0 && this.engineOutput.length) {
      const part = this.engineOutput.shift()!;
      parts.push(part);
      size -= part.length;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private handle(event: ConnectionEvent): void {
    switch (event.type) {
      case 'frame-received': {
        const f = event.frame;
        this.afterFailure?.delivered(f.payload);
        this.frameReceived({ opcode: f.opcode, fin: f.fin, rsv: f.rsv, payloadLen: f.payload.length, masked: f.masked, mask: f.mask, payload: f.payload });
        if (!isControlOpcode(f.opcode)) {
          this.traffic.incomingWebSocketFrames++;
          this.traffic.incomingOctetsWebSocketLevel += f.payload.length;
        }
        break;
      }
      case 'frame-sent': {
        if (this.engineOutputDropped) break;
        const f = event.frame;
        countFrame(this.stats, 'tx', f.opcode);
        this.log({ kind: 'tx-frame', opcode: f.opcode, fin: f.fin, rsv: f.rsv, payloadLen: f.payload.length, mask: f.mask, payloadRepeatLen: null, chopSize: null, sync: false, payload: f.payload });
        this.write(this.takeEngineFrame(f.payload.length, f.masked), false);
        break;
      }
      case 'message':
        this.traffic.incomingOctetsAppLevel += event.data.length;
        this.traffic.incomingWebSocketMessages++;
        if (this.handlers.onMessage) {
          this.handlers.onMessage(event.data, event.binary);
          this.pump();
        } else {
          this.observed.push({ type: 'message', payload: event.data, binary: event.binary });
          this.closeWhenDone();
        }
        break;
      case 'pong':
        this.observed.push({ type: 'pong', payload: event.data });
        this.closeWhenDone();
        break;
      case 'ping':
        // Answered by the engine while open; Autobahn does not record pings.
        break;
      case 'close-received':
        // Nothing after a close frame is read (the engine stops, and so does the reader beside it).
        this.afterFailure = null;
        if (!this.facts.closedByMe) {
          // The engine answered with 1000 and no reason, as Autobahn's fuzzer does.
          this.facts.localCloseCode = 1000;
        }
        // Autobahn keeps a reason only when the payload has one (more than the code): else None.
        this.closeFrameReceived(event.code, event.reason === '' ? null : event.reason);
        break;
      case 'failed':
        if (event.error.code === 'WSW_ERR_INVALID_COMPRESSED_DATA') {
          this.inflateFailed(event.error);
          break;
        }
        this.facts.failedByMe = true;
        if (this.facts.closedByMe) {
          // Broken while closing (e.g. an invalid code in the close reply): Autobahn's
          // failConnection() then drops TCP at once.
          this.droppedForViolation(event.error.message);
        } else if (this.facts.localCloseCode === null) {
          // The peer broke the protocol: the engine sent a close frame with the code (1002, 1007,
          // 1009), and Autobahn reads on for the reply.
          this.weClosed(event.error.closeCode, event.error.message);
          this.takeOverDue = event.error;
        }
        break;
      case 'closed':
        this.finish();
        break;
    }
  }

  /** A frame read to its end, by the engine or after its failure: log and count it. */
  private frameReceived(frame: RxFrameFields): void {
    countFrame(this.stats, 'rx', frame.opcode);
    this.log({ kind: 'rx-frame', ...frame });
    // Autobahn records the peer's close code before it checks it: a server answering 7.9.x's
    // close 1004 with 1004 has sent the wrong code (WRONG CODE), not none.
    if (frame.opcode === Opcode.Close && frame.payload.length >= 2) this.facts.remoteCloseCode = (frame.payload[0] << 8) | frame.payload[1];
  }

  /** What the reader saw after the engine failed the connection (see AfterFailureReader). */
  private afterFailureSaw(seen: AfterFailure[]): void {
    for (const item of seen) {
      switch (item.type) {
        case 'frame':
          this.frameReceived(item.frame);
          break;
        case 'pong':
          this.observed.push({ type: 'pong', payload: item.payload });
          break;
        case 'close':
          this.readingAfterFailure = false;
          this.closeFrameReceived(item.code, item.reason);
          // A server drops TCP once answered; a client waits for the server to.
          if (this.role === 'server') this.drop();
          break;
        case 'violation':
          this.readingAfterFailure = false;
          // After the reply (a client reads on until the server drops TCP) the handshake stays
          // clean: Autobahn only drops the connection.
          if (this.facts.wasClean) this.drop();
          else this.droppedForViolation(item.reason);
          break;
      }
    }
  }

  private closeWhenDone(): void {
    const code = closeCodeWhenDone(this.definition, this.observed);
    if (code !== null) this.sendClose({ code });
  }

  // ------------------------------------------------------------------ closing

  /** We sent the first close frame: record it and wait (a while) for the answer. */
  private weClosed(code: number | null, reason: string | null): void {
    this.facts.closedByMe = true;
    this.facts.localCloseCode = code;
    this.facts.localCloseReason = reason;
    this.closeHandshakeTimer = this.after(CLOSE_HANDSHAKE_TIMEOUT, () => {
      if (!this.channel.open || this.facts.remoteCloseCode !== null || this.facts.wasClean) return;
      this.notClean('peer did not respond (in time) in closing handshake');
      this.facts.wasCloseHandshakeTimeout = true;
      this.drop();
    });
  }

  /** The peer's close frame, as the first or as the reply: Autobahn counts the handshake clean from here. */
  private closeFrameReceived(code: number | null, reason: string | null): void {
    this.facts.remoteCloseCode = code;
    this.facts.remoteCloseReason = reason;
    this.facts.wasClean = true;
    this.closeHandshakeTimer?.();
    if (this.role === 'client') {
      this.after(SERVER_DROP_TIMEOUT, () => {
        if (!this.channel.open) return;
        this.notClean('server did not drop TCP connection (in time)');
        this.facts.wasServerConnectionDropTimeout = true;
        this.drop();
      });
    }
  }

  /**
   * permessage-deflate data that does not inflate: Autobahn's inflater (Python's zlib) raises in
   * the middle of its data handler, and Twisted drops the connection: no close frame, not failed
   * by it, not closed by it (so a case that expected to close reports the wrong endpoint).
   */
  private inflateFailed(error: ProtocolError): void {
    this.engineOutputDropped = true;
    this.notClean(`${error.message}: Autobahn's inflater raises here and the connection is dropped without a close frame`);
    this.drop();
  }

  /** A violation while closing: Autobahn's failConnection() then drops TCP at once. */
  private droppedForViolation(reason: string): void {
    if (!this.channel.open) return;
    this.notClean(`protocol violation while closing: ${reason}`);
    this.drop();
  }

  private notClean(reason: string): void {
    this.facts.wasClean = false;
    this.facts.wasNotCleanReason = reason;
  }

  private drop(): void {
    if (!this.channel.open) return;
    this.facts.droppedByMe = true;
    this.channel.destroy();
  }

  private onTcpClosed(byPeer: boolean): void {
    this.log({ kind: byPeer && !this.facts.droppedByMe ? 'tcp-dropped-by-peer' : 'tcp-dropped-by-me' });
    if (this.engine) {
      this.engine.receiveEof();
      this.pump();
    } else {
      this.finish();
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    if (this.channel.open) this.channel.destroy();
    const facts = this.facts;
    if (!facts.wasClean && !facts.droppedByMe && facts.wasNotCleanReason === null) {
      facts.wasNotCleanReason = 'peer dropped the TCP connection without previous WebSocket closing handshake';
    }
    const judged = judgeCase(this.definition, {
      observed: this.observed,
      preset: this.preset,
      connectionWasOpen: this.connectionWasOpen,
      closeFacts: facts,
      stats: this.stats,
    });
    const verdict = this.runnerError ? { ...judged, behavior: 'FAILED' as const, result: this.runnerError } : judged;
    const { agent } = this.options;
    this.resolve({
      agent,
      caseId: this.definition.id,
      caseNumber: this.options.caseNumber ?? caseNumber(this.definition.id),
      description: this.definition.description,
      expectation: this.definition.expectation,
      expected: this.definition.expected,
      expectedClose: this.definition.expectedClose,
      observed: this.observed,
      ...verdict,
      closeFacts: { ...facts },
      httpRequest: this.httpRequest,
      httpResponse: this.httpResponse,
      stats: this.stats,
      wireLog: this.wireLog,
      started: this.started.toISOString(),
      // From the open, as Autobahn times it; a case that never opened, from the attempt.
      durationMs: Math.round(this.channel.now() - (this.openedAt ?? this.t0)),
      reportfile: reportFileName(agent, this.definition.id, 'json'),
      reportTime: this.definition.reportTime,
      reportCompressionRatio: this.definition.reportCompressionRatio,
      trafficStats: this.capturedTraffic ?? undefined,
    });
  }

  // ------------------------------------------------------------------ plumbing

  private write(bytes: Uint8Array, sync: boolean): void {
    if (!this.channel.open) return;
    if (this.connectionWasOpen) this.traffic.outgoingOctetsWireLevel += bytes.length;
    else this.traffic.preopenOutgoingOctetsWireLevel += bytes.length;
    this.channel.write(bytes, sync, () => {
      countOctets(this.stats, 'tx', bytes.length);
      this.log({ kind: 'tx-octets', data: bytes, sync });
    });
  }

  /** Octets and frames only while the wire log is on; Autobahn logs its timers and the TCP drop always. */
  private log(entry: WireLogEntry): void {
    if (this.wireLogEnabled || !TRAFFIC_ENTRIES.has(entry.kind)) this.wireLog.push(entry);
  }

  /** A timer that dies with the case; returns its cancel function. */
  private after(seconds: number, fn: () => void): () => void {
    const cancel = this.channel.setTimer(seconds * 1000 * this.scale, () => {
      this.timers.delete(cancel);
      this.guard(fn);
    });
    this.timers.add(cancel);
    return cancel;
  }

  /**
   * A fault in a case script or in the runner must not take the process down or hang the run:
   * it fails the case with the error as its result and drops the connection.
   */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.runnerError ??= `Runner error: ${(error as Error).message}`;
      this.notClean(`runner error: ${(error as Error).message}`);
      if (this.channel.open) this.drop();
      else this.finish();
    }
  }
}

/** The permessage-deflate offers in a client's request, in Autobahn's terms (invalid ones skipped). */
function clientDeflateOffers(head: HttpHead): DeflateOffer[] {
  const header = headerValues(head.headers, 'sec-websocket-extensions').join(', ');
  if (!header.trim()) return [];
  const offers: DeflateOffer[] = [];
  for (const element of parseExtensionList(header)) {
    if (element.name !== 'permessage-deflate') continue;
    const params = new Map(element.params);
    const bits = params.get('server_max_window_bits');
    const requestMaxWindowBits = bits === undefined ? 0 : Number(bits);
    if (bits !== undefined && !(requestMaxWindowBits >= 8 && requestMaxWindowBits <= 15)) continue;
    offers.push({
      acceptNoContextTakeover: params.has('client_no_context_takeover'),
      acceptMaxWindowBits: params.has('client_max_window_bits'),
      requestNoContextTakeover: params.has('server_no_context_takeover'),
      requestMaxWindowBits,
    });
  }
  return offers;
}
