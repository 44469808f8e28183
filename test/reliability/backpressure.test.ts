// Queued outgoing bytes: 1 GiB pushed at a peer that reads slowly (1 MiB, then a 10 ms pause),
// through the backpressure API (send() returns false, await drained()). The resident set and the
// bytes waiting to be written stay bounded the whole time, and every byte arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/transport';
import { acceptUpgrade, failOnUnhandled, rawServer, withoutLeaks } from './helpers';

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
