// Evidence 1 and 2 of issue 3: the catalogue against servers known to pass Autobahn — the `ws`
// echo server and our own `wsw serve` (the built CLI), each with and without permessage-deflate —
// and no case FAILED (isCaseFailure: behaviour or closing behaviour FAILED). Sections 1-7, 9, 10
// in full; 12.x/13.x as DEFLATE_CASES (helpers.ts). Timers at GOOD_PEER_SCALE (2) times
// Autobahn's: see helpers.ts for why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectCases } from '../../src/cases/catalogue';
import { reportFiles } from '../../src/report';
import { startWswServe, type WswServe } from '../peers';
import { CORE_SECTIONS, DEFLATE_CASES, GOOD_PEER_SCALE, assertNoFailure, buildCli, runCases, runCoreSections, startWsEchoProcess, type ServerProcess } from './helpers';

const coreCount = selectCases(CORE_SECTIONS).length;

before(() => buildCli());

for (const deflate of [false, true]) {
  const label = deflate ? 'with permessage-deflate' : 'without permessage-deflate';

  describe(`the ws echo server ${label}${deflate ? ' (threshold 0: every message compressed)' : ''}`, () => {
    let server: ServerProcess;
    before(async () => (server = await startWsEchoProcess({ deflate })));
    after(() => server?.stop());

    if (!deflate) {
      test('sections 1-7, 9, 10: no case FAILED', async () => {
        assertNoFailure(await runCoreSections(server.url), coreCount);
      });
    }

    test(`12.x/13.x subset: ${deflate ? 'no case FAILED, every one OK' : 'UNIMPLEMENTED, not FAILED'}`, async () => {
      const results = await runCases(server.url, DEFLATE_CASES, { parallel: 4, timeoutScale: GOOD_PEER_SCALE });
      assertNoFailure(results, DEFLATE_CASES.length);
      for (const r of results) assert.equal(r.behavior, deflate ? 'OK' : 'UNIMPLEMENTED', r.caseId);
    });
  });

  describe(`wsw serve ${label}`, () => {
    let serve: WswServe;
    before(async () => (serve = await startWswServe({ deflate })));
    after(() => serve?.stop());

    if (!deflate) {
      test('sections 1-7, 9, 10: no case FAILED', async () => {
        assertNoFailure(await runCoreSections(serve.ws.url), coreCount);
      });
    }

    test(`12.x/13.x subset: ${deflate ? 'no case FAILED, every one OK, with the traffic and compression ratios reported' : 'UNIMPLEMENTED, not FAILED'}`, async () => {
      const results = await runCases(serve.ws.url, DEFLATE_CASES, { parallel: 4, timeoutScale: GOOD_PEER_SCALE });
      assertNoFailure(results, DEFLATE_CASES.length);
      for (const r of results) assert.equal(r.behavior, deflate ? 'OK' : 'UNIMPLEMENTED', r.caseId);
      if (!deflate) return;
      const files = new Map(reportFiles(results).map((f) => [f.path, f.content]));
      for (const r of results) {
        const t = r.trafficStats;
        assert.ok(t && r.reportCompressionRatio, `${r.caseId}: traffic captured`);
        // Every message sent came back, as many octets for the application both ways.
        assert.equal(t.incomingWebSocketMessages, t.outgoingWebSocketMessages, r.caseId);
        assert.equal(t.incomingOctetsAppLevel, t.outgoingOctetsAppLevel, r.caseId);
        assert.ok(t.outgoingWebSocketFrames >= t.outgoingWebSocketMessages && t.preopenOutgoingOctetsWireLevel > 0, r.caseId);
        // Compressed both ways, and framing on top of the payloads on the wire.
        assert.ok(t.incomingOctetsWebSocketLevel !== t.incomingOctetsAppLevel && t.outgoingOctetsWebSocketLevel !== t.outgoingOctetsAppLevel, r.caseId);
        assert.ok(t.incomingOctetsWireLevel > t.incomingOctetsWebSocketLevel && t.outgoingOctetsWireLevel > t.outgoingOctetsWebSocketLevel, r.caseId);
        const json = JSON.parse(files.get(r.reportfile)!) as { reportCompressionRatio: boolean; trafficStats: Record<string, number> };
        assert.equal(json.reportCompressionRatio, true);
        assert.equal(json.trafficStats.incomingCompressionRatio, t.incomingOctetsWebSocketLevel / t.incomingOctetsAppLevel);
        assert.equal(json.trafficStats.outgoingOctetsAppLevel, t.outgoingOctetsAppLevel);
        // The wire log is off for the bulk traffic; Autobahn's timer lines and the TCP drop stay.
        const markers = r.wireLog.map((e) => e.kind).filter((kind) => !['rx-octets', 'tx-octets', 'rx-frame', 'tx-frame'].includes(kind));
        assert.deepEqual([markers[0], markers[1], markers.at(-1)], ['wirelog-mode', 'close-connection-after', 'tcp-dropped-by-peer'], r.caseId);
        const ratio = (n: number) => n.toFixed(3);
        assert.ok(files.get('index.html')!.includes(`ms [${ratio(json.trafficStats.incomingCompressionRatio)}/${ratio(json.trafficStats.outgoingCompressionRatio)}]`), `${r.caseId}: ratios in index.html`);
      }
    });
  });
}
