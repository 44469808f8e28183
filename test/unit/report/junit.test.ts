import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaseResult } from '../../../src/cases/result';
import { isJUnitFailure, renderJUnit } from '../../../src/report/junit';
import { failureReasons } from '../../../src/report/verdict';
import { seedCase } from './seed-case';

const text = (s: string) => new TextEncoder().encode(s);

function result(caseId: string, overrides: Partial<CaseResult> = {}): CaseResult {
  return { ...seedCase(), agent: 'srv', caseId, durationMs: 10, expected: { OK: [] }, observed: [], ...overrides };
}

test('the exact document: a suite per agent, a case per case, failures with their events', () => {
  const xml = renderJUnit([
    result('2.1'),
    result('1.1.1', { behavior: 'FAILED', result: 'Actual events differ from any expected.', observed: [{ type: 'pong', payload: text('x') }] }),
  ]);
  assert.equal(
    xml,
    `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="WebSocket Workbench" tests="2" failures="1" time="0.020">
  <testsuite name="srv" tests="2" failures="1" errors="0" skipped="0" time="0.020">
    <testcase classname="srv" name="Case 1.1.1" time="0.010">
      <failure type="FAILED / UNCLEAN" message="Actual events differ from any expected.">behaviour FAILED: Actual events differ from any expected.
  expected {&apos;OK&apos;: []}
  observed [(&apos;pong&apos;, u&apos;x&apos;)]
closing UNCLEAN: The spec requires the connection to be failed cleanly here (peer dropped the TCP connection without previous WebSocket closing handshake)</failure>
      <system-out>behavior: FAILED
closing: The spec requires the connection to be failed cleanly here (UNCLEAN)
report: srv_case_1_1_1.html</system-out>
    </testcase>
    <testcase classname="srv" name="Case 2.1" time="0.010">
      <system-out>behavior: OK
closing: The spec requires the connection to be failed cleanly here (UNCLEAN)
report: srv_case_2_1.html</system-out>
    </testcase>
  </testsuite>
</testsuites>
`,
  );
});

test('a case that fails only by its closing says so in the failure; a dotted agent keeps no dots in classname', () => {
  const xml = renderJUnit([result('2.5', { agent: '127.0.0.1:9001', behavior: 'OK', result: 'Actual events match at least one expected.', behaviorClose: 'FAILED', resultClose: 'The connection was failed by the wrong endpoint' })]);
  assert.ok(xml.includes('<testcase classname="127_0_0_1:9001" name="Case 2.5"'), xml);
  assert.ok(xml.includes('<failure type="OK / FAILED" message="The connection was failed by the wrong endpoint">'), xml);
});

test('a case fails when behavior or behaviorClose is FAILED; UNIMPLEMENTED and unclean closes pass', () => {
  const behaviors = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'] as const;
  const closes = ['OK', 'WRONG CODE', 'UNCLEAN', 'FAILED BY CLIENT', 'INFORMATIONAL', 'FAILED'] as const;
  assert.deepEqual(
    behaviors.map((behavior) => isJUnitFailure(result('1.1.1', { behavior, behaviorClose: 'OK' }))),
    [false, false, false, false, true],
  );
  assert.deepEqual(
    closes.map((behaviorClose) => isJUnitFailure(result('1.1.1', { behavior: 'OK', behaviorClose }))),
    [false, false, false, false, false, true],
  );
});

test('peer text is escaped, and characters XML cannot hold become U+FFFD', () => {
  const xml = renderJUnit([
    result('7.1.1', {
      agent: '<x a="1">&\'',
      behavior: 'FAILED',
      result: 'bad \u0000\u0008\ud800 reason </failure><injected/>',
    }),
  ]);
  assert.ok(xml.includes('<testsuite name="&lt;x a=&quot;1&quot;&gt;&amp;&apos;"'));
  assert.ok(xml.includes('message="bad \ufffd\ufffd\ufffd reason &lt;/failure&gt;&lt;injected/&gt;"'));
  assert.ok(!xml.includes('<injected/>'));
  assert.ok(![...xml].some((char) => char.charCodeAt(0) < 0x09));
});

test('why a case failed, in a few lines: the verdicts\' sentences, the events, the fault we failed the connection on', () => {
  const failed = result('1.1.1', {
    behavior: 'FAILED',
    result: 'Actual events differ from any expected.',
    expected: { OK: [{ type: 'message', payload: text(''), binary: false }] },
    behaviorClose: 'WRONG CODE',
    resultClose: 'The close code should have been 1000 or empty',
    closeFacts: { ...seedCase().closeFacts, failedByMe: true, localCloseCode: 1002, localCloseReason: 'RSV bits 4 set without a negotiated extension', wasNotCleanReason: null },
  });
  assert.deepEqual(failureReasons(failed), [
    'behaviour FAILED: Actual events differ from any expected.',
    "  expected {'OK': [('message', u'', False)]}",
    '  observed []',
    'we failed the connection: 1002 RSV bits 4 set without a negotiated extension',
    'closing WRONG CODE: The close code should have been 1000 or empty',
  ]);
  assert.deepEqual(failureReasons(result('2.1', { behavior: 'OK', behaviorClose: 'OK' })), []);
  assert.ok(failureReasons(failed, 40).every((line) => line.length <= 40));
});
