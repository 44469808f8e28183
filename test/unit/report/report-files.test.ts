import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { reportFiles } from '../../../src/report/report-files';
import { seedCase } from './seed-case';

test('per case html, json and text, plus the index files, as bare names', () => {
  const files = reportFiles([seedCase(), { ...seedCase(), agent: '../../etc/passwd', caseId: '1.1.1' }]);
  assert.deepEqual(files.map((file) => file.path).sort(), [
    'etc_passwd_case_1_1_1.html',
    'etc_passwd_case_1_1_1.json',
    'etc_passwd_case_1_1_1.txt',
    'index.html',
    'index.json',
    'websock_secure_server_case_5_20.html',
    'websock_secure_server_case_5_20.json',
    'websock_secure_server_case_5_20.txt',
  ]);
  for (const file of files) assert.equal(basename(file.path), file.path);
  const index = JSON.parse(files.find((file) => file.path === 'index.json')?.content ?? '');
  assert.equal(index['../../etc/passwd']['1.1.1'].reportfile, 'etc_passwd_case_1_1_1.json');
});

test('agents whose names clean to the same file name share it; the later one wins', () => {
  const files = reportFiles([seedCase(), { ...seedCase(), agent: 'Websock Secure Server', durationMs: 7 }]);
  const text = files.filter((file) => file.path === 'websock_secure_server_case_5_20.txt');
  assert.equal(text.length, 1);
  assert.ok(text[0].content.includes('Websock Secure Server - Case 5.20 : Pass - 7 ms'));
});
