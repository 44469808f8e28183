// Self-test of the real-peer harnesses (test/peers/) against each other, before our engine is
// plugged in: python3-websockets, `ws` and headless Chromium, over ws and wss, with and without
// permessage-deflate. Every result is compared whole with what an echo peer must produce, and the
// failure paths (time-outs, untrusted certificates, refused connections) are checked too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import {
  echo, expectedEchoResult, runBrowserWebSocket, runPythonClient, runWorkbenchClient, runWsClient, startChromium, startPythonEchoServer,
  startWsEchoServer, testCert, waitForClosed, withChromium, withoutPings,
  type ChromiumSession, type ClientOptions, type EchoServer, type EchoServerOptions, type PeerResult, type Step,
} from '../peers';

const cert = testCert();
const SIZES = [0, 125, 126, 65_536, 1 << 20];
const REASON = 'bye ✓';

/** Text and binary of every size (distinct seeds), a multi-byte text, a ping, then close 4000 with a reason. */
const traffic: Step[] = [
  ...echo('text', { text: 'héllo ✓ 🎉' }),
  ...SIZES.flatMap((n) => [...echo('text', { fill: n, seed: n + 1 }), ...echo('binary', { fill: n, seed: n + 2 })]),
  { op: 'ping', data: { text: 'are you there?' } },
  { op: 'close', code: 4000, reason: REASON },
];
/** A second connection: one small binary message, then close 1000 without a reason. */
const short: Step[] = [...echo('binary', { hex: '00ff80' }), { op: 'close', code: 1000 }];

type ServerKind = 'python' | 'ws';
const startServer: Record<ServerKind, (o: EchoServerOptions) => Promise<EchoServer>> = {
  python: startPythonEchoServer,
  ws: startWsEchoServer,
};
/** What each server answers to the offer all three clients make, `permessage-deflate; client_max_window_bits`. */
const deflateAnswer: Record<ServerKind, string> = {
  python: 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
  ws: 'permessage-deflate',
};
const OFFER = 'permessage-deflate; client_max_window_bits';

type Client = 'python' | 'ws' | 'chromium';
type Run = (url: string, steps: readonly Step[], options: ClientOptions) => Promise<PeerResult>;

async function checkPair(client: Client, run: Run, serverKind: ServerKind, tls: boolean, deflate: boolean, origin?: string): Promise<void> {
  const server = await startServer[serverKind]({ deflate, tls: tls ? cert : undefined });
  try {
    assert.equal(server.url.startsWith(tls ? 'wss://127.0.0.1:' : 'ws://127.0.0.1:'), true, server.url);
    // Chromium decides its offer itself (always deflate) and cannot ping.
    const options: ClientOptions = client === 'chromium' ? {} : { deflate, ca: cert.cert };
    const steps = client === 'chromium' ? withoutPings(traffic) : traffic;
    const extensions = deflate ? deflateAnswer[serverKind] : '';

    assert.deepEqual(await run(server.url, steps, options), expectedEchoResult(client, steps, { extensions }));
    assert.deepEqual(await run(server.url, short, options), expectedEchoResult(client, short, { extensions }));

    const offer = client === 'chromium' || deflate ? OFFER : undefined;
    const seen = (await waitForClosed(server, 2)).map((c) => ({
      path: c.path, offer: c.requestHeaders['sec-websocket-extensions'], extensions: c.extensions, protocol: c.protocol, close: c.close,
    }));
    assert.deepEqual(seen, [
      { path: '/', offer, extensions, protocol: '', close: { code: 4000, reason: REASON } },
      { path: '/', offer, extensions, protocol: '', close: { code: 1000, reason: '' } },
    ]);
    if (origin) assert.equal(server.connections[0].requestHeaders.origin, origin);
  } finally {
    await server.stop();
  }
}

const variants = [false, true].flatMap((tls) => [false, true].map((deflate) => ({ tls, deflate, name: `${tls ? 'wss' : 'ws'}, ${deflate ? 'deflate' : 'no deflate'}` })));

