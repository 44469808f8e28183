import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { caseById } from '../../../src/cases/catalogue/index';
import type { CaseDefinition, ExpectedClose, ExpectedEvents, RunFacts } from '../../../src/cases/definition';
import { closeCodeWhenDone, judgeBehavior, judgeBehaviorClose, judgeCase } from '../../../src/cases/judge';
import type { Behavior, CloseFacts, ObservedEvent } from '../../../src/cases/result';

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (payload: string): ObservedEvent => ({ type: 'message', payload: utf8(payload), binary: false });
const binary = (payload: string): ObservedEvent => ({ type: 'message', payload: utf8(payload), binary: true });
const pong = (payload: string): ObservedEvent => ({ type: 'pong', payload: utf8(payload) });
const timeout = (tag: string): ObservedEvent => ({ type: 'timeout', tag });

const MATCH = 'Actual events match at least one expected.';
const DIFFER = 'Actual events differ from any expected.';

function closeFacts(overrides: Partial<CloseFacts> = {}): CloseFacts {
  return {
    isServer: false,
    closedByMe: true,
    failedByMe: false,
    droppedByMe: false,
    wasClean: true,
    wasNotCleanReason: null,
    wasServerConnectionDropTimeout: false,
    wasOpenHandshakeTimeout: false,
    wasCloseHandshakeTimeout: false,
    localCloseCode: 1000,
    localCloseReason: null,
    remoteCloseCode: 1000,
    remoteCloseReason: null,
    ...overrides,
  };
}

function runFacts(overrides: Partial<RunFacts> & { close?: Partial<CloseFacts> } = {}): RunFacts {
  const { close, ...rest } = overrides;
  return {
    observed: [],
    preset: { behavior: 'FAILED', result: DIFFER },
    connectionWasOpen: true,
    closeFacts: closeFacts(close),
    stats: { rxOctetsByChopSize: new Map(), txOctetsByChopSize: new Map(), rxFramesByOpcode: new Map(), txFramesByOpcode: new Map() },
    ...rest,
  };
}

function definition(id: string): CaseDefinition {
  const found = caseById(id);
  assert.ok(found, id);
  return found;
}

describe('judgeBehavior', () => {
  const okOrNonStrict: ExpectedEvents = { 'NON-STRICT': [timeout('A'), timeout('B')], OK: [timeout('A')] };
  const rows: { name: string; observed: ObservedEvent[]; expected: ExpectedEvents; preset?: { behavior: Behavior; result: string }; want: [Behavior, string] }[] = [
    { name: 'OK list matches', observed: [text('Hello')], expected: { OK: [text('Hello')] }, want: ['OK', MATCH] },
    { name: 'empty OK list matches no events', observed: [], expected: { OK: [] }, want: ['OK', MATCH] },
    { name: 'NON-STRICT list matches', observed: [timeout('A'), timeout('B')], expected: okOrNonStrict, want: ['NON-STRICT', MATCH] },
    { name: 'OK beside NON-STRICT', observed: [timeout('A')], expected: okOrNonStrict, want: ['OK', MATCH] },
    { name: 'INFORMATIONAL key', observed: [pong('x')], expected: { INFORMATIONAL: [pong('x')] }, want: ['INFORMATIONAL', MATCH] },
    { name: 'UNIMPLEMENTED key', observed: [], expected: { UNIMPLEMENTED: [] }, want: ['UNIMPLEMENTED', MATCH] },
    { name: 'payload differs', observed: [text('Hellp')], expected: { OK: [text('Hello')] }, want: ['FAILED', DIFFER] },
    { name: 'text vs binary', observed: [binary('Hello')], expected: { OK: [text('Hello')] }, want: ['FAILED', DIFFER] },
    { name: 'order matters', observed: [text('m'), pong('p')], expected: { OK: [pong('p'), text('m')] }, want: ['FAILED', DIFFER] },
    { name: 'an extra event fails', observed: [pong('p'), pong('p')], expected: { OK: [pong('p')] }, want: ['FAILED', DIFFER] },
    { name: 'pong vs ping', observed: [{ type: 'ping', payload: utf8('p') }], expected: { OK: [pong('p')] }, want: ['FAILED', DIFFER] },
    { name: 'timeout tag differs', observed: [timeout('B')], expected: { OK: [timeout('A')] }, want: ['FAILED', DIFFER] },
    {
      name: 'no expected lists keep the preset (self-judging cases)',
      observed: [text('x')],
      expected: {},
      preset: { behavior: 'OK', result: 'Received text message of length 1.' },
      want: ['OK', 'Received text message of length 1.'],
    },
    {
      name: 'a preset UNIMPLEMENTED keeps the initial sentence',
      observed: [],
      expected: {},
      preset: { behavior: 'UNIMPLEMENTED', result: DIFFER },
      want: ['UNIMPLEMENTED', DIFFER],
    },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const { behavior, result } = judgeBehavior(row.observed, row.expected, row.preset);
      assert.deepEqual([behavior, result], row.want);
    });
  }
});

