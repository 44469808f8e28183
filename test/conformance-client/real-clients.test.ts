// Real clients under test of our fuzzing server: Chromium's own WebSocket (a page running the
// getCaseCount/runCase/updateReports loop, headless) and Debian's python3-websockets 10.4 client.
// Both are reported truthfully: where a client deviates from the RFC, the exact deviations are
// asserted (and the other cases must be OK), not tuned away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startChromium, type ChromiumSession } from '../peers';
import {
  DEFLATE_SUBSET, INVALID_UTF8_CASES, OFFER_WITHOUT_NO_CONTEXT_TAKEOVER, deviations, failures, runBrowserHarness, runPythonHarness, sectionCounts, startFuzzer, unexpectedVerdicts,
  type Fuzzer,
} from './helpers';

describe('Chromium (headless, its own WebSocket) as the client under test', () => {
  let session: ChromiumSession;
  let fuzzer: Fuzzer;
  before(async () => {
    session = await startChromium();
    fuzzer = await startFuzzer(['*'], { exclude: ['12.*', '13.*'] });
  });
  after(async () => {
    await fuzzer?.close();
    await session?.close();
  });

  test('the catalogue except 12.x/13.x: 1002 instead of 1007 for invalid UTF-8 (WRONG CODE); invalid close codes echoed back (7.9.x FAILED)', { timeout: 480_000 }, async (t) => {
    const started = Date.now();
    const { count } = await runBrowserHarness(session.page, fuzzer.base, 'chromium', 460_000);
    const results = fuzzer.server.resultsFor('chromium');
    t.diagnostic(`chromium: ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(sectionCounts(results))}`);
    t.diagnostic(`chromium deviations: ${JSON.stringify(deviations(results))}`);
    t.diagnostic(`chromium failures: ${JSON.stringify(failures(results))}`);
    assert.equal(count, 301);
    assert.equal(results.length, 301);
    // Chromium answers a close frame with an invalid code (0, 999, 1004, 1016, 1100, 2000, 2999)
    // by echoing that code instead of failing with 1002; only 1005 and 1006 get a 1002. Autobahn
    // records the code it got and fails the case: FAILED / WRONG CODE.
    const echoed = ['7.9.1', '7.9.2', '7.9.3', '7.9.6', '7.9.7', '7.9.8', '7.9.9'];
    const wrongCode = 'The close code should have been 1002 or empty';
    assert.deepEqual(failures(results), echoed.map((id) => `${id} FAILED/WRONG CODE: ${wrongCode} ${wrongCode}`));
    for (const id of echoed) {
      const facts = results.find((r) => r.caseId === id)!.closeFacts;
      assert.equal(facts.remoteCloseCode, facts.localCloseCode, `${id}: the code we sent came back`);
    }
    for (const id of ['7.9.4', '7.9.5']) assert.equal(results.find((r) => r.caseId === id)!.closeFacts.remoteCloseCode, 1002, id);
    // Chromium fails a connection on invalid UTF-8 in a text message with 1002, not 1007 (Autobahn: WRONG CODE).
    const expected = { ...Object.fromEntries(INVALID_UTF8_CASES.map((id) => [id, 'OK/WRONG CODE'])), ...Object.fromEntries(echoed.map((id) => [id, 'FAILED/WRONG CODE'])) };
    assert.deepEqual(unexpectedVerdicts(results, expected), []);
    for (const id of INVALID_UTF8_CASES) assert.equal(results.find((r) => r.caseId === id)!.closeFacts.remoteCloseCode, 1002, id);
  });

  test('12.x/13.x, the 16-byte cases (Chromium always offers permessage-deflate)', { timeout: 240_000 }, async (t) => {
    const deflate = await startFuzzer(DEFLATE_SUBSET);
    try {
      const started = Date.now();
      await runBrowserHarness(session.page, deflate.base, 'chromium', 220_000);
      const results = deflate.server.resultsFor('chromium');
      t.diagnostic(`chromium deflate: ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(sectionCounts(results))}`);
      t.diagnostic(`chromium deflate deviations: ${JSON.stringify(deviations(results))}`);
      assert.equal(results.length, 12);
      assert.deepEqual(deviations(results), OFFER_WITHOUT_NO_CONTEXT_TAKEOVER);
    } finally {
      await deflate.close();
    }
  });
});

describe('python3-websockets 10.4 as the client under test', () => {
  test('the catalogue except 12.x/13.x: its known deviations, nothing else', { timeout: 300_000 }, async (t) => {
    const fuzzer = await startFuzzer(['*'], { exclude: ['12.*', '13.*'] });
    try {
      const started = Date.now();
      await runPythonHarness(fuzzer.base, 'python-websockets', 280_000);
      const results = fuzzer.server.resultsFor('python-websockets');
      t.diagnostic(`python: ${results.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(sectionCounts(results))}`);
      t.diagnostic(`python deviations: ${JSON.stringify(deviations(results))}`);
      t.diagnostic(`python failures: ${JSON.stringify(failures(results))}`);
      assert.equal(results.length, 301);
      assert.deepEqual(failures(results), []);
      assert.deepEqual(unexpectedVerdicts(results, PYTHON_DEVIATIONS), []);
    } finally {
      await fuzzer.close();
    }
  });

  test('12.x/13.x, the 16-byte cases', { timeout: 240_000 }, async (t) => {
    const fuzzer = await startFuzzer(DEFLATE_SUBSET);
    try {
      await runPythonHarness(fuzzer.base, 'python-websockets', 220_000);
      const results = fuzzer.server.resultsFor('python-websockets');
      t.diagnostic(`python deflate: ${JSON.stringify(sectionCounts(results))} ${JSON.stringify(deviations(results))}`);
      assert.equal(results.length, 12);
      assert.deepEqual(deviations(results), OFFER_WITHOUT_NO_CONTEXT_TAKEOVER);
    } finally {
      await fuzzer.close();
    }
  });
});

/**
 * python-websockets is lenient where the RFC says "fail fast" (its own compliance notes list these
 * as NON-STRICT): besides answering frames queued before a protocol error (3.x, 4.x, 5.15: OK or
 * NON-STRICT, by how the bytes arrive), it validates UTF-8 per message, not per frame, so a
 * message whose bad bytes come in a later frame is NON-STRICT every time (6.4.3, 6.4.4).
 */
const PYTHON_DEVIATIONS: Record<string, string> = { '6.4.3': 'NON-STRICT/OK', '6.4.4': 'NON-STRICT/OK' };

