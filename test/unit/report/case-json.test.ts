import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseResultJson } from '../../../src/report/case-json';
import { seedCase } from './seed-case';

const json = caseResultJson(seedCase());
const parsed = JSON.parse(json);

test("Autobahn's field names, sorted, three-space indent", () => {
  assert.deepEqual(Object.keys(parsed), [
    'agent', 'behavior', 'behaviorClose', 'case', 'closedByMe', 'createStats', 'createWirelog', 'description', 'droppedByMe', 'duration',
    'expectation', 'expected', 'expectedClose', 'failedByMe', 'httpRequest', 'httpResponse', 'id', 'isServer', 'localCloseCode', 'localCloseReason',
    'received', 'remoteCloseCode', 'remoteCloseReason', 'reportCompressionRatio', 'reportTime', 'result', 'resultClose',
    'rxFrameStats', 'rxOctetStats', 'started', 'trafficStats', 'txFrameStats', 'txOctetStats', 'wasClean', 'wasCloseHandshakeTimeout', 'wasNotCleanReason', 'wasOpenHandshakeTimeout',
    'wasServerConnectionDropTimeout', 'wirelog',
  ]);
  assert.ok(json.startsWith('{\n   "agent": "websock secure server",\n   "behavior": "OK",\n'));
});

test('no traffic statistics where the case captured none (all but 12.x/13.x), as Autobahn writes it', () => {
  assert.equal(parsed.trafficStats, null);
  assert.equal(parsed.reportCompressionRatio, false);
  assert.equal(parsed.reportTime, false);
});

test('verdicts, facts and timing', () => {
  assert.equal(parsed.id, '5.20');
  assert.equal(parsed.behaviorClose, 'UNCLEAN');
  assert.equal(parsed.duration, 1003);
  assert.equal(parsed.started, '2025-12-05T02:31:14.655Z');
  assert.equal(parsed.wasClean, false);
  assert.equal(parsed.localCloseCode, 1000);
  assert.equal(parsed.remoteCloseCode, null);
  assert.equal(parsed.createWirelog, true);
});

test("the case's number in the catalogue and its expected closing, as Autobahn writes them", () => {
  assert.equal(parsed.case, 64);
  assert.ok(json.includes('"expectedClose": {\n      "closeCode": [\n         1000\n      ],\n      "closedByMe": true,\n      "requireClean": true\n   },'));
});

test('events as Autobahn stores them after cleanBin', () => {
  assert.deepEqual(parsed.expected, { OK: [['pong', 'pongme 1!'], ['pong', 'pongme 2!'], ['message', 'fragment1fragment2fragment3fragment4fragment5', false]] });
  assert.deepEqual(parsed.received, parsed.expected.OK);
});

test('stats keyed by chop size and opcode', () => {
  assert.deepEqual(parsed.rxOctetStats, { '11': 2, '47': 1, '166': 1 });
  assert.deepEqual(parsed.txFrameStats, { '0': 4, '1': 1, '8': 1, '9': 2 });
});

test("the wire log as Autobahn's tuples, hex shortened, no TCP drop entry", () => {
  const log = parsed.wirelog;
  assert.equal(log.length, 27);
  assert.deepEqual(log[0], ['TO', [245, '474554202f77737320485454502f312e310d0a557365722d4167656e743a204175746f6261686e5465737453756974652f32352e31302e312d302e31302e390d ...'], false]);
  assert.deepEqual(log[2], ['TF', [9, 'fragment1'], 1, false, 0, 'be6e52c6', null, null, true]);
  assert.deepEqual(log[3], ['TO', [15, '0189be6e52c6d81c33a1d30b3cb28f'], true]);
  assert.deepEqual(log[6], ['CT', 1, null]);
  assert.deepEqual(log[9], ['RO', [11, '8a09706f6e676d65203121']]);
  assert.deepEqual(log[10], ['RF', [9, 'pongme 1!'], 10, true, 0, false, null]);
  assert.deepEqual(log[11], ['CTE', null]);
  assert.deepEqual(log[17], ['TI', 1]);
  assert.deepEqual(log[25], ['TF', [2, '0x03e8'], 8, true, 0, '2f0f5753', null, null, false]);
});

test('timer and wire log switches', () => {
  const wireLog = [
    { kind: 'kill-after', seconds: 2 },
    { kind: 'failing-connection' },
    { kind: 'closing-connection' },
    { kind: 'wirelog-mode', enabled: false },
  ] as const;
  const out = JSON.parse(caseResultJson({ ...seedCase(), wireLog: [...wireLog] }));
  assert.deepEqual(out.wirelog, [['KL', 2], ['KLE'], ['TIE'], ['WLM', false]]);
  assert.equal(out.createWirelog, false);
});