describe('python client ↔ ws server', () => {
  for (const v of variants) test(v.name, () => checkPair('python', runPythonClient, 'ws', v.tls, v.deflate));
});

describe('ws client ↔ python server', () => {
  for (const v of variants) test(v.name, () => checkPair('ws', runWsClient, 'python', v.tls, v.deflate));
});

describe('Chromium (trusting the test certificate by its SPKI hash)', () => {
  let session: ChromiumSession | undefined;
  before(async () => { session = await startChromium({ trustCert: cert }); });
  after(async () => { await session?.close(); });
  const run: Run = (url, steps, options) => runBrowserWebSocket(session!.page, url, steps, options);

  for (const serverKind of ['ws', 'python'] as const) {
    for (const v of variants) test(`↔ ${serverKind} server, ${v.name}`, () => checkPair('chromium', run, serverKind, v.tls, v.deflate, session!.origin));
  }

  test('records a ping step as an error (the browser API has no ping)', async () => {
    const server = await startWsEchoServer({});
    try {
      const result = await run(server.url, [...echo('text', { text: 'a' }), { op: 'ping' }, ...echo('text', { text: 'never sent' })], {});
      assert.deepEqual(result.errors, ['step 2 (ping): ping is not available in the browser WebSocket API']);
      assert.equal(result.messages.length, 1);
      assert.deepEqual(result.close, { code: 1000, reason: '', wasClean: true });
    } finally {
      await server.stop();
    }
  });

  test('refuses deflate: false (Chromium always offers it)', async () => {
    await assert.rejects(run('ws://127.0.0.1:1/', [], { deflate: false }), /always offers permessage-deflate/);
  });

  test('an empty close frame is reported as 1005 on both sides', async () => {
    const server = await startPythonEchoServer({});
    try {
      assert.deepEqual((await run(server.url, [{ op: 'close' }], {})).close, { code: 1005, reason: '', wasClean: true });
      assert.deepEqual((await waitForClosed(server, 1))[0].close, { code: 1005, reason: '' });
    } finally {
      await server.stop();
    }
  });

  test('negotiates a subprotocol', async () => {
    const server = await startPythonEchoServer({ subprotocols: ['chat.v2'] });
    try {
      const result = await run(server.url, [{ op: 'close', code: 1000 }], { subprotocols: ['chat.v1', 'chat.v2'] });
      assert.equal(result.protocol, 'chat.v2');
      assert.equal(server.connections[0].requestHeaders['sec-websocket-protocol'], 'chat.v1, chat.v2');
    } finally {
      await server.stop();
    }
  });
});

test('Chromium without trustCert refuses the self-signed certificate', async () => {
  const server = await startWsEchoServer({ tls: cert });
  try {
    const result = await withChromium((page) => runBrowserWebSocket(page, server.url, short, { timeoutMs: 5000 }));
    assert.equal(result.opened, false);
    assert.equal(result.close, null);
    assert.deepEqual(result.errors, ['connect: failed (close code 1006, error event)']);
    assert.equal(server.connections.length, 0);
  } finally {
    await server.stop();
  }
});

