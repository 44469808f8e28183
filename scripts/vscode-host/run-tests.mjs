#!/usr/bin/env node
// run-tests.mjs — the host test suite (test/host/) inside a real VS Code extension host: code-server
// (installed by setup.sh) driven by headless Debian Chromium. Exit 0 = suite passed, 1 = a test
// failed (or the .vsix has files it must not have), 2 = harness error or timeout. Every process it
// starts is stopped by its process group, also on failure, timeout and Ctrl-C.
//
//   node scripts/vscode-host/run-tests.mjs [--installed [--vsix FILE]] [--grep PATTERN] [--no-build]
//                                          [--workspace DIR] [--timeout SEC] [--env K=V] [--keep] [--verbose]
//
//   (default)        the project as extension under development, through @vscode/test-electron's
//                    runTests() with bin/code-shim.mjs as the "VS Code executable" (where VS Code can
//                    be downloaded, the same runTests() call without the shim runs VS Code desktop)
//   --installed      `npm run package`, check the .vsix, `code-server --install-extension` it into a
//                    fresh profile and run the tests tagged @installed against that installed copy
//   --vsix FILE      with --installed: this .vsix instead of packaging one
//   --grep PATTERN   only tests whose title matches (MOCHA_GREP in the extension host)
//   --no-build       skip `node esbuild.mjs` and the test bundle build
//   --workspace DIR  folder to open (default: a fresh empty one)
//   --timeout SEC    whole-suite limit (default 300)
//   --env K=V        extra environment for the extension host (repeatable)
//   --keep           keep the scratch dir (always kept on failure: .cache/vscode-host/work/)
//   --verbose        also the workbench's own log and code-server's output
// Screenshots requested by the tests go to reports/screenshots/ (VSCODE_HOST_SCREENSHOTS overrides).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, WORK_DIR, say, loadHost, checkEngine, installVsix } from './lib/host.mjs';
import { runSuite } from './lib/run.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SHIM = path.join(HERE, 'bin', 'code-shim.mjs');
const TESTS = path.join(ROOT, 'out', 'test', 'host', 'index.js');
const SCREENSHOTS = path.resolve(process.env.VSCODE_HOST_SCREENSHOTS || path.join(ROOT, 'reports', 'screenshots'));

function parseArgs(argv) {
  const o = { installed: false, build: true, timeout: 300, keep: false, verbose: false, env: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--installed') o.installed = true;
    else if (a === '--vsix') o.vsix = path.resolve(next());
    else if (a === '--grep') o.grep = next();
    else if (a === '--no-build') o.build = false;
    else if (a === '--workspace') o.workspace = path.resolve(next());
    else if (a === '--timeout') o.timeout = Number(next());
    else if (a === '--env') { const [k, ...v] = next().split('='); o.env[k] = v.join('='); }
    else if (a === '--keep') o.keep = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 24).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  return o;
}

/** Runs a command in the project root with a time limit; throws with its output on failure. */
function step(what, cmd, args, timeoutSec) {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutSec * 1000, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  say(`${what}: ok in ${((Date.now() - t) / 1000).toFixed(1)}s`);
  return r.stdout;
}

/** File names inside a .zip (.vsix), from its central directory. */
export function zipEntries(file) {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const n = buf.readUInt16LE(p + 28), x = buf.readUInt16LE(p + 30), c = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + n));
    p += 46 + n + x + c;
  }
  return names;
}

