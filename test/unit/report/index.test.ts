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
    const order = ['Section 1', 'Case 1.9', 'Case 1.10', 'Section 2', 'Case 2.1'].map((s) => page.indexOf(`>${s}<`));
    assert.ok(order.every((p) => p > 0), String(order));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });
});
