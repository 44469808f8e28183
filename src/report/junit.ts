/**
 * JUnit XML: one <testsuite> per agent, one <testcase> per case, in catalogue order.
 *
 * A case fails by the same rule as the CLI's exit status (isCaseFailure): behavior FAILED, or
 * behaviorClose FAILED. Everything else passes, with both verdicts in <system-out>.
 */
import type { CaseResult } from '../cases/result';
import { compareCaseIds } from '../cases/select';
import { closingSentence } from './case-text';
import { reportFileName } from './file-name';
import { failureReasons, isCaseFailure } from './verdict';

/** A testcase fails by the CLI's rule (see isCaseFailure). */
export function isJUnitFailure(result: CaseResult): boolean {
  return isCaseFailure(result);
}

export function renderJUnit(results: CaseResult[]): string {
  const agents = [...new Set(results.map((result) => result.agent))].sort();
  const suites = agents.map((agent) => {
    const cases = results.filter((result) => result.agent === agent).sort((a, b) => compareCaseIds(a.caseId, b.caseId));
    return testSuite(agent, cases);
  });
  const failures = results.filter(isJUnitFailure).length;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="WebSocket Workbench" tests="${results.length}" failures="${failures}" time="${seconds(totalMs(results))}">\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}

function testSuite(agent: string, cases: CaseResult[]): string {
  const failures = cases.filter(isJUnitFailure).length;
  return (
    `  <testsuite name="${xml(agent)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${seconds(totalMs(cases))}">\n` +
    cases.map(testCase).join('') +
    '  </testsuite>\n'
  );
}

function testCase(result: CaseResult): string {
  // The message is the sentence of the verdict that failed: the behaviour's, else the closing's.
  const message = result.behavior === 'FAILED' ? result.result : result.resultClose;
  const failure = isJUnitFailure(result)
    ? `      <failure type="${xml(`${result.behavior} / ${result.behaviorClose}`)}" message="${xml(message)}">${xml(failureReasons(result, 1000).join('\n'))}</failure>\n`
    : '';
  const out = `behavior: ${result.behavior}\nclosing: ${closingSentence(result)}\nreport: ${reportFileName(result.agent, result.caseId, 'html')}`;
  // CI tools read a classname's dots as packages: an agent such as 127.0.0.1:9001 keeps none.
  return (
    `    <testcase classname="${xml(result.agent.replace(/\./g, '_'))}" name="Case ${xml(result.caseId)}" time="${seconds(result.durationMs)}">\n` +
    failure +
    `      <system-out>${xml(out)}</system-out>\n` +
    '    </testcase>\n'
  );
}

function totalMs(results: CaseResult[]): number {
  return results.reduce((sum, result) => sum + result.durationMs, 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Escapes text for XML content and attributes; see xmlChars for what XML cannot carry. */
export function xml(text: string): string {
  return xmlChars(text).replace(/[&<>"']/g, (char) => XML_ESCAPES[char]);
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * XML 1.0 has no way to write control characters, lone surrogates or U+FFFE/U+FFFF (a close
 * reason may hold any of them): each becomes U+FFFD so the file stays well-formed.
 */
function xmlChars(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    const isXmlChar =
      code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
    out += isXmlChar ? char : '\ufffd';
  }
  return out;
}
