import { INITIAL_BEHAVIOR } from '../cases/judge';
import type { Behavior, BehaviorClose, CaseResult } from '../cases/result';
import { expectedRepr, observedRepr } from './python-repr';

export type VerdictWord = 'Pass' | 'Non-Strict' | 'Informational' | 'Fail';

/**
 * The word in a case report's title, by Autobahn's rule (createAgentCaseReportHTML in
 * autobahntestsuite/fuzzing.py): `behavior` alone decides, so a case passes even when its closing
 * behaviour was UNCLEAN (the seed report is one), and UNIMPLEMENTED reads "Fail" like FAILED.
 */
export function verdictWord(behavior: Behavior): VerdictWord {
  switch (behavior) {
    case 'OK':
      return 'Pass';
    case 'NON-STRICT':
      return 'Non-Strict';
    case 'INFORMATIONAL':
      return 'Informational';
    default:
      return 'Fail';
  }
}

/**
 * Does this case count as a failure for CI (the exit status of `wsw test-server` and
 * `wsw test-client`, and JUnit)? Yes when its behaviour is FAILED, or its closing behaviour is
 * FAILED (the wrong endpoint closed, or the opening handshake never completed). UNIMPLEMENTED (an
 * optional feature such as permessage-deflate is missing), NON-STRICT, INFORMATIONAL, WRONG CODE,
 * UNCLEAN and FAILED BY CLIENT are reported, and do not fail the run.
 */
export function isCaseFailure(result: { behavior: Behavior; behaviorClose: BehaviorClose }): boolean {
  return result.behavior === 'FAILED' || result.behaviorClose === 'FAILED';
}

/**
 * Why a case went wrong, in a few lines for a terminal or a CI log (its report has the whole
 * story): the behaviour's sentence, with the events expected and seen when they decided it; the
 * close we failed the connection with, whose reason names the peer's fault; and what was wrong
 * with the closing. Empty for a case that passed on both counts.
 */
export function failureReasons(result: CaseResult, width = 160): string[] {
  const lines: string[] = [];
  if (result.behavior === 'FAILED') {
    lines.push(`behaviour FAILED: ${result.result}`);
    if (result.result === INITIAL_BEHAVIOR.result) lines.push(`  expected ${expectedRepr(result.expected)}`, `  observed ${observedRepr(result.observed)}`);
  }
  const facts = result.closeFacts;
  if ((result.behavior === 'FAILED' || result.behaviorClose !== 'OK') && facts.failedByMe && facts.localCloseCode !== null) {
    lines.push(`we failed the connection: ${facts.localCloseCode}${facts.localCloseReason ? ` ${facts.localCloseReason}` : ''}`);
  }
  if (result.behaviorClose !== 'OK' && result.behaviorClose !== 'INFORMATIONAL') {
    lines.push(`closing ${result.behaviorClose}: ${result.resultClose}${facts.wasNotCleanReason ? ` (${facts.wasNotCleanReason})` : ''}`);
  }
  return lines.map((line) => (line.length > width ? `${line.slice(0, width - 3)}...` : line));
}

/** Colour classes (shared by the case pages and the index), named after Autobahn's. */
export type VerdictClass = 'case_ok' | 'case_almost' | 'case_non_strict' | 'case_info' | 'case_unimplemented' | 'case_failed' | 'case_missing';

export function behaviorClass(behavior: Behavior): VerdictClass {
  switch (behavior) {
    case 'OK':
      return 'case_ok';
    case 'NON-STRICT':
      return 'case_non_strict';
    case 'INFORMATIONAL':
      return 'case_info';
    case 'UNIMPLEMENTED':
      return 'case_unimplemented';
    default:
      return 'case_failed';
  }
}

/** The index's close column: Autobahn shows the peer's close code unless the close was unclean or failed. */
export function closeCell(behaviorClose: BehaviorClose, remoteCloseCode: number | null): { text: string; cssClass: VerdictClass } {
  const code = remoteCloseCode === null ? 'None' : String(remoteCloseCode);
  switch (behaviorClose) {
    case 'OK':
      return { text: code, cssClass: 'case_ok' };
    case 'FAILED BY CLIENT':
      return { text: code, cssClass: 'case_almost' };
    case 'WRONG CODE':
      return { text: code, cssClass: 'case_non_strict' };
    case 'INFORMATIONAL':
      return { text: code, cssClass: 'case_info' };
    case 'UNCLEAN':
      return { text: 'Unclean', cssClass: 'case_failed' };
    default:
      return { text: 'Fail', cssClass: 'case_failed' };
  }
}
