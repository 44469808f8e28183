/**
 * One conformance case as data plus a small script: Autobahn|Testsuite's `Case` subclass split
 * into what is fixed (texts, expected events, expected closing) and what runs (`start`, Autobahn's
 * `onOpen`, and its reactions). How the runner drives a definition:
 *
 * 1. Opening handshake; offer/accept permessage-deflate only when `deflate` is set.
 * 2. `start(ctx)` once the connection is open; keep the returned handlers.
 * 3. While the case runs: answer pings with pongs while open (not recorded, as in Autobahn);
 *    record each pong, and each message when there is no `onMessage` handler, as an observed
 *    event, then send the close `closeCodeWhenDone()` asks for (if any).
 * 4. Closing as Autobahn 0.10.9 does with the fuzzer's options: answer the peer's close with
 *    1000 and no reason (no echo); fail on protocol errors with a close frame, not a TCP drop
 *    (failByDrop off); close-handshake timeout 1 s; as a client, wait 1 s for the server to drop
 *    TCP, then drop it (wasClean = false); opening-handshake timeout 5 s.
 * 5. When the TCP connection is gone: `judgeCase()` gives the verdicts.
 */
import type { CaseContext, CaseHandlers } from './context';
import type { DeflateSetup } from './deflate';
import type { Behavior, BehaviorClose, CloseFacts, ExpectationKey, ObservedEvent, WireStats } from './result';

/** Expected event lists per outcome key. Empty (`{}`) for cases that set their verdict themselves. */
export type ExpectedEvents = Partial<Record<ExpectationKey, readonly ObservedEvent[]>>;

/** Autobahn's `expectedClose`, with its field names (they appear in the per-case JSON). */
export interface ExpectedClose {
  /** Should the test runner be the one that sends the first close frame? */
  closedByMe: boolean;
  /** Acceptable close codes from the peer. The first is also the code we close with when done. */
  closeCode: readonly number[];
  /** Must the closing handshake complete cleanly (wasClean)? */
  requireClean: boolean;
  /** UTF-8 cases: the peer not failing the connection means it never noticed the bad UTF-8, so the case FAILS. */
  closedByWrongEndpointIsFatal?: boolean;
}

/** The four outcomes the report shows: behaviour and closing behaviour, each with its sentence. */
export interface CaseVerdict {
  behavior: Behavior;
  result: string;
  behaviorClose: BehaviorClose;
  resultClose: string;
}

/** What the runner knows once the TCP connection is gone. */
export interface RunFacts {
  /** Events recorded while the case ran, in order. */
  observed: readonly ObservedEvent[];
  /** The last `setBehavior()` values, or the initial FAILED verdict. */
  preset: { behavior: Behavior; result: string };
  /** Did the opening handshake complete? */
  connectionWasOpen: boolean;
  closeFacts: CloseFacts;
  stats: WireStats;
}

/** A case's own last word on its verdict, applied after the generic judgement (Autobahn's `onConnectionLost` overrides). */
export type VerdictAdjustment = (verdict: CaseVerdict, facts: RunFacts) => CaseVerdict;

export interface CaseDefinition {
  /** Autobahn's case id, e.g. "6.4.3". */
  readonly id: string;
  /** Autobahn's DESCRIPTION, verbatim (may hold HTML such as `<b>` and `<br>`, and newlines). */
  readonly description: string;
  /** Autobahn's EXPECTATION, verbatim. */
  readonly expectation: string;
  readonly expected: ExpectedEvents;
  readonly expectedClose: ExpectedClose;
  /** Never close automatically when the expected events arrived: the case sends its own close (7.x). */
  readonly suppressClose: boolean;
  /** Report the duration (9.x, 12.x, 13.x). */
  readonly reportTime: boolean;
  /** Report the compression ratio (12.x, 13.x). */
  readonly reportCompressionRatio: boolean;
  /** 7.5.1 sends an invalid UTF-8 close reason, so the report shows our local close reason as hex. */
  readonly localCloseReasonAsHex: boolean;
  /** permessage-deflate negotiation (12.x and 13.x only); absent: offer and accept no extension. */
  readonly deflate?: DeflateSetup;
  /** Autobahn's `onOpen`: act on the peer. Returns the handlers of cases that react. */
  start(ctx: CaseContext): CaseHandlers;
  readonly adjustVerdict?: VerdictAdjustment;
}
