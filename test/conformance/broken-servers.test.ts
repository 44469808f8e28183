// Evidence 3 of issue 3: deliberately broken servers get exactly the verdicts Autobahn's rules
// give. Each table below is derived from the case definitions (expected events, expectedClose)
// and the judge's order of checks (wrong endpoint closed -> FAILED; unclean when clean was
// required -> UNCLEAN; unexpected code -> WRONG CODE, which 7.x turns into a FAILED behaviour).
// Only cases whose verdict does not depend on timing are asserted. Timers run at twice Autobahn's
// (SCALE): some verdicts need the server's answer before our 1 s kill-after (3.2: the echo and
// the pong), which a loaded CI machine should not put in doubt.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectCases } from '../../src/cases/catalogue';
import { isCaseFailure } from '../../src/report';
import { startBrokenServer, type BrokenServer, type BrokenServerFlaws } from '../peers/broken-server';
import { DEFLATE_CASES, runCases, startWsEchoProcess, verdicts, type ServerProcess } from './helpers';

const SCALE = 2;
const ids = (patterns: string[]) => selectCases(patterns).map((d) => d.id);
const table = (patterns: string[], verdict: (id: string) => string) => Object.fromEntries(ids(patterns).map((id) => [id, verdict(id)]));

function withBrokenServer(flaws: BrokenServerFlaws, body: (url: () => string) => void): void {
  let server: BrokenServer;
  before(async () => (server = await startBrokenServer(flaws)));
  after(() => server?.stop());
  body(() => server.url);
}

describe('the lax server without flaws (the baseline the flaws are measured against)', () => {
  withBrokenServer({}, (url) => {
    test('sections 2, 3, 4 and 5.19/5.20 are OK / OK', async () => {
      const patterns = ['2.*', '3.*', '4.*', '5.19', '5.20'];
      assert.deepEqual(verdicts(await runCases(url(), patterns, { parallel: 32, timeoutScale: SCALE })), table(patterns, () => 'OK / OK'));
    });
  });
});

describe('ws without UTF-8 validation (skipUTF8Validation: true)', () => {
  let server: ServerProcess;
  before(async () => (server = await startWsEchoProcess({ ws: { skipUTF8Validation: true } })));
  after(() => server?.stop());

  test('6.x: every invalid-UTF-8 case FAILED / FAILED (we had to fail it: the wrong endpoint), every valid one OK / OK', async () => {
    const results = await runCases(server.url, ['6.*'], { timeoutScale: SCALE });
    const expected = Object.fromEntries(
      selectCases(['6.*']).map((d) => [d.id, d.expectedClose.closedByWrongEndpointIsFatal ? 'FAILED / FAILED' : 'OK / OK']),
    );
    assert.deepEqual(verdicts(results), expected);
    const invalid = results.filter((r) => r.behavior === 'FAILED');
    assert.equal(invalid.length, 75, 'the 75 invalid-UTF-8 cases of 6.x');
    // We failed the connection with 1007 on the echoed bad text.
    for (const r of invalid) assert.equal(r.closeFacts.localCloseCode, 1007, r.caseId);
  });
});

describe('a server that accepts RSV bits without an extension', () => {
  withBrokenServer({ acceptRsv: true }, (url) => {
    test('3.1-3.6: the RSV frame is echoed, so the events differ and we close: FAILED / FAILED; 3.7 (a close with RSV) is answered: OK / OK', async () => {
      const results = await runCases(url(), ['3.*'], { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), { ...table(['3.*'], () => 'FAILED / FAILED'), '3.7': 'OK / OK' });
      assert.equal(results[0].resultClose, 'The connection was failed by the wrong endpoint');
      assert.equal(results[0].result, 'Actual events differ from any expected.');
    });
  });
});

