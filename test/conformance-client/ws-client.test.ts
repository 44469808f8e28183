// The `ws` client as a client under test of our fuzzing server (a harness like ws's
// test/autobahn.js), and deliberately broken ws clients, which must get Autobahn's verdicts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFLATE_SUBSET, OFFER_WITHOUT_NO_CONTEXT_TAKEOVER, deviations, failures, runWsHarness, sectionCounts, startFuzzer, unexpectedVerdicts, type Fuzzer,
} from './helpers';

/** ws validates UTF-8 when a fragmented text message is complete, not as it arrives (a known deviation). */
const WS_UTF8_AT_END = { '6.4.1': 'NON-STRICT/OK', '6.4.2': 'NON-STRICT/OK', '6.4.3': 'NON-STRICT/OK', '6.4.4': 'NON-STRICT/OK' };
/** ws 8.23's client limits off: maxFragments (default 16,384) and maxBufferedChunks (default 262,144). */
const WS_NO_PART_LIMITS = { maxFragments: 0, maxBufferedChunks: 0 };

describe('ws 8 as the client under test: the catalogue except 12.x/13.x', () => {
  let fuzzer: Fuzzer;
  before(async () => {
    fuzzer = await startFuzzer(['*'], { exclude: ['12.*', '13.*'] });
  });
  after(() => fuzzer.close());

  test('no case FAILED (its part limits off); 6.4.x NON-STRICT; INFORMATIONAL close codes', { timeout: 300_000 }, async (t) => {
    const started = Date.now();
    await runWsHarness(fuzzer.base, 'ws', { ws: WS_NO_PART_LIMITS });
    const results = fuzzer.server.resultsFor('ws');
    t.diagnostic(`ws: ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(sectionCounts(results))}`);
    assert.equal(results.length, 301);
    assert.deepEqual(failures(results), []);
    assert.deepEqual(unexpectedVerdicts(results, WS_UTF8_AT_END), []);
    assert.deepEqual(fuzzer.updates, [{ agent: 'ws', results: 301 }]);
  });
});

describe('ws 8 with its default limits', () => {
  test('maxFragments 16,384 refuses 9.3.1, 9.3.2, 9.4.1, 9.4.2 (64-/256-byte fragments of 4 MiB) with 1008: FAILED', { timeout: 120_000 }, async () => {
    const fuzzer = await startFuzzer(['9.3.*', '9.4.*']);
    try {
      await runWsHarness(fuzzer.base, 'ws-defaults');
      const results = fuzzer.server.resultsFor('ws-defaults');
      assert.equal(results.length, 18);
      const failed = results.filter((r) => r.behavior === 'FAILED');
      assert.deepEqual(failed.map((r) => `${r.caseId} ${r.behavior}/${r.behaviorClose} ${r.closeFacts.remoteCloseCode}`), ['9.3.1 FAILED/FAILED 1008', '9.3.2 FAILED/FAILED 1008', '9.4.1 FAILED/FAILED 1008', '9.4.2 FAILED/FAILED 1008']);
      assert.deepEqual(unexpectedVerdicts(results.filter((r) => !failed.includes(r))), []);
    } finally {
      await fuzzer.close();
    }
  });
});

describe('ws 8 with permessage-deflate: sections 12 and 13, the 16-byte cases', () => {
  let fuzzer: Fuzzer;
  before(async () => {
    fuzzer = await startFuzzer(DEFLATE_SUBSET);
  });
  after(() => fuzzer.close());

  test('no case FAILED', { timeout: 240_000 }, async (t) => {
    const started = Date.now();
    await runWsHarness(fuzzer.base, 'ws-deflate', { ws: { perMessageDeflate: { threshold: 0 } } });
    const results = fuzzer.server.resultsFor('ws-deflate');
    t.diagnostic(`ws with deflate: ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(sectionCounts(results))}`);
    assert.equal(results.length, 12);
    assert.deepEqual(failures(results), []);
    assert.deepEqual(deviations(results), OFFER_WITHOUT_NO_CONTEXT_TAKEOVER);
  });
});

