// Faults, each ending in a clear error or close and releasing every socket and timer (checked
// with process.getActiveResourcesInfo() before and after): resets mid-frame and mid-upgrade,
// half-open TCP, TLS handshake failures both ways, certificates that do not verify, DNS failure,
// and the server stopped mid-conversation, gracefully and by SIGKILL.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, createSelfSignedCertificate, listen, type WebSocketConnection } from '../../src/transport';
import { acceptUpgrade, clientFrame, delay, failOnUnhandled, rawClient, rawServer, readUntilClose, upgradedClient, upgradeRequest, within, withoutLeaks } from './helpers';

failOnUnhandled();

const root = join(__dirname, '..', '..');

describe('peer resets', () => {
  test('server: a client that resets mid-frame ends the connection 1006, unclean', () =>
    withoutLeaks(async () => {
      const server = await listen();
      const accepted = once(server, 'connection');
      try {
        const { socket } = await upgradedClient(server.port);
        const [ws] = (await accepted) as [WebSocketConnection];
        const messages: number[] = [];
        ws.on('message', (d) => messages.push(d.length));
        socket.write(clientFrame(2, new Uint8Array(1000)).subarray(0, 300)); // a third of a frame
        await delay(20);
        socket.resetAndDestroy();
        const info = await ws.closed;
        assert.deepEqual([info.wasClean, info.code, messages.length], [false, 1006, 0]);
        assert.equal(server.connections.size, 0);
      } finally {
        await server.close();
      }
    }));

  test('server: a client that resets in the middle of its upgrade request leaves nothing behind', () =>
    withoutLeaks(async () => {
      const server = await listen();
      const connections: unknown[] = [];
      server.on('connection', (ws) => connections.push(ws));
      try {
        const socket = await rawClient(server.port);
        socket.write(upgradeRequest().slice(0, 40));
        await delay(20);
        socket.resetAndDestroy();
        await delay(50);
        assert.equal(connections.length, 0);
      } finally {
        await server.close();
      }
    }));
});

describe('half-open TCP', () => {
  test('client: a server that stops responding mid-conversation is released by the close time-out', () =>
    withoutLeaks(async () => {
      // Reads everything, answers nothing, never closes: a peer that vanished without a FIN.
      const server = await rawServer((socket) => acceptUpgrade(socket, (s) => s.on('data', () => {})));
      try {
        const ws = await connect(`ws://127.0.0.1:${server.port}/`, { closeTimeoutMs: 300 });
        for (let i = 0; i < 10; i++) ws.send(`message ${i}`);
        ws.ping('anyone?');
        const info = await within(ws.close(1000, 'bye'), 5000);
        ws.terminate();
        assert.ok(info, 'the close time-out released the connection');
        assert.deepEqual([info.closeTimedOut, info.wasClean, info.code], [true, false, 1006]);
      } finally {
        await server.stop();
      }
    }));
});

