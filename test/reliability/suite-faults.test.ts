// The conformance runner under faults: the server under test stops in the middle of a suite run,
// and a case that would never end by itself. Each ends with a verdict, and releases every socket
// and timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { selectCases } from '../../src/cases/catalogue';
import { defineCase } from '../../src/cases/catalogue/builders';
import { runCase } from '../../src/cases/runner';
import { runSuite } from '../../src/cases/suite';
import { echo } from '../../src/cli/serve';
import { listen, openChannel } from '../../src/transport';
import { acceptUpgrade, failOnUnhandled, rawServer, within, withoutLeaks } from './helpers';

failOnUnhandled();

test('the server stopped during a suite run: the cases after it are FAILED "could not connect", and the run ends', async () => {
  await withoutLeaks(async () => {
    const server = await listen();
    server.on('connection', echo);
    const cases = selectCases(['1.1.*']);
    let stopped: Promise<void> | null = null;
    const results = await within(
      runSuite({
        url: server.url,
        agent: 'stopping',
        cases,
        parallel: 1,
        onCaseDone: (_result, done) => {
          if (done === 3) stopped = server.close();
        },
      }),
      30_000,
    );
    assert.ok(results, 'the suite ended');
    await stopped;
    assert.equal(results.length, cases.length);
    assert.deepEqual(results.slice(0, 3).map((r) => r.behavior), ['OK', 'OK', 'OK']);
    for (const r of results.slice(3)) {
      assert.equal(r.behavior, 'FAILED');
      assert.equal(r.behaviorClose, 'FAILED');
      assert.match(r.closeFacts.wasNotCleanReason ?? '', /^could not connect: connection refused/);
    }
  });
});

test('a case whose connection times out is timed from its attempt, not given 0 ms', async () => {
  await withoutLeaks(async () => {
    // wss:// through a relay: the suite's first connection (its probe) reaches a real TLS
    // server, every later one is accepted and then never answered, so its TLS handshake times out.
    const server = await listen({ tls: 'self-signed' });
    server.on('connection', echo);
    const sockets: net.Socket[] = [];
    let first = true;
    const relay = net.createServer((socket) => {
      sockets.push(socket);
      if (!first) return;
      first = false;
      const upstream = net.connect(server.port, '127.0.0.1');
      sockets.push(upstream);
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    relay.listen(0, '127.0.0.1');
    await once(relay, 'listening');
    try {
      const timeoutMs = 400;
      const before = Date.now();
      const results = await within(
        runSuite({ url: `wss://127.0.0.1:${(relay.address() as net.AddressInfo).port}/`, agent: 'slow', cases: selectCases(['1.1.1', '1.1.2']), insecure: true, connectTimeoutMs: timeoutMs }),
        20_000,
      );
      assert.ok(results);
      for (const r of results) {
        assert.equal(r.behavior, 'FAILED');
        assert.match(r.closeFacts.wasNotCleanReason ?? '', /^could not connect/);
        assert.ok(r.durationMs >= timeoutMs - 50, `${r.caseId}: ${r.durationMs} ms for a ${timeoutMs} ms time-out`);
        assert.ok(Date.parse(r.started) >= before - 5 && Date.parse(r.started) <= Date.now() - r.durationMs + 5, `${r.caseId} started ${r.started}, when its attempt began`);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      relay.close();
      await server.close();
    }
  });
});

test('a case that never ends by itself is ended by the runner, with a verdict that says so', async () => {
  // A case with no timers of its own, against a server that upgrades and then says nothing.
  const silent = defineCase({
    id: '99.1.1',
    description: 'Never ends by itself.',
    expectation: 'The runner ends it.',
    expected: { OK: [] },
    expectedClose: { closedByMe: true, closeCode: [1000], requireClean: true },
    start: () => {},
  });
  const server = await rawServer((socket) => acceptUpgrade(socket, () => {}));
  try {
    await withoutLeaks(async () => {
      const { channel, target } = await openChannel(`ws://127.0.0.1:${server.port}/`);
      // The runner's last-resort limit is 600 s; scaled by 0.0005 it is 0.3 s.
      const result = await within(runCase(silent, { agent: 'a', channel, opening: { role: 'client', hostHeader: target.hostHeader, path: '/' }, timeoutScale: 0.0005 }), 10_000);
      assert.ok(result, 'the case ended');
      assert.equal(result.closeFacts.droppedByMe, true);
      assert.match(result.closeFacts.wasNotCleanReason ?? '', /^the case did not end within 0\.3 s/);
      assert.equal(result.behaviorClose, 'FAILED', 'we never closed properly: the wrong endpoint ended it');
    });
  } finally {
    await server.stop();
  }
});
