// The short soak (`npm run soak -- --minutes N` is the long one): 1,000 idle connections to a
// spawned `wsw serve` and 10 s of churn next to them. Every idle connection survives the churn
// and answers a ping, every connection closes cleanly, the server's file descriptors come back
// to where they started, and its RSS after the churn settles stays within a bound.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatStats, runSoak } from '../soak/soak';
import { failOnUnhandled, withoutLeaks } from './helpers';

failOnUnhandled();

const root = join(__dirname, '..', '..');
const IDLE = 1000;

before(() => {
  const build = spawnSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  assert.equal(build.status, 0);
});

test(`soak: ${IDLE} idle connections to wsw serve and 10 s of churn`, { timeout: 120_000 }, () =>
  withoutLeaks(async () => {
    const report = await runSoak({
      cli: join(root, 'dist', 'cli.js'),
      idle: IDLE,
      churnSeconds: 10,
      churnWorkers: 16,
      settleMs: 1500,
      sampleMs: 2000,
      seed: 6455,
      log: (line) => console.log(line),
    });
    console.log(`soak: ${report.churn.sessions} churn sessions, ${report.churn.messages} messages; server ${formatStats(report.start)} at start, ${formatStats(report.loaded)} loaded, ${formatStats(report.afterChurn)} after churn, ${formatStats(report.end)} at the end`);
    assert.deepEqual(report.churn.errors, []);
    assert.ok(report.churn.sessions >= 50, `${report.churn.sessions} churn sessions`);
    assert.deepEqual(
      [report.idle.opened, report.idle.droppedEarly, report.idle.ponged, report.idle.closedCleanly],
      [IDLE, 0, IDLE, IDLE],
      'opened, dropped during the churn, answered a ping, closed cleanly',
    );
    assert.ok(report.loaded.fds >= report.start.fds + IDLE, 'the server held every idle connection');
    assert.ok(report.afterChurn.fds <= report.loaded.fds + 2, `fds after churn ${report.afterChurn.fds}, loaded ${report.loaded.fds}`);
    assert.ok(report.end.fds <= report.start.fds + 2, `fds at the end ${report.end.fds}, at start ${report.start.fds}`);
    const growthMiB = (report.afterChurn.rssKiB - report.loaded.rssKiB) / 1024;
    assert.ok(growthMiB < 64, `server RSS grew by ${growthMiB.toFixed(1)} MiB over the churn`);
  }),
);
