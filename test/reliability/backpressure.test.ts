// Queued outgoing bytes: 1 GiB pushed at a peer that reads slowly (1 MiB, then a 10 ms pause),
// through the backpressure API (send() returns false, await drained()). The resident set and the
// bytes waiting to be written stay bounded the whole time, and every byte arrives. And the echo
// server's own backpressure, against a peer that stops reading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echo } from '../../src/cli/serve';
import { connect, listen, type WebSocketConnection } from '../../src/transport';
import { acceptUpgrade, clientFrame, delay, failOnUnhandled, rawServer, upgradedClient, withoutLeaks } from './helpers';

failOnUnhandled();

const MiB = 1024 * 1024;
const TOTAL = 1024 * MiB;
const MESSAGE = MiB;
const FRAME = MESSAGE + 14; // 2 + 8 (64-bit length) + 4 (mask) header bytes

test('1 GiB to a slow reader: send() reports backpressure, drained() paces the sender, RSS stays bounded', { timeout: 120_000 }, () =>
  withoutLeaks(async () => {
    let received = 0;
    let allReceived: () => void = () => {};
    const done = new Promise<void>((resolve) => (allReceived = resolve));
    const server = await rawServer((socket) =>
      acceptUpgrade(socket, (s, rest) => {
        let sincePause = rest.length;
        received += rest.length;
        s.on('data', (chunk: Buffer) => {
          received += chunk.length;
          sincePause += chunk.length;
          if (received >= (TOTAL / MESSAGE) * FRAME) allReceived();
          if (sincePause >= MiB) {
            sincePause = 0;
            s.pause();
            setTimeout(() => s.resume(), 10);
          }
        });
      }),
    );
    const ws = await connect(`ws://127.0.0.1:${server.port}/`, { closeTimeoutMs: 500 });
    const rssStart = process.memoryUsage.rss();
    let rssPeak = rssStart;
    let bufferedPeak = 0;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 25);
    const started = Date.now();
    let falses = 0;
    try {
      const payload = new Uint8Array(MESSAGE).fill(0x5a);
      for (let sent = 0; sent < TOTAL; sent += MESSAGE) {
        if (!ws.send(payload)) {
          falses++;
          bufferedPeak = Math.max(bufferedPeak, ws.bufferedAmount);
          await ws.drained();
        }
      }
      await done;
    } finally {
      clearInterval(sampler);
      ws.terminate();
      await ws.closed;
      await server.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const growth = rssPeak - rssStart;
    console.log(`1 GiB in ${seconds.toFixed(1)} s: send() returned false ${falses} times, peak buffered ${(bufferedPeak / MiB).toFixed(1)} MiB, RSS ${(rssStart / MiB).toFixed(0)} -> peak ${(rssPeak / MiB).toFixed(0)} MiB (growth ${(growth / MiB).toFixed(0)} MiB)`);
    assert.equal(received, (TOTAL / MESSAGE) * FRAME + 0, 'every byte arrived');
    assert.ok(falses > 0, 'the sender saw backpressure');
    assert.ok(bufferedPeak < 64 * MiB, `at most ${(bufferedPeak / MiB).toFixed(1)} MiB waited`);
    assert.ok(growth < 300 * MiB, `RSS grew by ${(growth / MiB).toFixed(0)} MiB`);
  }),
);

test('wsw serve echo to a peer that stops reading: reading pauses with one drain listener, and every echo arrives once it reads again', { timeout: 60_000 }, () =>
  withoutLeaks(async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const server = await listen();
    let connection: WebSocketConnection | null = null;
    server.on('connection', (ws) => {
      connection = ws;
      echo(ws);
    });
    const { socket } = await upgradedClient(server.port);
    try {
      socket.pause();
      const COUNT = 20_000;
      const frame = clientFrame(0x2, new Uint8Array(1024).fill(0x61));
      for (let i = 0; i < COUNT; i += 1000) socket.write(Buffer.concat(Array.from({ length: 1000 }, () => frame)));
      // The echoes fill the server's socket buffer; it pauses reading from us.
      let paused = false;
      for (let i = 0; i < 500 && !paused; i++) {
        await delay(10);
        paused = connection !== null && (connection as WebSocketConnection).socket.isPaused();
      }
      const ws = connection as WebSocketConnection | null;
      assert.ok(ws && paused, 'the echo server paused reading');
      assert.equal(ws.listenerCount('drain'), 1, 'one drain listener, however many echoes found the buffer full');
      let received = 0;
      const expected = COUNT * (1024 + 4); // unmasked: 2 + 2 (16-bit length) header bytes
      await new Promise<void>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= expected) resolve();
        });
        socket.resume();
      });
      assert.equal(received, expected, 'every echo arrived');
      assert.equal(ws.listenerCount('drain'), 0);
      assert.equal(ws.socket.isPaused(), false, 'reading resumed');
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      socket.destroy();
      await server.close();
    }
  }),
);
