#!/usr/bin/env node
// `npm start`: the engine's self-test. Builds, starts `wsw serve` (ws and wss), runs the whole
// catalogue against both with `wsw test-server --parallel`, and at the same time runs
// `wsw test-client` with `wsw echo-client` (our client as the client under test). Reports go to
// ./reports/servers (ws; wss in ./reports/servers/wss) and ./reports/clients. Prints each run's
// summary and index.html; exits 1 when any case FAILED, 2 when a run could not be done.
// Every child is started here and stopped here by its PID; every wait is bounded.
//
//   node scripts/self-test.mjs [--exclude 12.*,13.*] [--parallel N] [--timeout-scale F]
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    exclude: { type: 'string' },
    parallel: { type: 'string', default: '4' },
    'timeout-scale': { type: 'string', default: '1' },
  },
});
const OVERALL_MS = 120 * 60 * 1000;
const cli = resolve('dist/cli.js');
const children = new Set();
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);

function start(name, args) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (child.output += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (child.output += s));
  child.exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 70))));
  child.label = name;
  children.add(child);
  child.exited.then(() => children.delete(child));
  return child;
}

/** SIGTERM to the child's PID, SIGKILL after 5 s; resolves with its exit status. */
async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    const code = await child.exited;
    clearTimeout(timer);
    return code;
  }
  return child.exited;
}

function killAll() {
  for (const child of children) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { killAll(); process.exit(130); });
const overall = setTimeout(() => { console.error(`self-test: gave up after ${OVERALL_MS / 60000} min`); killAll(); process.exit(2); }, OVERALL_MS);

/** Resolves with the first match of `re` in the child's output (or rejects if it exits first / times out). */
function waitFor(child, re, ms = 20000) {
  return new Promise((done, fail) => {
    const timer = setInterval(() => {
      const m = re.exec(child.output);
      if (m) { clearInterval(timer); done(m); }
      else if (child.exitCode !== null || Date.now() - t0 > ms) { clearInterval(timer); fail(new Error(`${child.label}: no ${re} in its output:\n${child.output}`)); }
    }, 50);
    const t0 = Date.now();
  });
}

/** The summary a test run prints at its end (from its first "section" line). */
const summaryOf = (output) => output.slice(output.search(/^(agent | {2}section )/m)).trimEnd();

async function main() {
  console.log('self-test: building');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) return 2;

  const common = ['--quiet', '--timeout-scale', values['timeout-scale'], ...(values.exclude ? ['--exclude', values.exclude] : [])];
  // ws and wss in two processes: two cores instead of one for the server under test.
  // zlib level 1 for the peers under test: the same engine and deflate code paths as the default
  // level 6, at a fraction of the CPU that sections 12 and 13 (about 11 GB per run) would take.
  const serve = start('wsw serve', ['serve', '--port', '0', '--deflate-level', '1']);
  const serveTls = start('wsw serve --tls', ['serve', '--port', '0', '--tls', '--deflate-level', '1']);
  const fuzzer = start('wsw test-client', ['test-client', '--port', '0', '--report-dir', 'reports/clients', ...common]);
  try {
    const [, wsUrl] = await waitFor(serve, /listening on (ws:\/\/\S+)/);
    const [, wssUrl] = await waitFor(serveTls, /listening on (wss:\/\/\S+)/);
    const [, fuzzUrl] = await waitFor(fuzzer, /fuzzing server listening on (ws:\/\/\S+?)\/? /);
    console.log(`self-test: wsw serve on ${wsUrl} and ${wssUrl}; wsw test-client on ${fuzzUrl}/`);

    const runs = [
      start('test-server ws', ['test-server', wsUrl, '--agent', 'wsw-serve', '--parallel', values.parallel, '--report-dir', 'reports/servers', ...common]),
      // Our own self-signed certificate, on loopback: verification off for this run only.
      start('test-server wss', ['test-server', wssUrl, '--agent', 'wsw-serve-tls', '--insecure', '--parallel', values.parallel, '--report-dir', 'reports/servers/wss', ...common]),
      start('echo-client', ['echo-client', fuzzUrl, '--agent', 'wsw-client', '--deflate-level', '1', '--parallel', values.parallel, '--quiet']),
    ];
    const codes = await Promise.all(runs.map(async (run) => {
      const code = await run.exited;
      console.log(`self-test: ${run.label} finished (exit ${code}) at ${seconds()} s`);
      return code;
    }));
    const fuzzerCode = await stop(fuzzer);
    await stop(serve);
    await stop(serveTls);

    for (const run of [runs[0], runs[1], fuzzer]) {
      console.log(`\n== ${run.label}\n${summaryOf(run.output)}`);
    }
    if (codes[2] !== 0) console.log(`\n== echo-client\n${runs[2].output.trimEnd()}`);
    console.log(`\nself-test: ${seconds()} s`);
    const all = [...codes, fuzzerCode];
    if (all.some((c) => c !== 0 && c !== 1)) return 2;
    if (all.includes(1)) {
      console.log('self-test: FAILED cases above');
      return 1;
    }
    console.log('self-test: no case FAILED');
    return 0;
  } finally {
    for (const child of [...children]) await stop(child);
  }
}

main().then(
  (code) => { clearTimeout(overall); process.exit(code); },
  (error) => { console.error(`self-test: ${error.stack ?? error}`); killAll(); process.exit(2); },
);
