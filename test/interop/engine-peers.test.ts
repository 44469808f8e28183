// Our engine against real peers: `wsw serve` (the built CLI) driven by python3-websockets' client
// and by Chromium's own WebSocket, over ws and wss, with and without permessage-deflate; and our
// client against python3-websockets' server. Payloads of 0, 1, 125, 126, 127, 65535, 65536 bytes and
// 16 MiB, text and binary, pings, fragmented messages with pings between, every valid close code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  echo, expectedEchoResult, fillBytes, runBrowserWebSocket, runPythonClient, runWorkbenchClient, startChromium, startPythonEchoServer, startWswServe, testCert,
  type ChromiumSession, type EchoServer, type PeerResult, type Step, type WswServe,
} from '../peers';
import { connect } from '../../src/transport';

const cert = testCert();
const SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 16 * 1024 * 1024];
const VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999];

/** Every size as text and binary (distinct seeds), a multi-byte text, a ping, then close 4000 with a reason. */
const traffic = (sizes = SIZES): Step[] => [
  ...echo('text', { text: 'héllo ✓ 🎉' }),
  ...sizes.flatMap((n) => [...echo('text', { fill: n, seed: n + 1 }), ...echo('binary', { fill: n, seed: n + 2 })]),
  { op: 'ping', data: { text: 'are you there?' } },
  { op: 'close', code: 4000, reason: 'bye ✓' },
];

/** Compares a whole result with what an echo peer must produce; the extension answer is checked apart. */
function assertEcho(result: PeerResult, steps: Step[], deflate: boolean): void {
  if (deflate) assert.match(result.extensions, /^permessage-deflate\b/, 'permessage-deflate negotiated');
  else assert.equal(result.extensions, '');
  assert.deepEqual(result, expectedEchoResult(result.peer, steps, { extensions: result.extensions }));
}

before(() => {
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: join(__dirname, '..', '..'), stdio: 'inherit' });
  assert.equal(build.status, 0, 'build');
});

for (const deflate of [false, true]) {
  describe(`wsw serve ${deflate ? 'with' : 'without'} permessage-deflate, against real clients`, () => {
    let serve: WswServe;
    before(async () => (serve = await startWswServe({ deflate, tls: cert })));
    after(() => serve.stop());

    for (const scheme of ['ws', 'wss'] as const) {
      test(`python3-websockets client over ${scheme}: every size, text and binary, ping, close 4000`, async () => {
        const url = scheme === 'ws' ? serve.ws.url : serve.wss!.url;
        const steps = traffic();
        assertEcho(await runPythonClient(url, steps, { deflate, ca: cert.cert, timeoutMs: 30_000 }), steps, deflate);
      });
    }

    test('python3-websockets client: each valid close code comes back', async () => {
      for (const code of VALID_CLOSE_CODES) {
        const steps: Step[] = [...echo('text', { text: `code ${code}` }), { op: 'close', code, reason: 'r' }];
        assertEcho(await runPythonClient(serve.ws.url, steps, { deflate }), steps, deflate);
      }
    });

    describe('Chromium', () => {
      let chromium: ChromiumSession;
      before(async () => (chromium = await startChromium({ trustCert: cert })));
      after(() => chromium.close());
      for (const scheme of ['ws', 'wss'] as const) {
        test(`Chromium's WebSocket over ${scheme}: every size, text and binary, close 4000`, async () => {
          const url = scheme === 'ws' ? serve.ws.url : serve.wss!.url;
          // The browser cannot send pings; it always offers permessage-deflate, which we accept or decline.
          const steps = traffic().filter((s) => s.op !== 'ping');
          assertEcho(await runBrowserWebSocket(chromium.page, url, steps, { timeoutMs: 30_000 }), steps, deflate);
        });
      }
      test("Chromium's WebSocket: the close codes a browser may send (1000, 3000-4999) come back", async () => {
        for (const code of [1000, 3000, 4000, 4999]) {
          const steps: Step[] = [...echo('binary', { hex: '0102' }), { op: 'close', code, reason: 'bye' }];
          assertEcho(await runBrowserWebSocket(chromium.page, serve.ws.url, steps), steps, deflate);
        }
      });
    });
  });
}

