/**
 * The shared model of one conformance case's outcome: what the judge consumes and what the
 * reports render. Field names follow Autobahn|Testsuite's so index.json and the per-case
 * reports stay compatible with its tooling.
 */
import type { RxFrameFields, TxFrameFields, WireCounters } from '../wire';
import type { ExpectedClose } from './definition';

/** An event the fuzzer observed from the peer (Autobahn's `('message', payload, binary)` etc.). */
export type ObservedEvent =
  | { type: 'message'; payload: Uint8Array; binary: boolean }
  | { type: 'ping'; payload: Uint8Array }
  | { type: 'pong'; payload: Uint8Array }
  /** Autobahn's `('timeout', tag)`: a delay with a tag ran out (used by a few cases). */
  | { type: 'timeout'; tag: string };

/** Outcome keys a case lists expected events under, and the case verdict. */
export type Behavior = 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED';
export type ExpectationKey = Exclude<Behavior, 'FAILED'>;

/** Verdict on the closing handshake. */
export type BehaviorClose = 'OK' | 'WRONG CODE' | 'UNCLEAN' | 'FAILED BY CLIENT' | 'FAILED' | 'INFORMATIONAL';

/** Autobahn's closing facts, from the fuzzer's point of view ("me" is the test runner). */
export interface CloseFacts {
  isServer: boolean;
  closedByMe: boolean;
  failedByMe: boolean;
  droppedByMe: boolean;
  wasClean: boolean;
  wasNotCleanReason: string | null;
  wasServerConnectionDropTimeout: boolean;
  wasOpenHandshakeTimeout: boolean;
  wasCloseHandshakeTimeout: boolean;
  localCloseCode: number | null;
  localCloseReason: string | null;
  remoteCloseCode: number | null;
  remoteCloseReason: string | null;
}

/** The facts before anything happened (Autobahn's initial values). */
export function initialCloseFacts(isServer: boolean): CloseFacts {
  return {
    isServer,
    closedByMe: false,
    failedByMe: false,
    droppedByMe: false,
    wasClean: false,
    wasNotCleanReason: null,
    wasServerConnectionDropTimeout: false,
    wasOpenHandshakeTimeout: false,
    wasCloseHandshakeTimeout: false,
    localCloseCode: null,
    localCloseReason: null,
    remoteCloseCode: null,
    remoteCloseReason: null,
  };
}

/** One numbered line of the wire log, in the seed report's vocabulary. */
export type WireLogEntry =
  /** `sync`: the write went out on its own (chop size or SYNC); only the HTML colour differs. */
  | { kind: 'tx-octets'; data: Uint8Array; sync?: boolean }
  | { kind: 'rx-octets'; data: Uint8Array }
  | ({ kind: 'tx-frame' } & TxFrameFields)
  | ({ kind: 'rx-frame' } & RxFrameFields)
  | { kind: 'delay'; seconds: number; tag: string | null }
  | { kind: 'delay-timeout'; tag: string | null }
  | { kind: 'close-connection-after'; seconds: number }
  | { kind: 'kill-after'; seconds: number }
  /** The close-after timer fired with the connection still open (Autobahn's "CLOSING CONNECTION"). */
  | { kind: 'closing-connection' }
  /** The kill-after timer fired with the connection still open (Autobahn's "FAILING CONNECTION"). */
  | { kind: 'failing-connection' }
  /** Wire logging switched off or back on (9.x and 12.x do so for bulk traffic). */
  | { kind: 'wirelog-mode'; enabled: boolean }
  | { kind: 'tcp-dropped-by-peer' }
  | { kind: 'tcp-dropped-by-me' };

/** Counters behind the report's "Wire Statistics" tables (kept by src/wire, which the runner fills). */
export type WireStats = WireCounters;

/**
 * Autobahn's traffic statistics (12.x and 13.x capture them for their compression ratios), counted
 * as Autobahn counts them: octets on the wire while open (and before, "preopen"); data frame
 * payloads as sent (WebSocket level, compressed) and messages as the application has them (app
 * level); data frames and messages.
 */
export interface TrafficStats {
  outgoingOctetsWireLevel: number;
  outgoingOctetsWebSocketLevel: number;
  outgoingOctetsAppLevel: number;
  outgoingWebSocketFrames: number;
  outgoingWebSocketMessages: number;
  preopenOutgoingOctetsWireLevel: number;
  incomingOctetsWireLevel: number;
  incomingOctetsWebSocketLevel: number;
  incomingOctetsAppLevel: number;
  incomingWebSocketFrames: number;
  incomingWebSocketMessages: number;
  preopenIncomingOctetsWireLevel: number;
}

export function emptyTrafficStats(): TrafficStats {
  return {
    outgoingOctetsWireLevel: 0, outgoingOctetsWebSocketLevel: 0, outgoingOctetsAppLevel: 0, outgoingWebSocketFrames: 0, outgoingWebSocketMessages: 0, preopenOutgoingOctetsWireLevel: 0,
    incomingOctetsWireLevel: 0, incomingOctetsWebSocketLevel: 0, incomingOctetsAppLevel: 0, incomingWebSocketFrames: 0, incomingWebSocketMessages: 0, preopenIncomingOctetsWireLevel: 0,
  };
}

/** Compressed ÷ uncompressed size of the messages each way (Autobahn's ratios), null when none went that way. */
export function compressionRatios(stats: TrafficStats): { incoming: number | null; outgoing: number | null } {
  return {
    incoming: stats.incomingOctetsAppLevel > 0 ? stats.incomingOctetsWebSocketLevel / stats.incomingOctetsAppLevel : null,
    outgoing: stats.outgoingOctetsAppLevel > 0 ? stats.outgoingOctetsWebSocketLevel / stats.outgoingOctetsAppLevel : null,
  };
}

export interface CaseResult {
  agent: string;
  caseId: string;
  /** Autobahn's "case": see RunCaseOptions.caseNumber; null for a case outside the catalogue. */
  caseNumber: number | null;
  description: string;
  expectation: string;
  expected: Partial<Record<ExpectationKey, readonly ObservedEvent[]>>;
  expectedClose: ExpectedClose;
  observed: ObservedEvent[];
  behavior: Behavior;
  /** The judge's sentence for `behavior`, e.g. "Actual events match at least one expected." */
  result: string;
  behaviorClose: BehaviorClose;
  /** The judge's sentence for `behaviorClose`. */
  resultClose: string;
  closeFacts: CloseFacts;
  /** The opening handshake as sent and as received, as text (empty when none happened). */
  httpRequest: string;
  httpResponse: string;
  stats: WireStats;
  wireLog: WireLogEntry[];
  /** ISO 8601 start time and duration in whole milliseconds. */
  started: string;
  durationMs: number;
  /** File name of the per-case report, relative to the report folder. */
  reportfile: string;
  /** Whether Autobahn's summary shows the case's time, and its compression ratios (12.x, 13.x). */
  reportTime: boolean;
  reportCompressionRatio: boolean;
  /** Traffic captured by the case when it asked for it (12.x, 13.x). */
  trafficStats?: TrafficStats;
}
