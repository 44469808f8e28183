/**
 * `npm run soak -- [--minutes N] [--connections N] [--workers N] [--seed S]`
 *
 * Builds `wsw` (node esbuild.mjs), starts `wsw serve` on 127.0.0.1, holds N idle connections
 * (default 10,000) and churns connect/send/close next to them for the given minutes (default 5),
 * then prints the server's RSS and open file descriptors at start, loaded, after the churn and at
 * the end. Exit status 1 if a connection was lost, an echo went wrong, or anything kept growing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatStats, lateGrowthKiB, runSoak } from './soak';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      connections: { type: 'string', default: '10000' },
      workers: { type: 'string', default: '32' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    },
  });
  const minutes = Number(values.minutes);
  const idle = Number(values.connections);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error(`--minutes must be from 0 to 1440, got ${values.minutes}`);
  if (!(Number.isInteger(idle) && idle >= 0 && idle <= 60000)) throw new Error(`--connections must be an integer up to 60000, got ${values.connections}`);
  const root = join(__dirname, '..', '..');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) return 1;
  const report = await runSoak({
    cli: join(root, 'dist', 'cli.js'),
    idle,
    churnSeconds: minutes * 60,
    churnWorkers: Number(values.workers),
    settleMs: 2000,
    sampleMs: minutes >= 2 ? 10_000 : 2_000,
    seed: Number(values.seed),
    log: (line) => console.log(line),
  });
  const late = lateGrowthKiB(report);
  const problems: string[] = [];
  if (report.idle.opened !== idle) problems.push(`only ${report.idle.opened} of ${idle} idle connections opened`);
  if (report.idle.droppedEarly) problems.push(`${report.idle.droppedEarly} idle connections were dropped`);
  if (report.idle.ponged !== idle) problems.push(`${idle - report.idle.ponged} idle connections did not answer a ping`);
  if (report.idle.closedCleanly !== idle) problems.push(`${idle - report.idle.closedCleanly} idle connections did not close cleanly`);
  if (report.churn.errors.length) problems.push(`churn errors: ${report.churn.errors.slice(0, 5).join('; ')}`);
  if (report.end.fds > report.start.fds + 2) problems.push(`the server holds ${report.end.fds - report.start.fds} more fds than at start`);
  if (late > 64 * 1024) problems.push(`RSS grew by ${(late / 1024).toFixed(0)} MiB over the second half of the churn`);
  console.log(`
soak: ${report.command}
  ${idle} idle connections, ${minutes} min churn with ${values.workers} workers, seed ${values.seed}, ${report.seconds.toFixed(0)} s in all
  churn: ${report.churn.sessions} sessions, ${report.churn.messages} messages (${(report.churn.bytes / 1048576).toFixed(0)} MiB echoed), ${report.churn.cleanCloses} clean closes, ${report.churn.terminated} dropped, ${report.churn.violations} protocol violations (1002)
  server at start:       ${formatStats(report.start)}
  with idle connections: ${formatStats(report.loaded)}
  after the churn:       ${formatStats(report.afterChurn)}
  at the end:            ${formatStats(report.end)}
  RSS growth over the second half of the churn: ${(late / 1024).toFixed(1)} MiB
  ${problems.length ? 'PROBLEMS:\n    ' + problems.join('\n    ') : 'nothing grew without bound; every connection closed'}`);
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
