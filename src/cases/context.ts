/**
 * What a case can do to the peer while it runs: the runner implements `CaseContext` over a real
 * connection (tests use a recording fake). The primitives are Autobahn|Testsuite's fuzzing
 * protocol's (`sendFrame`, `sendMessage`, `sendCloseFrame`, `continueLater`, `closeAfter`,
 * `killAfter`, autobahntestsuite/fuzzing.py and autobahn/websocket/protocol.py 0.10.9); each
 * method documents the Autobahn behaviour the runner must reproduce for the verdicts to match.
 *
 * "Open" below is Autobahn's STATE_OPEN: the opening handshake is done and no close frame has
 * been sent or received yet. "Closing" is after either; "closed" is after the TCP connection ended.
 */
import type { Behavior, ObservedEvent } from './result';

/** One frame with every knob of Autobahn's `sendFrame`. Nothing is validated. */
export interface FrameSpec {
  /** 0-15; reserved opcodes are sent as given. */
  opcode: number;
  /** Default: empty. */
  payload?: Uint8Array;
  /** Default: true. */
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (RSV1 = 4). Default: 0. */
  rsv?: number;
  /** A fixed masking key. Default: the runner's role default (client: a fresh random key; server: unmasked). */
  mask?: Uint8Array;
  /** Send `payload` repeated and cut to exactly this many octets (Autobahn's `payload_len`); the header tells the truth. */
  payloadRepeatLength?: number;
  /** Announce this length in the header whatever the payload is. No Autobahn case uses it; the composer does. */
  payloadLengthOverride?: number;
  /** Write the frame's octets in chunks of this many octets, each its own flushed write. */
  chopSize?: number;
  /** Write the frame on its own and flush before the next write. */
  sync?: boolean;
}

export interface MessageOptions {
  binary: boolean;
  /**
   * Split into frames of this many octets (Autobahn's `fragmentSize` / `autoFragmentSize`);
   * see `messageFrames()` for the exact frames, including Autobahn's trailing empty frame.
   */
  fragmentSize?: number;
}

export interface CloseSpec {
  /** Omitted: no status code, and a reason goes alone (Autobahn's 7.3.2 sends a 1-byte close payload so). */
  code?: number;
  /** Raw octets, sent as given: 7.5.1 sends invalid UTF-8 on purpose. */
  reason?: Uint8Array;
}

/** The header of a frame whose payload follows later in pieces (Autobahn's `beginMessageFrame`). */
export interface FrameHeaderSpec {
  opcode: number;
  fin: boolean;
  /** The full payload length announced in the header; `sendFrameData` then supplies exactly that many octets. */
  payloadLength: number;
}

export interface CaseContext {
  /** True while open (Autobahn checks `state == STATE_OPEN` before each later step of 6.4.x). */
  isOpen(): boolean;

  /**
   * Encode and write one frame. Written whatever the WebSocket state (7.1.x send frames after
   * their close frame on purpose); only writes after the TCP connection ended are dropped.
   * Logged as a TX FRAME line with all knobs, and counted in the transmitted-frames statistics.
   */
  sendFrame(frame: FrameSpec): void;

  /**
   * Send a whole message, only while open (otherwise nothing happens). It is compressed with
   * permessage-deflate when the handshake negotiated it (only 12.x and 13.x offer it), then framed
   * as `messageFrames()` describes; each frame goes out like `sendFrame`.
   */
  sendMessage(payload: Uint8Array, options: MessageOptions): void;

  /**
   * Start the closing handshake (Autobahn's `sendCloseFrame`), only while open: send a close frame
   * with the code as 2 octets (if any) followed by the reason octets (if any), unvalidated
   * (7.9.x send codes such as 0 or 999 on purpose). Record closedByMe, localCloseCode and
   * localCloseReason, move to closing and arm the close-handshake timeout.
   */
  sendClose(close?: CloseSpec): void;

  /**
   * Write only a frame header, for a frame whose payload is streamed with `sendFrameData`
   * (6.4.3/6.4.4 pause inside one frame). Only while open. The masking key is drawn here and
   * used for all of the frame's data. Like Autobahn, the header is logged as TX OCTETS only:
   * no TX FRAME line and no frame statistics for it.
   */
  beginFrame(header: FrameHeaderSpec): void;

  /** The next octets of the frame begun by `beginFrame`, masked with its key. Only while open. */
  sendFrameData(chunk: Uint8Array): void;

  /**
   * Run `step` after `seconds` (wire log: DELAY ... for TAG). When the timer fires and the TCP
   * connection is still up, log DELAY TIMEOUT on TAG and run it; otherwise skip it.
   */
  continueLater(seconds: number, step: () => void, tag?: string): void;

  /**
   * After `seconds`, if the TCP connection is still up: log it and start the closing handshake
   * with a close frame without status code (Autobahn's `sendClose()`, a no-op unless open).
   */
  closeAfter(seconds: number): void;

  /**
   * After `seconds`, if the TCP connection is still up: fail the connection as Autobahn's
   * `failConnection()` does with failByDrop off: failedByMe = true, then while open send close
   * 1001 "Going Away" (closedByMe), or when already closing drop the TCP connection.
   */
  killAfter(seconds: number): void;

  /**
   * Add an event to the observed list without reacting to it (6.4.x record their own timeouts).
   * Unlike received messages and pongs, this does not trigger the automatic close.
   */
  recordEvent(event: ObservedEvent): void;

  /**
   * Set the verdict the case reports unless its observed events match an expected list
   * (Autobahn cases assign `self.behavior` / `self.result`). `result` omitted keeps the current
   * sentence. Before any call the verdict is FAILED, "Actual events differ from any expected.".
   */
  setBehavior(behavior: Behavior, result?: string): void;

  /**
   * Switch the wire log off or on (9.x, 12.x and 13.x log only the handshake and the end).
   * With `marker`, the log records the switch itself (Autobahn's `enableWirelog`, shown as
   * WIRELOG ENABLED/DISABLED); without it the flag just flips (`createWirelog = ...`).
   */
  setWireLog(enabled: boolean, options: { marker: boolean }): void;

  /** Did the opening handshake negotiate permessage-deflate? (12.x/13.x report UNIMPLEMENTED if not.) */
  deflateActive(): boolean;

  /** Keep a copy of the connection's traffic statistics now, for the compression ratio in the report. */
  captureTrafficStats(): void;
}

/** Handlers for cases that react to what the peer sends (9.x, 12.x, 13.x send the next message on each echo). */
export interface CaseHandlers {
  /**
   * Replaces the default handling of a received message. The default (no handler) records it as
   * an observed event and then applies `closeCodeWhenDone()`; a handler does neither.
   */
  onMessage?(payload: Uint8Array, binary: boolean): void;
}