describe('a server that ignores reserved opcodes', () => {
  withBrokenServer({ acceptReservedOpcodes: true }, (url) => {
    test('4.x.1-2: nothing comes back (events OK) but we had to close: OK / FAILED; 4.x.3-5: the pong is not expected: FAILED / FAILED', async () => {
      const results = await runCases(url(), ['4.*'], { timeoutScale: SCALE });
      const expected = table(['4.*'], (id) => (/\.[12]$/.test(id) ? 'OK / FAILED' : 'FAILED / FAILED'));
      assert.deepEqual(verdicts(results), expected);
      // OK / FAILED is still a failure for CI.
      assert.ok(results.every(isCaseFailure));
    });
  });
});

describe('a server that answers every close with code 3333', () => {
  withBrokenServer({ closeCode: 3333 }, (url) => {
    test('7.x: WRONG CODE, which fails the case (FAILED / WRONG CODE); 7.3.6 is a protocol error (1002): OK / OK; 7.1.6, 7.13.x INFORMATIONAL', async () => {
      const results = await runCases(url(), ['7.*'], { timeoutScale: SCALE });
      const expected = table(['7.*'], (id) =>
        id === '7.1.6' || id.startsWith('7.13.') ? 'INFORMATIONAL / INFORMATIONAL' : id === '7.3.6' ? 'OK / OK' : 'FAILED / WRONG CODE',
      );
      assert.deepEqual(verdicts(results), expected);
      const byId = new Map(results.map((r) => [r.caseId, r]));
      assert.equal(byId.get('7.1.1')!.result, 'The close code should have been 1000 or empty');
      assert.equal(byId.get('7.7.10')!.result, 'The close code should have been 1000,3000 or empty');
      assert.equal(byId.get('7.9.1')!.result, 'The close code should have been 1002 or empty');
      assert.equal(byId.get('7.1.1')!.closeFacts.remoteCloseCode, 3333);
    });
  });
});

describe('a server that answers every close with 1012 (Service Restart)', () => {
  withBrokenServer({ closeCode: 1012 }, (url) => {
    test('1.1.1-1.1.3: Autobahn 0.10.9 refuses 1012 (its list predates it): a violation while closing drops TCP: OK / UNCLEAN, not WRONG CODE', async () => {
      const patterns = ['1.1.1', '1.1.2', '1.1.3'];
      const results = await runCases(url(), patterns, { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), table(patterns, () => 'OK / UNCLEAN'));
      for (const r of results) {
        assert.deepEqual([r.closeFacts.remoteCloseCode, r.closeFacts.wasClean, r.closeFacts.droppedByMe], [1012, false, true], r.caseId);
        assert.match(r.closeFacts.wasNotCleanReason ?? '', /protocol violation while closing: invalid close code 1012/, r.caseId);
      }
    });
  });
});

describe('the lax server, which answers every close frame with its code unchecked', () => {
  withBrokenServer({}, (url) => {
    test('7.9.x: the invalid code sent comes back, which Autobahn records before it checks it: FAILED / WRONG CODE; we drop TCP', async () => {
      const results = await runCases(url(), ['7.9.*'], { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), table(['7.9.*'], () => 'FAILED / WRONG CODE'));
      for (const r of results) {
        const sent = r.closeFacts.localCloseCode;
        assert.ok(sent !== null && sent !== 1002, r.caseId);
        assert.equal(r.closeFacts.remoteCloseCode, sent, `${r.caseId}: the echoed code is recorded`);
        assert.equal(r.result, 'The close code should have been 1002 or empty');
        assert.equal(r.closeFacts.droppedByMe, true, `${r.caseId}: broken while closing, so we drop TCP as Autobahn does`);
      }
    });

    test('7.3.2 sends the one-octet close payload "a" (Autobahn\'s sendCloseFrame(reasonUtf8="a")), not an empty one', async () => {
      const [result] = await runCases(url(), ['7.3.2'], { timeoutScale: SCALE });
      const closes = result.wireLog.filter((e) => e.kind === 'tx-frame' && e.opcode === 8);
      assert.deepEqual(closes.map((e) => e.kind === 'tx-frame' && Buffer.from(e.payload).toString('latin1')), ['a']);
      assert.equal(result.closeFacts.localCloseCode, null);
      assert.equal(result.closeFacts.localCloseReason, 'a');
    });
  });
});

