import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import fc from 'fast-check';
import { reportFileName } from '../../../src/report/file-name';

test("Autobahn's names", () => {
  assert.equal(reportFileName('websock secure server', '5.20', 'html'), 'websock_secure_server_case_5_20.html');
  assert.equal(reportFileName('AutobahnPython/0.10.9', '12.1.1', 'json'), 'autobahnpython_0_10_9_case_12_1_1.json');
  assert.equal(reportFileName('  Foo  Bar  ', '1.1.1', 'txt'), 'foo__bar_case_1_1_1.txt');
});

test('hostile agent names stay inside the report folder', () => {
  assert.equal(reportFileName('../../x', '1.1.1', 'html'), 'x_case_1_1_1.html');
  assert.equal(reportFileName('a/b\\c\u0000d:e', '1.1.1', 'html'), 'a_b_c_d_e_case_1_1_1.html');
  assert.equal(reportFileName('..', '1.1.1', 'html'), '_case_1_1_1.html');
  assert.equal(reportFileName('', '1.1.1', 'json'), '_case_1_1_1.json');
  assert.equal(reportFileName('ünï', '1.1.1', 'json'), 'n_case_1_1_1.json');
});

test('a very long agent name is capped', () => {
  assert.equal(reportFileName('a'.repeat(5000), '1.1.1', 'html'), 'a'.repeat(100) + '_case_1_1_1.html');
});

test('property: any agent and case id give a plain file name of [a-z0-9_] and the extension', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string(), (agent, caseId) => {
      const name = reportFileName(agent, caseId, 'html');
      assert.match(name, /^[a-z0-9_]*_case_[a-z0-9_]*\.html$/);
      assert.equal(basename(name), name);
      assert.ok(name.length <= 100 + '_case_'.length + caseId.length + '.html'.length);
    }),
  );
});