describe('TLS failures', () => {
  test('server: garbage instead of a ClientHello is dropped with a TLS error, and the server keeps serving', () =>
    withoutLeaks(async () => {
      const certificate = createSelfSignedCertificate();
      const server = await listen({ tls: certificate });
      server.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
      const failures: Error[] = [];
      server.on('handshake-failed', (error) => failures.push(error));
      try {
        const socket = await rawClient(server.port);
        const reply = readUntilClose(socket, 3000);
        socket.write(upgradeRequest()); // plain HTTP to a TLS port
        const { timedOut } = await reply;
        assert.equal(timedOut, false, 'the server dropped the socket');
        assert.equal(failures.length, 1);
        assert.match(String((failures[0] as NodeJS.ErrnoException).code), /ERR_SSL|ECONNRESET/);
        const ws = await connect(server.url, { ca: certificate.cert });
        const echoed = once(ws, 'message');
        ws.send('still serving');
        assert.equal(Buffer.from((await echoed)[0] as Uint8Array).toString(), 'still serving');
        await ws.close();
      } finally {
        await server.close();
      }
    }));

  test('client: a server speaking plain TCP to a wss:// client is a clear TLS error', () =>
    withoutLeaks(async () => {
      const server = await rawServer((socket) => socket.on('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
      try {
        await assert.rejects(connect(`wss://127.0.0.1:${server.port}/`, { handshakeTimeoutMs: 5000 }), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'WSW_CONNECT_TLS');
          assert.match(error.message, /TLS handshake with wss:\/\/127\.0\.0\.1:\d+ failed/);
          return true;
        });
      } finally {
        await server.stop();
      }
    }));

  test('client: a self-signed certificate does not verify (WSW_CONNECT_TLS, naming the way out)', () =>
    withoutLeaks(async () => {
      const server = await listen({ tls: 'self-signed' });
      try {
        await assert.rejects(connect(server.url), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'WSW_CONNECT_TLS');
          assert.match(error.message, /SELF_SIGNED|self[- ]signed/i);
          assert.match(error.message, /--insecure/);
          return true;
        });
      } finally {
        await server.close();
      }
    }));

  test('client: a trusted certificate for another name does not verify', () =>
    withoutLeaks(async () => {
      const certificate = createSelfSignedCertificate();
      const server = await listen({ tls: certificate });
      try {
        await assert.rejects(connect(server.url, { ca: certificate.cert, servername: 'evil.example' }), (error: Error & { code?: string; cause?: { code?: string } }) => {
          assert.equal(error.code, 'WSW_CONNECT_TLS');
          assert.equal(error.cause?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
          return true;
        });
      } finally {
        await server.close();
      }
    }));

  test('client: a TLS server that never finishes its handshake hits the connect time-out', () =>
    withoutLeaks(async () => {
      const server = await rawServer(() => {}); // accepts TCP, never answers the ClientHello
      try {
        await assert.rejects(connect(`wss://127.0.0.1:${server.port}/`, { handshakeTimeoutMs: 300 }), { code: 'WSW_CONNECT_TIMEOUT' });
      } finally {
        await server.stop();
      }
    }));
});

describe('name resolution', () => {
  test('DNS failure is WSW_CONNECT_DNS and leaves nothing behind', () =>
    withoutLeaks(async () => {
      await assert.rejects(connect('ws://no-such-host.invalid/', { handshakeTimeoutMs: 5000 }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'WSW_CONNECT_DNS');
        assert.match(error.message, /cannot resolve the host of ws:\/\/no-such-host\.invalid/);
        return true;
      });
    }));
});

describe('the server stopped mid-conversation', () => {
  before(() => {
    const build = spawnSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
    assert.equal(build.status, 0);
  });

  /** Sends a message every few ms and counts echoes until the connection stops being open. */
  function converse(ws: WebSocketConnection): { echoes: () => number; stop: () => void } {
    let echoes = 0;
    ws.on('message', () => echoes++);
    const timer = setInterval(() => {
      if (ws.state === 'open') ws.send(`tick ${echoes}`);
    }, 2);
    ws.once('close', () => clearInterval(timer));
    return { echoes: () => echoes, stop: () => clearInterval(timer) };
  }

  test('gracefully: the client gets 1001 going away and a clean close', () =>
    withoutLeaks(async () => {
      const server = await listen();
      server.on('connection', (ws) => ws.on('message', (d, binary) => ws.state === 'open' && ws.send(d, { binary })));
      const ws = await connect(server.url);
      const talk = converse(ws);
      try {
        await delay(100);
        await server.close();
        const info = await ws.closed;
        assert.ok(talk.echoes() > 0);
        assert.deepEqual([info.code, info.wasClean], [1001, true]);
      } finally {
        talk.stop();
        ws.terminate();
      }
    }));

  test('killed: `wsw serve` gets SIGKILL and the client ends 1006, unclean, at once', () =>
    withoutLeaks(async () => {
      const child = spawn('node', [join(root, 'dist', 'cli.js'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        child.stdout!.on('data', (c) => (out += c));
        const url = await within(
          new Promise<string>((resolve) => child.stdout!.on('data', () => /listening on (\S+)/.exec(out) && resolve(/listening on (\S+)/.exec(out)![1]))),
          10000,
        );
        assert.ok(url, `serve printed its URL: ${out}`);
        const ws = await connect(url);
        const talk = converse(ws);
        await delay(100);
        const started = Date.now();
        child.kill('SIGKILL');
        const info = await within(ws.closed, 5000);
        talk.stop();
        assert.ok(info, 'the client saw the end');
        assert.ok(Date.now() - started < 2000);
        assert.ok(talk.echoes() > 0);
        assert.deepEqual([info.wasClean, info.code], [false, 1006]);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
        child.stdout!.destroy();
        child.stderr!.destroy();
      }
    }));
});