describe('a server that answers every permessage-deflate offer with a bare "permessage-deflate"', () => {
  withBrokenServer({ bareDeflate: true }, (url) => {
    test('12.x/13.x subset: Autobahn takes any well-formed answer and runs the case; the uncompressed echoes are right: OK / OK', async () => {
      const results = await runCases(url(), DEFLATE_CASES, { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), Object.fromEntries(DEFLATE_CASES.map((id) => [id, 'OK / OK'])));
    });
  });
});

describe('a server that drops TCP when it gets a close frame (like the seed report\'s agent)', () => {
  withBrokenServer({ dropOnClose: true }, (url) => {
    test('1.1.x, 5.19, 5.20: events OK, closing UNCLEAN with the seed\'s reason', async () => {
      const patterns = ['1.1.*', '5.19', '5.20'];
      const results = await runCases(url(), patterns, { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), table(patterns, () => 'OK / UNCLEAN'));
      for (const r of results) {
        assert.equal(r.closeFacts.wasClean, false);
        assert.equal(r.closeFacts.wasNotCleanReason, 'peer dropped the TCP connection without previous WebSocket closing handshake');
        assert.equal(isCaseFailure(r), false, 'UNCLEAN is reported, not a CI failure');
      }
    });
  });
});

describe('a server that ignores pings', () => {
  withBrokenServer({ ignorePings: true }, (url) => {
    test('2.x: no pong where one is expected: FAILED / OK; 2.5 (126-octet ping, a protocol error), 2.7, 2.8 (no pong expected): OK / OK', async () => {
      const results = await runCases(url(), ['2.*'], { timeoutScale: SCALE });
      const expected = table(['2.*'], (id) => (['2.5', '2.7', '2.8'].includes(id) ? 'OK / OK' : 'FAILED / OK'));
      assert.deepEqual(verdicts(results), expected);
    });
  });
});