/** What must never ship in the .vsix: sources, tests, source maps, node_modules, dev folders. */
const FORBIDDEN = [/^extension\/(src|test|out|bench|scripts|node_modules|\.cache|reports)\//, /\.map$/, /\.ts$/, /^extension\/\.(git|vscode|ci)\b/];

function checkVsix(vsix) {
  const names = zipEntries(vsix);
  const bad = names.filter((n) => FORBIDDEN.some((re) => re.test(n)));
  const size = fs.statSync(vsix).size;
  say(`vsix ${path.relative(ROOT, vsix)}: ${(size / 1024).toFixed(1)} KiB, ${names.length} entries: ${names.filter((n) => n.startsWith('extension/')).map((n) => n.slice(10)).join(', ')}`);
  if (bad.length) throw Object.assign(new Error(`the .vsix contains files it must not (fix .vscodeignore): ${bad.join(', ')}`), { exitCode: 1 });
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const host = loadHost();
  const extId = checkEngine(ROOT, host.vscodeVersion);
  say(`${extId} (${o.installed ? 'installed from .vsix' : 'under development'}) in code-server ${host.codeServerVersion} = VS Code ${host.vscodeVersion}`);
  if (o.build) {
    if (!o.installed) step('build extension (node esbuild.mjs)', process.execPath, ['esbuild.mjs'], 120);
    step('build host tests', process.execPath, [path.join(HERE, 'build-tests.mjs')], 120);
  }
  if (!fs.existsSync(TESTS)) throw new Error(`${TESTS} not found: build the tests (node scripts/vscode-host/build-tests.mjs)`);
  const env = { ...o.env };
  if (o.grep) env.MOCHA_GREP = o.grep;

  if (o.installed) {
    let vsix = o.vsix;
    if (!vsix) {
      step('npm run package', 'npm', ['run', '--silent', 'package'], 300);
      vsix = path.join(ROOT, 'dist', 'websocket-workbench.vsix');
    }
    checkVsix(vsix);
    // The workbench starts extension tests only in an extension-development window, so the payload
    // names an empty folder as "extension under development" (as with `code --extensionDevelopmentPath`
    // on the desktop when testing installed extensions): the extension itself is the installed copy.
    const noExtension = path.join(WORK_DIR, 'no-extension');
    fs.mkdirSync(noExtension, { recursive: true });
    return runSuite({
      host,
      extensionDevelopmentPaths: [noExtension],
      testsPath: TESTS,
      workspace: o.workspace,
      env: { WSW_HOST_MODE: 'installed', MOCHA_GREP: '@installed', ...env },
      beforeStart: async (scratch) => {
        const t = Date.now();
        const out = await installVsix(host, scratch, vsix);
        say(`code-server --install-extension: ${out.trim().split('\n').pop()} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
      },
      screenshotDir: SCREENSHOTS,
      timeoutSec: o.timeout,
      verbose: o.verbose,
      keep: o.keep,
    });
  }

  // Under development, through @vscode/test-electron. A fresh profile per run (test-electron's default
  // would be a persistent .vscode-test/ in the cwd): user data, extensions and workspace in one folder.
  const { runTests } = await import('@vscode/test-electron');
  const profile = path.join(WORK_DIR, `profile-${Date.now()}-${process.pid}`);
  const workspace = o.workspace ?? path.join(profile, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: SHIM, // no download: test-electron spawns the shim with VS Code's CLI arguments
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: TESTS,
      launchArgs: [workspace, `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
      extensionTestsEnv: {
        WSW_HOST_MODE: 'development',
        VSCODE_HOST_SCREENSHOTS: SCREENSHOTS,
        VSCODE_HOST_TIMEOUT: String(o.timeout),
        ...(o.keep ? { VSCODE_HOST_KEEP: '1' } : {}),
        ...(o.verbose ? { VSCODE_HOST_VERBOSE: '1' } : {}),
        ...env,
      },
    });
  } catch (e) {
    // TestRunFailedError carries the shim's exit code: 1 = tests failed, 2 = harness error/timeout
    code = e?.code === 1 ? 1 : 2;
    if (code === 2) say(`runTests: ${e?.message ?? e}`);
  }
  if (code === 0 && !o.keep) fs.rmSync(profile, { recursive: true, force: true });
  return code;
}

const t0 = Date.now();
main().then(
  (c) => { say(`exit ${c} after ${((Date.now() - t0) / 1000).toFixed(1)}s`); process.exit(c); },
  (e) => { say(`error: ${e.message}`); process.exit(e.exitCode ?? 2); },
);