describe('our client against the python3-websockets server', () => {
  const servers: Record<string, EchoServer> = {};
  before(async () => {
    servers.plain = await startPythonEchoServer({});
    servers.deflate = await startPythonEchoServer({ deflate: true });
    servers.tls = await startPythonEchoServer({ tls: cert, deflate: true });
  });
  after(() => Promise.all(Object.values(servers).map((s) => s.stop())));

  for (const [name, deflate] of [['plain', false], ['deflate', true]] as const) {
    test(`${name}: every size, text and binary, ping, close 4000`, async () => {
      const steps = traffic();
      assertEcho(await runWorkbenchClient(servers[name].url, steps, { deflate, timeoutMs: 30_000 }), steps, deflate);
    });
  }

  test('wss with the self-signed certificate trusted through ca, deflate on', async () => {
    const steps = traffic([0, 126, 65_536]);
    assertEcho(await runWorkbenchClient(servers.tls.url, steps, { deflate: true, ca: cert.cert }), steps, true);
  });

  test('wss without trusting the certificate is refused', async () => {
    const result = await runWorkbenchClient(servers.tls.url, [], {});
    assert.equal(result.opened, false);
    assert.match(result.errors[0], /^connect: TLS handshake .* failed/);
  });

  test('each valid close code comes back', async () => {
    for (const code of VALID_CLOSE_CODES) {
      const steps: Step[] = [{ op: 'close', code, reason: 'r' }];
      assertEcho(await runWorkbenchClient(servers.plain.url, steps), steps, false);
    }
  });

  for (const deflate of [false, true]) {
    test(`a message fragmented into frames with pings between them (deflate ${deflate ? 'on' : 'off'})`, async () => {
      const ws = await connect(deflate ? servers.deflate.url : servers.plain.url, { deflate });
      const pongs: string[] = [];
      ws.on('pong', (p) => pongs.push(Buffer.from(p).toString()));
      const echoed = new Promise<Uint8Array>((resolve) => ws.once('message', (data) => resolve(data)));
      // Fragment sizes apply to the wire payload (compressed, with deflate): use text that stays long.
      const text = Buffer.from(fillBytes(5500, 3, true)).toString();
      ws.send(text, { fragments: [1, 7, 300, 0, 1000], pingsAfter: new Map([[0, Buffer.from('a')], [2, Buffer.from('b')], [3, Buffer.from('c')]]) });
      assert.equal(Buffer.from(await echoed).toString(), text);
      const info = await ws.close(1000);
      assert.deepEqual(pongs, ['a', 'b', 'c']);
      assert.equal(info.wasClean, true);
    });
  }

  // python3-websockets agrees to server_max_window_bits=8 but Python's zlib cannot compress with an
  // 8-bit window, so 8 is tried against ws (ws-peer.test.ts) and 9 here.
  test('each permessage-deflate parameter offered by our client is accepted and works', { timeout: 60_000 }, async () => {
    const offers = [
      { serverNoContextTakeover: true },
      { clientNoContextTakeover: true },
      { serverMaxWindowBits: 10 },
      { clientMaxWindowBits: 9 },
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 8 },
    ];
    for (const offer of offers) {
      const ws = await connect(servers.deflate.url, { deflate: offer });
      assert.ok(ws.info.deflate, `negotiated for ${JSON.stringify(offer)}`);
      for (const [key, value] of Object.entries(offer)) assert.equal(ws.info.deflate![key as keyof typeof offer], value, `${key} agreed`);
      const messages = ['Hello Hello Hello Hello', 'Hello Hello Hello Hello again', 'x'.repeat(70_000)];
      for (const m of messages) {
        const echoed = new Promise<Uint8Array>((resolve) => ws.once('message', (data) => resolve(data)));
        ws.send(m);
        assert.equal(Buffer.from(await echoed).toString(), m);
      }
      assert.equal((await ws.close()).wasClean, true);
    }
  });
});
