import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaseResult } from '../../../src/cases/result';
import { compareCaseIds } from '../../../src/cases/select';
import { renderIndexHtml } from '../../../src/report/index-html';
import { buildIndexJson, renderIndexJson } from '../../../src/report/index-json';
import { seedCase } from './seed-case';

function result(agent: string, caseId: string, overrides: Partial<CaseResult> = {}): CaseResult {
  return { ...seedCase(), agent, caseId, ...overrides };
}

describe('index.json', () => {
  test("Autobahn's shape and layout", () => {
    const index = buildIndexJson([seedCase()]);
    assert.equal(
      renderIndexJson(index),
      `{
   "websock secure server": {
      "5.20": {
         "behavior": "OK",
         "behaviorClose": "UNCLEAN",
         "duration": 1003,
         "remoteCloseCode": null,
         "reportfile": "websock_secure_server_case_5_20.json"
      }
   }
}`,
    );
  });

  test('a later result for the same agent and case replaces the earlier', () => {
    const index = buildIndexJson([result('a', '1.1.1'), result('a', '1.1.1', { behavior: 'FAILED' })]);
    assert.equal(index.a['1.1.1'].behavior, 'FAILED');
  });

  test('an agent called __proto__ is an ordinary key', () => {
    const index = buildIndexJson([result('__proto__', '1.1.1')]);
    assert.deepEqual(Object.keys(index), ['__proto__']);
    assert.ok(renderIndexJson(index).includes('"__proto__": {'));
    assert.equal(({} as Record<string, unknown>).behavior, undefined);
  });
});

test('case ids in catalogue order', () => {
  const ids = ['10.1.1', '2.1', '1.10', '1.2.10', '1.9', '1.2.9', '12.1.1', '9.7.6', '1.2'];
  assert.deepEqual([...ids].sort(compareCaseIds), ['1.2', '1.2.9', '1.2.10', '1.9', '1.10', '2.1', '9.7.6', '10.1.1', '12.1.1']);
});

describe('index.html', () => {
  const index = buildIndexJson([
    result('<img src=x onerror=alert(1)>', '1.10'),
    result('<img src=x onerror=alert(1)>', '1.9', { behavior: 'FAILED', behaviorClose: 'FAILED' }),
    result('b', '1.9', { behavior: 'NON-STRICT', behaviorClose: 'OK', closeFacts: { ...seedCase().closeFacts, remoteCloseCode: 1000 } }),
    result('b', '2.1', { behavior: 'UNIMPLEMENTED' }),
  ]);
  const page = renderIndexHtml(index);

  test('agent names are escaped, no script anywhere', () => {
    assert.ok(!page.includes('<img'));
    assert.ok(page.includes('<td class="agent" colspan="2">&lt;img src=x onerror=alert(1)&gt;</td>'));
    assert.ok(!page.includes('<script'));
  });

  test('a cell per verdict with its colour, linking to the case page, with its close cell', () => {
    assert.ok(page.includes('<td class="case_ok"><a href="img_src_x_onerror_alert_1_case_1_10.html">Pass</a><span class="case_duration">1003 ms</span></td><td class="close case_failed">Unclean</td>'));
    assert.ok(page.includes('<td class="case_failed"><a href="img_src_x_onerror_alert_1_case_1_9.html">Fail</a>'));
    assert.ok(page.includes('<td class="case_non_strict"><a href="b_case_1_9.html">Non-Strict</a><span class="case_duration">1003 ms</span></td><td class="close case_ok">1000</td>'));
    assert.ok(page.includes('<td class="case_unimplemented" colspan="2">Unimplemented</td>'));
  });

  test('cases an agent did not run show as Missing; rows in catalogue order, one block per section', () => {
    assert.equal(page.split('<td class="case_missing" colspan="2">Missing</td>').length - 1, 2);
    const order = ['1 Framing', 'Case 1.9', 'Case 1.10', '2 Pings/Pongs', 'Case 2.1'].map((s) => page.indexOf(`>${s}<`));
    assert.ok(order.every((p) => p > 0), String(order));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });
});

describe('index.html, laid out as Autobahn\'s summary', () => {
  const page = renderIndexHtml(buildIndexJson([result('a', '1.1.1'), result('a', '1.2.1'), result('a', '2.1'), result('a', '9.1.1', { durationMs: 812 })]));

  test('section and subsection titles above their cases', () => {
    const order = ['1 Framing', '1.1 Text Messages', 'Case 1.1.1', '1.2 Binary Messages', 'Case 1.2.1', '2 Pings/Pongs', 'Case 2.1', '9 Limits/Performance', '9.1 Text Message (increasing size)', 'Case 9.1.1'].map((s) => page.indexOf(`>${s}<`));
    assert.ok(order.every((p) => p > 0), String(order));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(page.includes('<td class="case_subcategory" colspan="3">1.1 Text Messages</td>'));
  });

  test('the time only where Autobahn reports it (9.x, 12.x, 13.x)', () => {
    assert.ok(page.includes('<a href="a_case_1_1_1.html">Pass</a></td>'), 'no time for 1.1.1');
    assert.ok(page.includes('<a href="a_case_9_1_1.html">Pass</a><span class="case_duration">812 ms</span></td>'));
  });

  test('each case links to its description and expectation at the foot of the page', () => {
    assert.ok(page.includes('<a href="#case_desc_1_1_1">Case 1.1.1</a>'));
    const foot = page.slice(page.indexOf('<div id="test_case_descriptions">'));
    assert.ok(foot.includes('<h2 id="case_desc_1_1_1">Case 1.1.1</h2>\n<a class="up" href="#top">Up</a>'));
    assert.ok(foot.includes('<b>Case Description</b><br><br>Send text message with payload 0.'), foot.slice(0, 400));
    assert.equal(foot.split('<h2 ').length - 1, 4);
  });
});
