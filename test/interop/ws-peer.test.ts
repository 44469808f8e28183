// Interop with the `ws` package (a devDependency): our client against a ws echo server, and the
// ws client against our server, over loopback, for every payload size, fragmentation with pings,
// every valid close code, each permessage-deflate parameter combination, and wss.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import WebSocket, { WebSocketServer as WsServer, type PerMessageDeflateOptions } from 'ws';
import { connect, createSelfSignedCertificate, listen, type ClientOptions, type ServerOptions, type WebSocketConnection, type WebSocketServer } from '../../src/transport';
import type { DeflateOptions } from '../../src/engine';

const sizes = [0, 1, 125, 126, 127, 65535, 65536, 16 * 1024 * 1024];
const validCloseCodes = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999];

function payload(size: number, text: boolean): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = text ? 0x61 + (i % 26) : (i * 7 + 3) & 0xff;
  return b;
}

async function startWsEcho(options: { perMessageDeflate?: boolean | PerMessageDeflateOptions } = {}): Promise<{ url: string; server: WsServer; close: () => Promise<void> }> {
  const server = new WsServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024, perMessageDeflate: options.perMessageDeflate ?? false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data as Buffer, { binary })));
  const port = (server.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}/`, server, close: () => new Promise((resolve) => { for (const c of server.clients) c.terminate(); server.close(() => resolve()); }) };
}

async function startOurEcho(options: ServerOptions = {}): Promise<WebSocketServer> {
  const server = await listen({ limits: { maxMessageSize: 64 * 1024 * 1024 }, ...options });
  server.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  return server;
}

/** Sends each message through our client and collects the echoes. */
async function echoThroughOurClient(url: string, messages: { data: Buffer; binary: boolean; fragments?: number[]; pingsAfter?: Map<number, Uint8Array> }[], options: ClientOptions = {}) {
  const ws = await connect(url, options);
  const received: { data: Buffer; binary: boolean }[] = [];
  const pongs: string[] = [];
  ws.on('pong', (data) => pongs.push(Buffer.from(data).toString()));
  const done = new Promise<void>((resolve) => ws.on('message', (data, binary) => {
    received.push({ data: Buffer.from(data), binary });
    if (received.length === messages.length) resolve();
  }));
  for (const m of messages) ws.send(m.data, { binary: m.binary, fragments: m.fragments, pingsAfter: m.pingsAfter });
  if (messages.length) await done;
  const info = await ws.close(1000);
  return { received, pongs, info, ws };
}

async function openWsClient(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const client = new WebSocket(url, { maxPayload: 64 * 1024 * 1024, ...options });
  await new Promise<void>((resolve, reject) => {
    client.once('open', () => resolve());
    client.once('error', reject);
  });
  return client;
}

function nextMessage(client: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => client.once('message', (data, binary) => resolve({ data: data as Buffer, binary })));
}

function closeOf(client: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => client.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('our client against the ws server', () => {
  let peer: Awaited<ReturnType<typeof startWsEcho>>;
  before(async () => (peer = await startWsEcho()));
  after(() => peer.close());

  for (const binary of [false, true]) {
    test(`${binary ? 'binary' : 'text'} messages of ${sizes.join(', ')} bytes echo back intact`, async () => {
      const messages = sizes.map((size) => ({ data: payload(size, !binary), binary }));
      const { received, info } = await echoThroughOurClient(peer.url, messages);
      assert.equal(received.length, messages.length);
      received.forEach((r, i) => {
        assert.equal(r.binary, binary);
        assert.ok(r.data.equals(messages[i].data), `message ${i} of ${messages[i].data.length} bytes differs`);
      });
      assert.equal(info.wasClean, true);
      assert.equal(info.code, 1000);
    });
  }

  test('a message fragmented into 7 frames with pings between them echoes whole, each ping answered', async () => {
    const data = payload(1000, true);
    const pings = new Map([[0, Buffer.from('p0')], [3, Buffer.from('p3')], [5, Buffer.from('p5')]]);
    const { received, pongs } = await echoThroughOurClient(peer.url, [{ data, binary: false, fragments: [1, 10, 100, 0, 200, 300], pingsAfter: pings }]);
    assert.ok(received[0].data.equals(data));
    assert.deepEqual(pongs, ['p0', 'p3', 'p5']);
  });

  for (const code of validCloseCodes) {
    test(`close with ${code} is echoed by ws and ends clean`, async () => {
      const ws = await connect(peer.url);
      const info = await ws.close(code, 'bye');
      assert.equal(info.wasClean, true);
      assert.equal(info.code, code);
      assert.deepEqual(info.sent, { code, reason: 'bye' });
    });
  }
});

describe('the ws client against our server', () => {
  let server: WebSocketServer;
  before(async () => (server = await startOurEcho()));
  after(() => server.close());

  for (const binary of [false, true]) {
    test(`${binary ? 'binary' : 'text'} messages of ${sizes.join(', ')} bytes echo back intact`, async () => {
      const client = await openWsClient(server.url);
      for (const size of sizes) {
        const data = payload(size, !binary);
        const echoed = nextMessage(client);
        client.send(data, { binary });
        const got = await echoed;
        assert.equal(got.binary, binary);
        assert.ok(got.data.equals(data), `${size} bytes differ`);
      }
      const closed = closeOf(client);
      client.close(1000);
      assert.deepEqual(await closed, { code: 1000, reason: '' });
    });
  }

  test('a fragmented message with pings between the fragments is assembled and each ping answered', async () => {
    const client = await openWsClient(server.url);
    const pongs: string[] = [];
    client.on('pong', (data) => pongs.push(data.toString()));
    const echoed = nextMessage(client);
    client.send('frag', { fin: false });
    client.ping('a');
    client.send('men', { fin: false });
    client.ping('b');
    client.send('ted', { fin: true });
    const got = await echoed;
    assert.equal(got.data.toString(), 'fragmented');
    assert.deepEqual(pongs, ['a', 'b']);
    client.close();
    await closeOf(client);
  });

  for (const code of validCloseCodes) {
    test(`the ws client closing with ${code} gets ${code} back`, async () => {
      const client = await openWsClient(server.url);
      const closed = closeOf(client);
      client.close(code, 'done');
      assert.equal((await closed).code, code);
    });
  }

  test('our server closing with a code and reason reaches the ws client', async () => {
    const connected = new Promise<WebSocketConnection>((resolve) => server.once('connection', resolve));
    const client = await openWsClient(server.url);
    const ours = await connected;
    const closed = closeOf(client);
    const info = ours.close(4321, 'server says bye');
    assert.deepEqual(await closed, { code: 4321, reason: 'server says bye' });
    assert.equal((await info).wasClean, true);
  });
});

// Each parameter of RFC 7692 on its own, a few combinations, and the window-bit range.
const deflateCases: { name: string; ours: DeflateOptions; theirs: PerMessageDeflateOptions }[] = [
  { name: 'defaults', ours: {}, theirs: {} },
  { name: 'server_no_context_takeover', ours: { serverNoContextTakeover: true }, theirs: { serverNoContextTakeover: true } },
  { name: 'client_no_context_takeover', ours: { clientNoContextTakeover: true }, theirs: { clientNoContextTakeover: true } },
  { name: 'both no_context_takeover', ours: { serverNoContextTakeover: true, clientNoContextTakeover: true }, theirs: { serverNoContextTakeover: true, clientNoContextTakeover: true } },
  ...[8, 9, 10, 12, 15].map((bits) => ({ name: `server_max_window_bits=${bits}`, ours: { serverMaxWindowBits: bits }, theirs: { serverMaxWindowBits: bits } })),
  ...[8, 9, 11, 15].map((bits) => ({ name: `client_max_window_bits=${bits}`, ours: { clientMaxWindowBits: bits }, theirs: { clientMaxWindowBits: bits } })),
  { name: 'all four', ours: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 }, theirs: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 } },
];

// Repetitive text compresses well and exercises back-references across messages (context takeover).
const deflateMessages = [
  { data: Buffer.from('Hello, permessage-deflate! '.repeat(40)), binary: false },
  { data: Buffer.from('Hello, permessage-deflate! '.repeat(41)), binary: false },
  { data: payload(70000, false), binary: true },
  { data: Buffer.alloc(0), binary: false },
  { data: Buffer.from('Hello again'), binary: false },
];

describe('permessage-deflate with ws, each parameter both ways', () => {
  for (const c of deflateCases) {
    test(`our client → ws server: ${c.name}`, async () => {
      const peer = await startWsEcho({ perMessageDeflate: { ...c.theirs, threshold: 0 } });
      try {
        const { received, ws, info } = await echoThroughOurClient(peer.url, deflateMessages, { deflate: c.ours });
        assert.ok(ws.info.deflate, 'permessage-deflate was negotiated');
        if (c.ours.serverNoContextTakeover) assert.equal(ws.info.deflate!.serverNoContextTakeover, true);
        if (c.ours.serverMaxWindowBits) assert.equal(ws.info.deflate!.serverMaxWindowBits, c.ours.serverMaxWindowBits);
        received.forEach((r, i) => assert.ok(r.data.equals(deflateMessages[i].data), `message ${i} differs`));
        assert.equal(info.wasClean, true);
      } finally {
        await peer.close();
      }
    });
    test(`ws client → our server: ${c.name}`, async () => {
      const server = await startOurEcho({ deflate: { ...c.ours, threshold: 0 } });
      try {
        const client = await openWsClient(server.url, { perMessageDeflate: { ...c.theirs, threshold: 0 } });
        assert.match(client.extensions, /permessage-deflate/);
        for (const m of deflateMessages) {
          const echoed = nextMessage(client);
          client.send(m.data, { binary: m.binary, compress: true });
          const got = await echoed;
          assert.ok(got.data.equals(m.data));
        }
        const closed = closeOf(client);
        client.close(1000);
        assert.equal((await closed).code, 1000);
      } finally {
        await server.close();
      }
    });
  }
});

describe('wss with a self-signed certificate', () => {
  test('the ws client trusts our self-signed server through its CA option', async () => {
    const cert = createSelfSignedCertificate();
    const server = await startOurEcho({ tls: cert });
    try {
      const client = await openWsClient(`wss://localhost:${server.port}/`, { ca: cert.cert });
      const echoed = nextMessage(client);
      client.send('over tls');
      assert.equal((await echoed).data.toString(), 'over tls');
      client.close();
      await closeOf(client);
    } finally {
      await server.close();
    }
  });

  test('our client verifies the certificate by default, refuses an unknown one, and accepts it with ca or insecure', async () => {
    const cert = createSelfSignedCertificate();
    const https = createHttpsServer({ cert: cert.cert, key: cert.key });
    const wss = new WsServer({ server: https });
    wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data as Buffer, { binary })));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', () => resolve()));
    const url = `wss://localhost:${(https.address() as { port: number }).port}/`;
    try {
      await assert.rejects(connect(url), (error: Error & { code?: string }) => error.code === 'WSW_CONNECT_TLS' && /self-signed|certificate/i.test(error.message));
      for (const options of [{ ca: cert.cert }, { insecure: true }]) {
        const { received, info } = await echoThroughOurClient(url, [{ data: Buffer.from('secure'), binary: false }], options);
        assert.equal(received[0].data.toString(), 'secure');
        assert.equal(info.wasClean, true);
      }
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => https.close(resolve));
    }
  });
});