describe('a server that corrupts permessage-deflate', () => {
  withBrokenServer({ corruptDeflate: true }, (url) => {
    test('12.x/13.x subset: data that does not inflate drops TCP without a close frame, as Autobahn\'s raising inflater does: FAILED / FAILED', async () => {
      const results = await runCases(url(), DEFLATE_CASES, { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), Object.fromEntries(DEFLATE_CASES.map((id) => [id, 'FAILED / FAILED'])));
      for (const r of results) {
        const { failedByMe, closedByMe, droppedByMe, localCloseCode, wasNotCleanReason } = r.closeFacts;
        assert.deepEqual({ failedByMe, closedByMe, droppedByMe, localCloseCode }, { failedByMe: false, closedByMe: false, droppedByMe: true, localCloseCode: null }, r.caseId);
        assert.match(wasNotCleanReason ?? '', /^invalid compressed data: .*Autobahn's inflater raises/, r.caseId);
        assert.equal(r.resultClose, 'The connection was failed by the wrong endpoint', r.caseId);
        assert.ok(!r.wireLog.some((e) => e.kind === 'tx-frame' && e.opcode === 8), `${r.caseId}: no close frame sent`);
      }
      assert.ok(results.every(isCaseFailure));
    });
  });
});

describe('a server that sets RSV1 on its echoes, and closes properly', () => {
  withBrokenServer({ echoRsv: true }, (url) => {
    test('1.1.x: we fail the echo (1002) and read on, as Autobahn does: the server\'s close is the reply, clean, with its code: FAILED / WRONG CODE', async () => {
      const results = await runCases(url(), ['1.1.*'], { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), table(['1.1.*'], () => 'FAILED / WRONG CODE'));
      for (const r of results) {
        const { failedByMe, localCloseCode, remoteCloseCode, wasClean, wasCloseHandshakeTimeout, droppedByMe } = r.closeFacts;
        assert.deepEqual({ failedByMe, localCloseCode, remoteCloseCode, wasClean, wasCloseHandshakeTimeout, droppedByMe }, { failedByMe: true, localCloseCode: 1002, remoteCloseCode: 1002, wasClean: true, wasCloseHandshakeTimeout: false, droppedByMe: false }, r.caseId);
        assert.equal(r.closeFacts.remoteCloseReason, null, `${r.caseId}: a close with a code and no reason has no reason (Autobahn's None), not ""`);
        assert.equal(r.resultClose, 'The close code should have been 1000 or empty');
        // The echo that broke the protocol is logged after our close, then the reply.
        const frames = r.wireLog.flatMap((e) => (e.kind === 'rx-frame' || e.kind === 'tx-frame' ? [`${e.kind} ${e.opcode}${e.rsv ? ` rsv=${e.rsv}` : ''}`] : []));
        assert.deepEqual(frames.slice(-3), ['tx-frame 8', 'rx-frame 1 rsv=4', 'rx-frame 8'], r.caseId);
      }
    });
  });
});

describe('a server that sets RSV1 on its echoes, answers our close with 1000, and sends a frame after it', () => {
  withBrokenServer({ echoRsv: true, closeCode: 1000, frameAfterClose: true }, (url) => {
    test('1.1.1: as a client Autobahn reads on after the reply; the frame after it drops TCP, the handshake still clean: FAILED / FAILED BY CLIENT', async () => {
      const [r] = await runCases(url(), ['1.1.1'], { timeoutScale: SCALE });
      assert.deepEqual(verdicts([r]), { '1.1.1': 'FAILED / FAILED BY CLIENT' });
      assert.deepEqual([r.closeFacts.wasClean, r.closeFacts.droppedByMe, r.closeFacts.remoteCloseCode], [true, true, 1000]);
    });
  });
});

describe('a server that masks the frames it sends', () => {
  withBrokenServer({ maskFrames: true }, (url) => {
    test('1.1.x: we fail the masked echo; its masked close reply is a second violation, so TCP is dropped at once: FAILED / UNCLEAN', async () => {
      const results = await runCases(url(), ['1.1.*'], { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), table(['1.1.*'], () => 'FAILED / UNCLEAN'));
      for (const r of results) {
        assert.equal(r.closeFacts.localCloseCode, 1002, r.caseId);
        assert.equal(r.closeFacts.droppedByMe, true, r.caseId);
        assert.equal(r.closeFacts.wasCloseHandshakeTimeout, false, `${r.caseId}: no wait for a reply that came`);
        assert.equal(r.closeFacts.wasNotCleanReason, 'protocol violation while closing: masked server-to-client frame', r.caseId);
        // The frame that broke the protocol and the reply are both in the wire log, after our close.
        const log = r.wireLog.map((e) => (e.kind === 'rx-frame' || e.kind === 'tx-frame' ? `${e.kind} ${e.opcode}` : e.kind)).filter((k) => k !== 'rx-octets');
        assert.deepEqual(log.slice(-4), ['tx-frame 8', 'tx-octets', 'rx-frame 1', 'tcp-dropped-by-me'], r.caseId);
      }
    });
  });
});

describe('a server that sends every length in the 16-bit form (not the minimal encoding)', () => {
  withBrokenServer({ longLengths: true }, (url) => {
    test('1.1.1-1.1.2: Autobahn fails the echo (1002), and the close reply in the 16-bit form drops TCP; 1.1.3-1.1.5 (126 octets and more) only the latter', async () => {
      const patterns = ['1.1.1', '1.1.2', '1.1.3', '1.1.4', '1.1.5'];
      const results = await runCases(url(), patterns, { timeoutScale: SCALE });
      assert.deepEqual(verdicts(results), table(patterns, (id) => (id <= '1.1.2' ? 'FAILED / UNCLEAN' : 'OK / UNCLEAN')));
      for (const r of results.slice(0, 2)) {
        assert.equal(r.closeFacts.localCloseCode, 1002, r.caseId);
        assert.equal(r.closeFacts.wasNotCleanReason, 'protocol violation while closing: control frame with payload length > 125 octets', r.caseId);
      }
    });
  });
});
