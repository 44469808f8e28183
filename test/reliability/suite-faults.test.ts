// The conformance runner under faults: the server under test stops in the middle of a suite run,
// and a case that would never end by itself. Each ends with a verdict, and releases every socket
// and timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