describe('judgeBehaviorClose', () => {
  const normal: ExpectedClose = { closedByMe: true, closeCode: [1000], requireClean: true };
  const peerFails: ExpectedClose = { closedByMe: false, closeCode: [1002], requireClean: false };
  const rows: { name: string; expected: ExpectedClose; facts: Partial<CloseFacts>; open?: boolean; want: [string, string] }[] = [
    { name: 'clean close as expected', expected: normal, facts: {}, want: ['OK', 'Connection was properly closed'] },
    { name: 'peer closed without a code', expected: normal, facts: { remoteCloseCode: null }, want: ['OK', 'Connection was properly closed'] },
    {
      name: 'never opened',
      expected: normal,
      facts: {},
      open: false,
      want: ['FAILED', 'The WebSocket opening handshake was never completed!'],
    },
    {
      name: 'peer closed first though we should have',
      expected: normal,
      facts: { closedByMe: false },
      want: ['FAILED', 'The connection was failed by the wrong endpoint'],
    },
    {
      name: 'we closed first though the peer should have failed the connection',
      expected: peerFails,
      facts: { closedByMe: true, remoteCloseCode: 1000 },
      want: ['FAILED', 'The connection was failed by the wrong endpoint'],
    },
    {
      name: 'UNCLEAN: peer dropped TCP (the seed report of 5.20)',
      expected: normal,
      facts: { wasClean: false, remoteCloseCode: null, wasNotCleanReason: 'peer dropped the TCP connection without previous WebSocket closing handshake' },
      want: ['UNCLEAN', 'The spec requires the connection to be failed cleanly here'],
    },
    {
      name: 'UNCLEAN is checked before the code',
      expected: normal,
      facts: { wasClean: false, remoteCloseCode: 1002 },
      want: ['UNCLEAN', 'The spec requires the connection to be failed cleanly here'],
    },
    {
      name: 'unclean is fine when not required',
      expected: peerFails,
      facts: { closedByMe: false, wasClean: false, remoteCloseCode: null },
      want: ['OK', 'Connection was properly closed'],
    },
    { name: 'WRONG CODE', expected: normal, facts: { remoteCloseCode: 1002 }, want: ['WRONG CODE', 'The close code should have been 1000 or empty'] },
    {
      name: 'WRONG CODE lists every allowed code',
      expected: { closedByMe: true, closeCode: [1002, 1007], requireClean: false },
      facts: { remoteCloseCode: 1000 },
      want: ['WRONG CODE', 'The close code should have been 1002,1007 or empty'],
    },
    {
      name: 'WRONG CODE is checked before FAILED BY CLIENT',
      expected: normal,
      facts: { remoteCloseCode: 1001, droppedByMe: true },
      want: ['WRONG CODE', 'The close code should have been 1000 or empty'],
    },
    {
      name: 'FAILED BY CLIENT: as a client we had to drop TCP',
      expected: normal,
      facts: { droppedByMe: true },
      want: ['FAILED BY CLIENT', 'It is preferred that the server close the TCP connection'],
    },
    { name: 'as a server dropping TCP is our job', expected: normal, facts: { isServer: true, droppedByMe: true }, want: ['OK', 'Connection was properly closed'] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const { behaviorClose, resultClose } = judgeBehaviorClose(row.expected, closeFacts(row.facts), row.open ?? true);
      assert.deepEqual([behaviorClose, resultClose], row.want);
    });
  }
});

