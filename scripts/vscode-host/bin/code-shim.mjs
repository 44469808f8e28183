#!/usr/bin/env node
// code-shim.mjs — stands in for the VS Code executable, for tools that spawn "code" to run extension
// tests: @vscode/test-electron's runTests({ vscodeExecutablePath }) and @vscode/test-cli's
// useInstallation: { fromPath }. It understands the arguments those tools pass
//   --extensionDevelopmentPath=P (repeatable)  --extensionTestsPath=P  --user-data-dir=P
//   --extensions-dir=P  [folder]  and ignores the Electron-only ones (--no-sandbox, --disable-updates,
//   --skip-welcome, --skip-release-notes, --no-cached-data, --disable-gpu-sandbox, ...),
// then runs the tests in code-server + headless Chromium (lib/run.mjs) with its own environment
// (so extensionTestsEnv, e.g. test-cli's VSCODE_TEST_OPTIONS, reaches the extension host), and exits
// with the suite's exit code.
// Also answers --version like code does. Anything else (no --extensionTestsPath) is refused.
// Environment: VSCODE_HOST_TIMEOUT (s, default 600), VSCODE_HOST_VERBOSE=1, VSCODE_HOST_KEEP=1,
// VSCODE_HOST_SCREENSHOTS=DIR (serve the tests' screenshot requests into DIR).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { loadHost, say, checkEngine } = await import(path.join(here, '..', 'lib', 'host.mjs'));
const { runSuite } = await import(path.join(here, '..', 'lib', 'run.mjs'));

const IGNORED = new Set([
  'no-sandbox', 'disable-gpu-sandbox', 'disable-updates', 'skip-welcome', 'skip-release-notes',
  'no-cached-data', 'disable-workspace-trust', 'disable-gpu', 'new-window', 'wait', 'disable-telemetry',
  'disable-crash-reporter', 'disable-chromium-sandbox', 'verbose', 'sync', 'disable-extensions',
]);
const WITH_VALUE = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir', 'locale', 'log', 'inspect-extensions', 'inspect-brk-extensions', 'crash-reporter-directory']);

function parse(argv) {
  const o = { dev: [], folders: [], unknown: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) { o.folders.push(a); continue; }
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(a);
    const name = m[1];
    let value = m[2];
    if (value === undefined && WITH_VALUE.has(name)) value = argv[++i];
    if (name === 'extensionDevelopmentPath') o.dev.push(value);
    else if (name === 'extensionTestsPath') o.tests = value;
    else if (name === 'user-data-dir') o.userData = value;
    else if (name === 'extensions-dir') o.extensions = value;
    else if (name === 'version' || name === 'v') o.version = true;
    else if (IGNORED.has(name) || WITH_VALUE.has(name)) { /* Electron/desktop-only: nothing to do here */ }
    else o.unknown.push(a);
  }
  return o;
}

async function main() {
  const o = parse(process.argv.slice(2));
  const host = loadHost();
  if (o.version) {
    console.log(`${host.vscodeVersion}\ncode-server ${host.codeServerVersion}\nx64`);
    return 0;
  }
  if (o.unknown.length) say(`ignoring arguments: ${o.unknown.join(' ')}`);
  if (!o.tests) {
    say('code-shim only runs extension tests: pass --extensionTestsPath (and --extensionDevelopmentPath)');
    return 2;
  }
  const resolvePath = (p) => path.resolve(p.startsWith('file://') ? fileURLToPath(p) : p);
  const dev = o.dev.map(resolvePath);
  for (const d of dev) say(`extension ${checkEngine(d, host.vscodeVersion)} at ${d}`);
  const folder = o.folders.map(resolvePath).find((f) => fs.existsSync(f) && fs.statSync(f).isDirectory());
  return runSuite({
    host,
    extensionDevelopmentPaths: dev,
    testsPath: resolvePath(o.tests),
    workspace: folder,
    userDataDir: o.userData,
    extensionsDir: o.extensions,
    env: {},
    timeoutSec: Number(process.env.VSCODE_HOST_TIMEOUT || 600),
    verbose: !!process.env.VSCODE_HOST_VERBOSE,
    keep: !!process.env.VSCODE_HOST_KEEP,
    screenshotDir: process.env.VSCODE_HOST_SCREENSHOTS || undefined,
  });
}

main().then((c) => process.exit(c), (e) => { say(`error: ${e.stack || e}`); process.exit(2); });
