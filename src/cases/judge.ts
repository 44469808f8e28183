/**
 * The pure judge: Autobahn|Testsuite's `Case.onConnectionLost` and `Case.finishWhenDone`
 * (autobahntestsuite/case/case.py), with its rules, order of checks and sentences.
 */
import { bytesEqual } from './bytes';
import type { CaseDefinition, CaseVerdict, ExpectedClose, ExpectedEvents, RunFacts } from './definition';
import type { Behavior, BehaviorClose, CloseFacts, ExpectationKey, ObservedEvent } from './result';

/** The verdict a case starts with, before its events are compared. */
export const INITIAL_BEHAVIOR: { behavior: Behavior; result: string } = {
  behavior: 'FAILED',
  result: 'Actual events differ from any expected.',
};

const EVENTS_MATCH = 'Actual events match at least one expected.';

/** Autobahn compares pickles, so events are equal when type, payload octets and flags are. */
function sameEvent(a: ObservedEvent, b: ObservedEvent): boolean {
  switch (a.type) {
    case 'message':
      return b.type === 'message' && a.binary === b.binary && bytesEqual(a.payload, b.payload);
    case 'ping':
    case 'pong':
      return b.type === a.type && bytesEqual(a.payload, b.payload);
    case 'timeout':
      return b.type === 'timeout' && a.tag === b.tag;
  }
}

function sameEvents(a: readonly ObservedEvent[], b: readonly ObservedEvent[]): boolean {
  return a.length === b.length && a.every((event, i) => sameEvent(event, b[i]));
}

/** Outcome keys in the order the case listed them (Autobahn iterates its dict; the first match wins). */
function expectationKeys(expected: ExpectedEvents): ExpectationKey[] {
  return Object.keys(expected) as ExpectationKey[];
}

/**
 * The behaviour verdict: the first outcome key whose expected events equal the observed ones,
 * otherwise the verdict the case preset (FAILED unless it called `setBehavior`).
 */
export function judgeBehavior(
  observed: readonly ObservedEvent[],
  expected: ExpectedEvents,
  preset: { behavior: Behavior; result: string } = INITIAL_BEHAVIOR,
): { behavior: Behavior; result: string } {
  for (const key of expectationKeys(expected)) {
    if (sameEvents(observed, expected[key] ?? [])) return { behavior: key, result: EVENTS_MATCH };
  }
  return preset;
}

/**
 * The closing-behaviour verdict, checks in Autobahn's order: wrong endpoint closed, unclean
 * when clean was required, unexpected close code from the peer, we (a client) had to drop TCP.
 */
export function judgeBehaviorClose(
  expectedClose: ExpectedClose,
  facts: CloseFacts,
  connectionWasOpen: boolean,
): { behaviorClose: BehaviorClose; resultClose: string } {
  const verdict = (behaviorClose: BehaviorClose, resultClose: string) => ({ behaviorClose, resultClose });
  if (!connectionWasOpen) return verdict('FAILED', 'The WebSocket opening handshake was never completed!');
  if (expectedClose.closedByMe !== facts.closedByMe) {
    return verdict('FAILED', 'The connection was failed by the wrong endpoint');
  }
  if (expectedClose.requireClean && !facts.wasClean) {
    return verdict('UNCLEAN', 'The spec requires the connection to be failed cleanly here');
  }
  if (facts.remoteCloseCode !== null && !expectedClose.closeCode.includes(facts.remoteCloseCode)) {
    return verdict('WRONG CODE', `The close code should have been ${expectedClose.closeCode.join(',')} or empty`);
  }
  if (!facts.isServer && facts.droppedByMe) {
    return verdict('FAILED BY CLIENT', 'It is preferred that the server close the TCP connection');
  }
  return verdict('OK', 'Connection was properly closed');
}

/** Everything Autobahn decides when the connection is lost, in its order, then the case's own adjustment. */
export function judgeCase(definition: CaseDefinition, facts: RunFacts): CaseVerdict {
  const { behavior, result } = judgeBehavior(facts.observed, definition.expected, facts.preset);
  const closing = judgeBehaviorClose(definition.expectedClose, facts.closeFacts, facts.connectionWasOpen);
  const peerMissedBadUtf8 =
    facts.connectionWasOpen &&
    definition.expectedClose.closedByWrongEndpointIsFatal === true &&
    definition.expectedClose.closedByMe !== facts.closeFacts.closedByMe;
  // Autobahn changes only the verdict here, not the sentence.
  const verdict: CaseVerdict = { behavior: peerMissedBadUtf8 ? 'FAILED' : behavior, result, ...closing };
  return definition.adjustVerdict ? definition.adjustVerdict(verdict, facts) : verdict;
}

/**
 * Autobahn's `finishWhenDone`, called after each recorded message or pong: the close code to
 * send now, or null. It requires every expected list to match (not just one, despite Autobahn's
 * comment), so an empty `expected` matches vacuously.
 */
export function closeCodeWhenDone(definition: CaseDefinition, observed: readonly ObservedEvent[]): number | null {
  const { expected, expectedClose } = definition;
  const allMatch = expectationKeys(expected).every((key) => sameEvents(observed, expected[key] ?? []));
  if (!allMatch || !expectedClose.closedByMe || definition.suppressClose) return null;
  return expectedClose.closeCode[0];
}