describe('judgeCase: Autobahn order and case adjustments', () => {
  test('2.1 passes with its pong and a clean close', () => {
    assert.deepEqual(judgeCase(definition('2.1'), runFacts({ observed: [pong('')] })), {
      behavior: 'OK',
      result: MATCH,
      behaviorClose: 'OK',
      resultClose: 'Connection was properly closed',
    });
  });

  test('5.20 as in the seed report: Pass with UNCLEAN closing', () => {
    const observed = [pong('pongme 1!'), pong('pongme 2!'), text('fragment1fragment2fragment3fragment4fragment5')];
    const verdict = judgeCase(definition('5.20'), runFacts({ observed, close: { wasClean: false, remoteCloseCode: null } }));
    assert.deepEqual(verdict, {
      behavior: 'OK',
      result: MATCH,
      behaviorClose: 'UNCLEAN',
      resultClose: 'The spec requires the connection to be failed cleanly here',
    });
  });

  test('6.x: a peer that never fails on bad UTF-8 FAILS the case, keeping the matched sentence', () => {
    const verdict = judgeCase(definition('6.3.1'), runFacts({ close: { closedByMe: true, remoteCloseCode: 1000 } }));
    assert.deepEqual(verdict, {
      behavior: 'FAILED',
      result: MATCH,
      behaviorClose: 'FAILED',
      resultClose: 'The connection was failed by the wrong endpoint',
    });
  });

  test('6.4.1: failing after the whole message is NON-STRICT', () => {
    const verdict = judgeCase(definition('6.4.1'), runFacts({ observed: [timeout('A'), timeout('B')], close: { closedByMe: false, remoteCloseCode: 1007 } }));
    assert.deepEqual([verdict.behavior, verdict.behaviorClose], ['NON-STRICT', 'OK']);
  });

  test('6.x fatal rule does not apply when the connection never opened', () => {
    const verdict = judgeCase(definition('6.3.1'), runFacts({ connectionWasOpen: false }));
    assert.deepEqual([verdict.behavior, verdict.result, verdict.behaviorClose], ['OK', MATCH, 'FAILED']);
  });

  test('7.x: WRONG CODE fails the case with the closing sentence', () => {
    const verdict = judgeCase(definition('7.1.1'), runFacts({ observed: [text('Hello World!')], close: { remoteCloseCode: 1002 } }));
    assert.deepEqual(verdict, {
      behavior: 'FAILED',
      result: 'The close code should have been 1000 or empty',
      behaviorClose: 'WRONG CODE',
      resultClose: 'The close code should have been 1000 or empty',
    });
  });

  test('7.9.1: dropping TCP on an invalid close code is fine', () => {
    const verdict = judgeCase(definition('7.9.1'), runFacts({ close: { wasClean: false, remoteCloseCode: null } }));
    assert.deepEqual([verdict.behavior, verdict.behaviorClose], ['OK', 'OK']);
  });

  test('7.1.6 is INFORMATIONAL whatever happened, with a sentence per outcome', () => {
    const d = definition('7.1.6');
    const cases: [ObservedEvent[], string][] = [
      [[text('Hello World!')], 'Text message was processed before close.'],
      [[], 'Close was processed before text message could be returned.'],
      [[text('garbage')], DIFFER],
    ];
    for (const [observed, result] of cases) {
      const verdict = judgeCase(d, runFacts({ observed, close: { remoteCloseCode: 1002 } }));
      assert.deepEqual(verdict, {
        behavior: 'INFORMATIONAL',
        result,
        behaviorClose: 'INFORMATIONAL',
        resultClose: 'The close code should have been 1000 or empty',
      });
    }
  });

  test('7.13.1 is INFORMATIONAL', () => {
    const verdict = judgeCase(definition('7.13.1'), runFacts({ close: { closedByMe: false } }));
    assert.deepEqual(verdict, {
      behavior: 'INFORMATIONAL',
      result: 'Actual events are undefined by the spec.',
      behaviorClose: 'INFORMATIONAL',
      resultClose: 'The connection was failed by the wrong endpoint',
    });
  });

  test('9.1.1 keeps the verdict the case set', () => {
    const preset = { behavior: 'OK' as const, result: 'Received text message of length 65536.' };
    assert.deepEqual(judgeCase(definition('9.1.1'), runFacts({ preset })), { ...preset, behaviorClose: 'OK', resultClose: 'Connection was properly closed' });
  });

  test('10.1.1 checks the frames we sent', () => {
    const d = definition('10.1.1');
    const payload = new Uint8Array(65536).fill(0x2a);
    const observed: ObservedEvent[] = [{ type: 'message', payload, binary: false }];
    const stats = (continuation: number, textFrames: number) => ({ ...runFacts().stats, txFramesByOpcode: new Map([[0, continuation], [1, textFrames], [8, 1]]) });
    assert.equal(judgeCase(d, runFacts({ observed, stats: stats(50, 1) })).behavior, 'OK');
    assert.deepEqual(judgeCase(d, runFacts({ observed, stats: stats(51, 1) })).result, 'Frames transmitted {0: 51, 1: 1} does not match what we expected {0: 50, 1: 1}.');
    assert.deepEqual(judgeCase(d, runFacts({ observed, connectionWasOpen: false })).result, 'WebSocket connection was never open');
  });
});

describe('closeCodeWhenDone (Autobahn finishWhenDone)', () => {
  test('closes with the first expected code once the events match', () => {
    assert.equal(closeCodeWhenDone(definition('2.2'), [pong('Hello, world!')]), 1000);
    assert.equal(closeCodeWhenDone(definition('2.2'), []), null);
  });

  test('not when the peer is the one to close', () => {
    assert.equal(closeCodeWhenDone(definition('3.2'), [text('Hello, world!')]), null);
  });

  test('not when the case suppresses it', () => {
    assert.equal(closeCodeWhenDone(definition('7.1.6'), [text('Hello World!')]), null);
  });

  test('an empty expected map matches vacuously (a stray pong in 9.x closes)', () => {
    assert.equal(closeCodeWhenDone(definition('9.1.1'), [pong('x')]), 1000);
  });
});