describe('deliberately broken ws clients get Autobahn verdicts', () => {
  test('skipUTF8Validation: every invalid-UTF-8 case of 6.x FAILS, valid ones stay OK', { timeout: 120_000 }, async () => {
    const fuzzer = await startFuzzer(['6.3.*', '6.4.*', '6.6.*', '6.10.*'], { timeoutScale: 1 });
    try {
      await runWsHarness(fuzzer.base, 'ws-no-utf8', { ws: { skipUTF8Validation: true } });
      const results = fuzzer.server.resultsFor('ws-no-utf8');
      const expectedFailed = ['6.3.1', '6.3.2', '6.4.1', '6.4.2', '6.4.3', '6.4.4', '6.6.1', '6.6.3', '6.6.4', '6.6.6', '6.6.8', '6.6.10', '6.10.1', '6.10.2', '6.10.3'];
      const failed = results.filter((r) => r.behavior === 'FAILED').map((r) => r.caseId);
      assert.deepEqual(failed, expectedFailed);
      for (const r of results.filter((x) => !expectedFailed.includes(x.caseId))) assert.equal(`${r.caseId} ${r.behavior}`, `${r.caseId} OK`);
      // The client echoed invalid UTF-8 instead of failing: Autobahn's "closedByWrongEndpointIsFatal".
      const r631 = results.find((r) => r.caseId === '6.3.1')!;
      assert.equal(r631.behaviorClose, 'FAILED');
    } finally {
      await fuzzer.close();
    }
  });

  test('autoPong false: the ping cases FAIL (no pong), the others stay OK', { timeout: 120_000 }, async () => {
    const fuzzer = await startFuzzer(['2.*'], { timeoutScale: 1 });
    try {
      await runWsHarness(fuzzer.base, 'ws-no-pong', { ws: { autoPong: false } });
      const verdicts = Object.fromEntries(fuzzer.server.resultsFor('ws-no-pong').map((r) => [r.caseId, `${r.behavior}/${r.behaviorClose}`]));
      assert.deepEqual(verdicts, {
        '2.1': 'FAILED/OK', '2.2': 'FAILED/OK', '2.3': 'FAILED/OK', '2.4': 'FAILED/OK',
        // Too-large ping and fragmented ping: the client must fail the connection, and ws still does.
        '2.5': 'OK/OK', '2.6': 'FAILED/OK', '2.7': 'OK/OK', '2.8': 'OK/OK', '2.9': 'FAILED/OK', '2.10': 'FAILED/OK', '2.11': 'FAILED/OK',
      });
    } finally {
      await fuzzer.close();
    }
  });

  // Autobahn (case.py onConnectionLost): the fuzzer did close first as expected, but the closing
  // handshake never completed, where the case requires a clean close: UNCLEAN (reported, not FAILED).
  test('a client that drops TCP after echoing, instead of closing: closing behaviour UNCLEAN', { timeout: 60_000 }, async () => {
    const fuzzer = await startFuzzer(['1.1.1', '1.2.1', '5.6'], { timeoutScale: 1 });
    try {
      await runWsHarness(fuzzer.base, 'ws-drop', { onMessage: (ws, data, binary) => ws.send(data, { binary }, () => ws.terminate()) });
      const results = fuzzer.server.resultsFor('ws-drop');
      assert.deepEqual(results.map((r) => `${r.caseId} ${r.behavior}/${r.behaviorClose}`), ['1.1.1 OK/UNCLEAN', '1.2.1 OK/UNCLEAN', '5.6 OK/UNCLEAN']);
      for (const r of results) {
        assert.equal(r.closeFacts.isServer, true);
        assert.equal(r.closeFacts.wasClean, false);
        assert.equal(r.closeFacts.closedByMe, true);
        assert.equal(r.closeFacts.droppedByMe, false);
        assert.equal(r.closeFacts.wasNotCleanReason, 'peer dropped the TCP connection without previous WebSocket closing handshake');
      }
    } finally {
      await fuzzer.close();
    }
  });
});