describe('harness failure paths and details', () => {
  test('an expect beyond what arrives times out, bounded, and the runner still closes', async () => {
    const server = await startWsEchoServer({});
    try {
      // only the expect is short: a fresh Python process may take longer than 300 ms to connect or close
      const steps: Step[] = [{ op: 'send', type: 'text', data: { text: 'once' } }, { op: 'expect', count: 2, withinMs: 300 }, { op: 'close', code: 4000 }];
      for (const run of [runPythonClient, runWsClient, runWorkbenchClient]) {
        const started = Date.now();
        const result = await run(server.url, steps, {});
        assert.ok(Date.now() - started < 5000, 'bounded');
        assert.equal(result.errors.length, 1, JSON.stringify(result.errors));
        assert.match(result.errors[0], /^step 1 \(expect\): timed out after 300 ms/);
        assert.equal(result.messages.length, 1);
        assert.deepEqual(result.close, { code: 1000, reason: '', wasClean: true });
      }
    } finally {
      await server.stop();
    }
  });

  test('untrusted certificates fail the connection unless ca or insecure is given', async () => {
    const server = await startPythonEchoServer({ tls: cert });
    try {
      const py = await runPythonClient(server.url, short, {});
      assert.equal(py.opened, false);
      assert.match(py.errors.join(), /^connect: SSLCertVerificationError: .*CERTIFICATE_VERIFY_FAILED.*self.signed certificate/);
      const ws = await runWsClient(server.url, short, {});
      assert.equal(ws.opened, false);
      assert.deepEqual(ws.errors, ['connect: self-signed certificate']);
      assert.deepEqual(await runPythonClient(server.url, short, { insecure: true }), expectedEchoResult('python', short));
      assert.deepEqual(await runWsClient(server.url, short, { insecure: true }), expectedEchoResult('ws', short));
    } finally {
      await server.stop();
    }
  });

  test('a refused connection is reported, not thrown', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `ws://127.0.0.1:${port}/`;
    const py = await runPythonClient(url, short, { timeoutMs: 2000 });
    assert.deepEqual({ ...py, errors: [] }, { peer: 'python', opened: false, extensions: '', protocol: '', messages: [], pongs: [], close: null, errors: [] });
    assert.match(py.errors.join(), /^connect: ConnectionRefusedError/);
    const ws = await runWsClient(url, short, { timeoutMs: 2000 });
    assert.deepEqual(ws.errors, [`connect: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  test('IPv6 loopback both ways', async () => {
    const wsServer = await startWsEchoServer({ host: '::1' });
    const pyServer = await startPythonEchoServer({ host: '::1' });
    try {
      assert.match(wsServer.url, /^ws:\/\/\[::1\]:\d+\/$/);
      assert.deepEqual(await runPythonClient(wsServer.url, short, {}), expectedEchoResult('python', short));
      assert.deepEqual(await runWsClient(pyServer.url, short, {}), expectedEchoResult('ws', short));
    } finally {
      await wsServer.stop();
      await pyServer.stop();
    }
  });

  test('empty close frames and subprotocols, python client ↔ ws server and ws client ↔ python server', async () => {
    const wsServer = await startWsEchoServer({ subprotocols: ['chat.v2'] });
    const pyServer = await startPythonEchoServer({ subprotocols: ['chat.v2'] });
    try {
      const steps: Step[] = [...echo('text', { text: 'x' }), { op: 'close' }];
      const options: ClientOptions = { subprotocols: ['chat.v1', 'chat.v2'] };
      assert.deepEqual(await runPythonClient(wsServer.url, steps, options), expectedEchoResult('python', steps, { protocol: 'chat.v2' }));
      assert.deepEqual(await runWsClient(pyServer.url, steps, options), expectedEchoResult('ws', steps, { protocol: 'chat.v2' }));
      assert.deepEqual((await waitForClosed(wsServer, 1))[0].close, { code: 1005, reason: '' });
      assert.deepEqual((await waitForClosed(pyServer, 1))[0].close, { code: 1005, reason: '' });
    } finally {
      await wsServer.stop();
      await pyServer.stop();
    }
  });

  test('explicit deflate parameters reach the wire', async () => {
    const server = await startPythonEchoServer({ deflate: { serverNoContextTakeover: true, clientMaxWindowBits: 10 } });
    try {
      const steps: Step[] = [...echo('text', { fill: 70_000 }), ...echo('text', { fill: 70_000 }), { op: 'close', code: 1000 }];
      const result = await runWsClient(server.url, steps, { deflate: { serverNoContextTakeover: true, clientMaxWindowBits: true } });
      assert.deepEqual(result, expectedEchoResult('ws', steps, { extensions: 'permessage-deflate; server_no_context_takeover; client_max_window_bits=10' }));
      assert.equal(server.connections[0].requestHeaders['sec-websocket-extensions'], 'permessage-deflate; server_no_context_takeover; client_max_window_bits');
    } finally {
      await server.stop();
    }
  });
});
