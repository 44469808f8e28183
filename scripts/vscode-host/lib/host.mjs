// Shared pieces for run-tests.mjs, screenshot.mjs and bin/code-shim.mjs:
// find the installed host (setup.sh's host.json), make scratch folders, start/stop code-server on
// 127.0.0.1, install a .vsix into it, build the workbench URL with an extension-development payload,
// launch Chromium. Adapted from the team's vscode-host reference tool; self-contained in the project.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as util from 'node:util';

export const TOOL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The project root (package.json of the extension). */
export const ROOT = path.resolve(TOOL_DIR, '..', '..');
export const CACHE_DIR = path.resolve(process.env.VSCODE_HOST_CACHE || path.join(ROOT, '.cache', 'vscode-host'));
/** Scratch folders of single runs (kept on failure): git-ignored like the cache. */
export const WORK_DIR = path.resolve(process.env.VSCODE_HOST_WORK || path.join(CACHE_DIR, 'work'));

const t0 = Date.now();
export const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';
export const say = (...a) => console.error(`[vscode-host ${elapsed()}]`, ...a);

/** Paths written by setup.sh. */
export function loadHost() {
  const file = path.join(CACHE_DIR, 'host.json');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run bash ${path.relative(process.cwd(), path.join(TOOL_DIR, 'setup.sh'))} first (or set VSCODE_HOST_CACHE)`);
  }
  const host = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const k of ['node24', 'codeServerEntry', 'chromium', 'playwrightCore']) {
    if (!fs.existsSync(host[k])) throw new Error(`${k} (${host[k]}) from ${file} is missing: run setup.sh again`);
  }
  return host;
}

export function loadPlaywright(host) {
  return createRequire(host.playwrightCore)(host.playwrightCore);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Fresh scratch folders for one code-server run: user data, extensions, XDG config/data/cache. */
export function makeScratch(name) {
  const dir = path.join(WORK_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  const d = {
    dir,
    userData: path.join(dir, 'user-data'),
    extensions: path.join(dir, 'extensions'),
    xdgConfig: path.join(dir, 'xdg-config'),
    xdgData: path.join(dir, 'xdg-data'),
    xdgCache: path.join(dir, 'xdg-cache'),
    config: path.join(dir, 'config.yaml'),
    log: path.join(dir, 'code-server.log'),
  };
  for (const k of ['userData', 'extensions', 'xdgConfig', 'xdgData', 'xdgCache']) fs.mkdirSync(d[k], { recursive: true });
  return d;
}

/** VS Code user settings that keep the workbench quiet and deterministic (no welcome page, no chat). */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'window.commandCenter': false,
};

/** Writes <user-data>/User/settings.json; with keepExisting, settings already there win. */
export function writeUserSettings(scratch, settings = {}, { keepExisting = false } = {}) {
  const dir = path.join(scratch.userData, 'User');
  const file = path.join(dir, 'settings.json');
  fs.mkdirSync(dir, { recursive: true });
  let existing = {};
  if (keepExisting && fs.existsSync(file)) {
    try { existing = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return; /* JSONC or hand-edited: leave it */ }
  }
  fs.writeFileSync(file, JSON.stringify({ ...QUIET_SETTINGS, ...settings, ...existing }, null, 2));
}

// Variables a VS Code terminal or a parent VS Code sets; inherited by code-server they would confuse it.
const STRIP_ENV = /^(VSCODE_(IPC_HOOK|IPC_HOOK_CLI|PID|CWD|NLS_CONFIG|HANDLES_|ESM_|CODE_CACHE|AMD_|CRASH_|GIT_|INJECTION|L10N|SHELL_|PROXY_|CLI|DEV|AGENT_FOLDER)|ELECTRON_RUN_AS_NODE$|ELECTRON_NO_ATTACH_CONSOLE$|PORT$|PASSWORD$|HASHED_PASSWORD$|CODE_SERVER_|CS_)/;

/** Environment for a code-server process: parent's minus VS Code's own variables, XDG dirs in the scratch dir. */
function codeServerEnv(scratch, runtimeDir, env = {}) {
  const childEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!STRIP_ENV.test(k)) childEnv[k] = v;
  return Object.assign(childEnv, {
    // no extension gallery: otherwise the workbench queries open-vsx.org (fails offline, but tries)
    EXTENSIONS_GALLERY: '{}',
    XDG_CONFIG_HOME: scratch.xdgConfig,
    XDG_DATA_HOME: scratch.xdgData,
    XDG_CACHE_HOME: scratch.xdgCache,
    XDG_RUNTIME_DIR: runtimeDir,
    TMPDIR: runtimeDir,
    ...env,
  });
}

/**
 * `code-server --install-extension <vsix>` into scratch.extensions (what a user does with a .vsix).
 * Own process group, time limit, killed by PID on timeout. Resolves with its output.
 */
export async function installVsix(host, scratch, vsix, { timeoutMs = 120000 } = {}) {
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsh-'));
  const args = [host.codeServerEntry, '--user-data-dir', scratch.userData, '--extensions-dir', scratch.extensions,
    '--disable-telemetry', '--install-extension', path.resolve(vsix)];
  const child = spawn(host.node24, args, { env: codeServerEnv(scratch, runtimeDir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  for (const s of [child.stdout, child.stderr]) s.on('data', (d) => (output += d));
  const killGroup = (sig) => { try { process.kill(-child.pid, sig); } catch { /* gone */ } };
  const timer = setTimeout(() => killGroup('SIGKILL'), timeoutMs);
  const cleanupOnExit = () => killGroup('SIGKILL');
  process.on('exit', cleanupOnExit);
  const [code, signal] = await new Promise((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  process.off('exit', cleanupOnExit);
  killGroup('SIGKILL'); // nothing of it may outlive the install
  fs.rmSync(runtimeDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`--install-extension ${vsix} failed (${signal ?? `exit ${code}`}):\n${output.slice(-3000)}`);
  return output;
}

/**
 * Starts code-server on 127.0.0.1 (a fresh free port, retried on a bind race), in its own process
 * group. Resolves once /healthz answers. stop() ends that process group: SIGTERM, then SIGKILL.
 */
export async function startCodeServer(host, scratch, { extraArgs = [], env = {}, smokeTestDriver = true, quiet = true, readyTimeoutMs = 60000 } = {}) {
  let lastErr;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    try {
      return await startOnce(host, scratch, port, { extraArgs, env, smokeTestDriver, quiet, readyTimeoutMs });
    } catch (e) {
      lastErr = e;
      if (!/EADDRINUSE/.test(String(e.message))) throw e;
      say(`port ${port} was taken meanwhile; retrying`);
    }
  }
  throw lastErr;
}

async function startOnce(host, scratch, port, { extraArgs, env, smokeTestDriver, quiet, readyTimeoutMs }) {
  fs.writeFileSync(scratch.config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    host.codeServerEntry,
    '--config', scratch.config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', scratch.userData,
    '--extensions-dir', scratch.extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    // safety net: should this launcher be SIGKILLed, code-server exits once no client is connected
    '--idle-timeout-seconds', String(process.env.VSCODE_HOST_IDLE_TIMEOUT || 300),
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...extraArgs,
  ];
  // VS Code puts its IPC sockets (vscode-ipc-<uuid>.sock) in $XDG_RUNTIME_DIR or the temp dir and
  // leaves them behind when killed; a short private folder (unix socket paths must stay < 108 bytes)
  // keeps /tmp clean and is removed in stop().
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsh-'));
  const childEnv = codeServerEnv(scratch, runtimeDir, env);
  const logFd = fs.openSync(scratch.log, 'a');
  const started = Date.now();
  const child = spawn(host.node24, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  let exited = null;
  let output = '';
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (d) => {
      fs.writeSync(logFd, d);
      if (output.length < 20000) output += d;
      if (!quiet) process.stderr.write(d);
    });
  }
  child.on('error', (e) => { output += `spawn error: ${e.message}\n`; });

  const server = {
    pid,
    port,
    origin: `http://127.0.0.1:${port}`,
    authority: `127.0.0.1:${port}`,
    log: scratch.log,
    runtimeDir,
    startMs: 0,
    exited: () => exited,
    /** Ends code-server and its children (its process group), by PID. Idempotent. */
    async stop() {
      if (!exited) {
        try { process.kill(-pid, 'SIGTERM'); } catch { /* already gone */ }
        const t = setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
        await exitPromise;
        clearTimeout(t);
      }
      // the extension host and other children share the group; make sure none outlives the server
      try { process.kill(-pid, 0); process.kill(-pid, 'SIGKILL'); } catch { /* group is empty */ }
      try { fs.closeSync(logFd); } catch { /* closed */ }
      fs.rmSync(runtimeDir, { recursive: true, force: true });
    },
  };
  registerCleanup(server);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${output.slice(-3000)}`);
    if (/EADDRINUSE/.test(output)) { await server.stop(); throw new Error(`EADDRINUSE on ${port}`); }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer /healthz within ${readyTimeoutMs} ms:\n${output.slice(-3000)}`);
    }
    try {
      const r = await fetch(`${server.origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.startMs = Date.now() - started;
  return server;
}

// Stop every started server when this process ends, whatever the way.
const live = new Set();
let hooked = false;
function registerCleanup(server) {
  live.add(server);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const s of live) {
      if (!s.exited()) { try { process.kill(-s.pid, 'SIGKILL'); } catch { /* gone */ } }
      try { fs.rmSync(s.runtimeDir, { recursive: true, force: true }); } catch { /* best effort */ }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, async () => {
      say(`${sig}: stopping code-server`);
      await Promise.all([...live].map((s) => s.stop()));
      process.exit(130);
    });
  }
}

/**
 * Workbench URL: open `folder` and, when given, load extensions under development and a test runner.
 * Remote paths are vscode-remote://<authority>/<absolute path>: the authority must be exactly the
 * host:port the browser uses.
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPaths = [], extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://${server.authority}${encodeURI(path.resolve(p))}`;
  const payload = extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', path.resolve(folder));
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${q.toString()}`;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', // root
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

/**
 * Debian's Chromium via playwright-core. With `scratch`, its XDG folders point there, so that it
 * leaves nothing in ~/.config/chromium (its crash-report database lands there otherwise).
 */
export async function launchChromium(host, { headless = true, scratch } = {}) {
  const { chromium } = loadPlaywright(host);
  const env = { ...process.env };
  if (scratch) Object.assign(env, { XDG_CONFIG_HOME: scratch.xdgConfig, XDG_CACHE_HOME: scratch.xdgCache });
  return chromium.launch({ executablePath: host.chromium, headless, args: CHROMIUM_ARGS, env, timeout: 60000 });
}

/** Text of one codeAutomationLog call: drops %c style markers and their CSS arguments. */
export function formatAutomationLog(args) {
  const list = Array.isArray(args) ? args : [args];
  const out = [];
  for (let i = 0; i < list.length; i++) {
    let a = list[i];
    if (typeof a !== 'string') { out.push(typeof a === 'object' ? JSON.stringify(a) : String(a)); continue; }
    const styles = (a.match(/%c/g) || []).length;
    a = a.replace(/%c/g, '');
    i += styles; // skip the CSS strings that belong to the %c markers
    out.push(a);
  }
  return out.join(' ');
}

/** Marker that exthost-entry.cjs puts in front of every line the extension host prints. */
export const EXTHOST_MARK = '\u241eexthost\u241e ';

/**
 * Writes <scratch>/exthost-entry.cjs, a wrapper extensionTestsPath that tags the extension host's
 * output with EXTHOST_MARK and then runs the real tests entry `realTestsPath`.
 */
export function writeExtHostEntry(scratch, realTestsPath) {
  const tpl = fs.readFileSync(path.join(TOOL_DIR, 'lib', 'exthost-entry.template.cjs'), 'utf8');
  const file = path.join(scratch.dir, 'exthost-entry.cjs');
  fs.writeFileSync(file, tpl.replace('__MARK__', JSON.stringify(EXTHOST_MARK)).replace('__REAL__', JSON.stringify(path.resolve(realTestsPath))));
  return file;
}

/** codeAutomationLog(type, args) -> { fromExtHost, text } (printf-style args formatted as console.log would). */
export function automationLine(args) {
  const list = Array.isArray(args) ? args : [args];
  let text = typeof list[0] === 'string' && /%[sdifjoOc%]/.test(list[0]) ? util.format(...list) : formatAutomationLog(list);
  const i = text.indexOf(EXTHOST_MARK);
  const fromExtHost = i !== -1;
  if (fromExtHost) text = text.slice(0, i) + text.slice(i + EXTHOST_MARK.length);
  return { fromExtHost, text };
}

/** Marker of a screenshot request printed by a test in the extension host: MARK + {"file","webview"}. */
export const SHOT_MARK = '\u241eshot\u241e ';

/**
 * Takes the screenshot a test asked for: the whole window, or with `webview` the visible webview's
 * iframe alone. Writes <file> atomically (the test waits for it), or <file>.error with the reason.
 * Only files inside `dir` are written.
 */
export async function takeRequestedScreenshot(page, json, dir) {
  let file;
  try {
    const req = JSON.parse(json);
    file = path.resolve(String(req.file));
    if (!dir || path.relative(dir, file).startsWith('..')) throw new Error(`screenshot path ${file} is outside ${dir}`);
    const tmp = `${file}.partial.png`;
    if (req.webview) {
      const frame = page.locator('iframe.webview.ready >> visible=true').last();
      await frame.waitFor({ timeout: 10000 });
      await frame.screenshot({ path: tmp, timeout: 10000 });
    } else {
      await page.screenshot({ path: tmp, timeout: 10000 });
    }
    fs.renameSync(tmp, file);
    return `screenshot ${path.relative(process.cwd(), file)}`;
  } catch (e) {
    const reason = String(e?.message ?? e).split('\n')[0];
    if (file && dir && !path.relative(dir, file).startsWith('..')) fs.writeFileSync(`${file}.error`, reason);
    return `screenshot failed: ${reason}`;
  }
}

/**
 * The driver's side of a request a test printed: parses `json`, checks that its answer file lies
 * inside `dir`, runs `work(req)`, and writes the result to that file atomically (or the reason to
 * <file>.error). Returns the line to log: `describe(result)`, or "<what> failed: reason".
 */
async function answerToFile(json, dir, what, work, describe) {
  let file;
  try {
    const req = JSON.parse(json);
    file = path.resolve(String(req.file));
    if (!dir || path.relative(dir, file).startsWith('..')) throw new Error(`${what} path ${file} is outside ${dir}`);
    const result = await work(req);
    fs.writeFileSync(`${file}.partial`, JSON.stringify(result));
    fs.renameSync(`${file}.partial`, file);
    return describe(req, result);
  } catch (e) {
    const reason = String(e?.message ?? e).split('\n')[0];
    if (file && dir && !path.relative(dir, file).startsWith('..')) fs.writeFileSync(`${file}.error`, reason);
    return `${what} failed: ${reason}`;
  }
}

/** Marker of a webview DOM query printed by a test: MARK + {"file","selector","actions"?} (test/host/helpers.ts webviewDom()). */
export const DOM_MARK = '\u241edom\u241e ';

/**
 * Reads the visible webview's DOM from outside (Playwright, through the webview's two iframes):
 * the elements matching `selector` (count and textContent), and every <img> and <script> in the
 * document. With `waitFor` it first waits (up to 5 s) for a matching element whose text contains
 * it, for content that comes from a round trip to the extension host. Writes <file> (JSON)
 * atomically, or <file>.error. Only files inside `dir` are written.
 */
export function answerDomQuery(page, json, dir) {
  return answerToFile(json, dir, 'webview DOM query', async (req) => {
    const outer = page.locator('iframe.webview.ready >> visible=true').last();
    await outer.waitFor({ timeout: 10000 });
    const doc = outer.contentFrame().frameLocator('#active-frame');
    const inner = doc.locator('body');
    await inner.waitFor({ timeout: 10000 });
    // optional user input first, as a person would give it: [{ click: sel } | { press: key, on: sel } | { fill: sel, value }]
    for (const a of Array.isArray(req.actions) ? req.actions : []) {
      if (a.click) await doc.locator(String(a.click)).first().click({ timeout: 5000 });
      else if (a.press) await doc.locator(String(a.on ?? 'body')).first().press(String(a.press), { timeout: 5000 });
      else if (a.fill) await doc.locator(String(a.fill)).first().fill(String(a.value ?? ''), { timeout: 5000 });
      else if (a.select) await doc.locator(String(a.select)).first().selectOption(String(a.value ?? ''), { timeout: 5000 });
      await page.waitForTimeout(150); // let the webview re-render (requestAnimationFrame)
    }
    // what the test expects may come from a round trip to the extension host: wait for it (the test still checks)
    if (typeof req.waitFor === 'string') {
      await doc.locator(String(req.selector), { hasText: req.waitFor }).first().waitFor({ timeout: 5000 }).catch(() => {});
    }
    return inner.evaluate((body, selector) => ({
      count: body.querySelectorAll(selector).length,
      texts: [...body.querySelectorAll(selector)].slice(0, 200).map((e) => e.textContent ?? ''),
      classes: [...body.querySelectorAll(selector)].slice(0, 200).map((e) => e.getAttribute('class') ?? ''),
      focused: body.ownerDocument.activeElement && body.ownerDocument.activeElement !== body
        ? (body.ownerDocument.activeElement.getAttribute('aria-label') || body.ownerDocument.activeElement.textContent || '').slice(0, 200) : null,
      images: body.ownerDocument.querySelectorAll('img').length,
      scripts: [...body.ownerDocument.scripts].map((s) => s.src || `inline: ${(s.textContent ?? '').slice(0, 60)}`),
      csp: body.ownerDocument.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
    }), String(req.selector));
  }, (req, result) => `webview DOM ${String(req.selector)}: ${result.count} element(s)`);
}

/** Marker of a request to answer VS Code's quick input prompts: MARK + {"file","steps"} (test/host/helpers.ts answerPrompts()). */
export const PROMPT_MARK = '\u241eprompt\u241e ';

/**
 * Answers the workbench's QuickPick / InputBox prompts as a user would, one step per prompt:
 * waits for the quick input whose title contains `title`, then types `fill` into its box, or
 * narrows a pick list to `pick` by typing it, or clicks the rows named in `check` (multi-select),
 * and presses Enter. With `blur` it first takes the focus away from the prompt, which must stay
 * open; with `stay` it presses no Enter (the prompt stays open, e.g. to read its validation
 * message, which `message` waits for up to 5 s). Writes <file> (JSON: for each step the title seen, the row labels shown, the
 * validation message and how the answer was typed) atomically, or <file>.error. Only files
 * inside `dir` are written.
 */
export function answerPrompts(page, json, dir) {
  return answerToFile(json, dir, 'answering prompts', async (req) => {
    const steps = [];
    for (const step of Array.isArray(req.steps) ? req.steps : []) {
      const title = String(step.title ?? '');
      await page.waitForFunction((t) => [...globalThis.document.querySelectorAll('.quick-input-widget')]
        .some((w) => w.offsetParent !== null && (w.querySelector('.quick-input-title')?.textContent ?? '').includes(t)), title, { timeout: 15000 })
        .catch((e) => { throw new Error(`step "${title}": no quick input with that title within 15 s (${e.message.split('\n')[0]})`, { cause: e }); });
      const widget = page.locator('.quick-input-widget:visible', { has: page.locator('.quick-input-title', { hasText: title }) }).first();
      const seenTitle = await widget.locator('.quick-input-title').first().textContent();
      const input = widget.locator('.quick-input-box input:visible').first();
      const shown = await widget.locator('.monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
      if (step.blur) {
        // the focus leaves the prompt, as when a webview takes it while loading: a prompt without ignoreFocusOut closes
        await page.evaluate(() => globalThis.document.activeElement?.blur());
        await page.waitForTimeout(500);
        if (!(await widget.isVisible())) throw new Error(`step "${title}": the prompt closed when the focus left it`);
      }
      const text = step.fill ?? step.pick;
      const typed = text === undefined ? 'nothing' : await typeIntoQuickInput(page, input, String(text), title);
      for (const label of Array.isArray(step.check) ? step.check : []) {
        await widget.locator('.monaco-list-row', { hasText: String(label) }).first().click({ timeout: 5000 });
      }
      await page.waitForTimeout(250); // validation and filtering run asynchronously
      if (typeof step.message === 'string') {
        // the validation message comes from the extension host: wait for it (the test still checks)
        await widget.locator('.quick-input-message', { hasText: step.message }).first().waitFor({ timeout: 5000 }).catch(() => {});
      }
      const message = await widget.locator('.quick-input-message').first().textContent().catch(() => '');
      steps.push({ title: seenTitle, rows: shown, message, typed });
      if (step.stay) continue; // leave the prompt open (e.g. to read a validation message)
      // Enter in the box (a click on a row moved the focus to the list); the keyboard should the box not take the focus
      await input.press('Enter', { timeout: 5000 }).catch(() => page.keyboard.press('Enter'));
      // the prompt is answered once the widget shows the next one or is gone
      await page.waitForFunction((t) => ![...globalThis.document.querySelectorAll('.quick-input-widget')]
        .some((w) => w.offsetParent !== null && (w.querySelector('.quick-input-title')?.textContent ?? '') === t), seenTitle, { timeout: 10000 }).catch(() => {});
    }
    return { steps };
  }, (_req, result) => `prompts answered: ${result.steps.map((s) => JSON.stringify(s.title) + (s.typed === 'keyboard' ? ' (typed with the keyboard)' : '')).join(', ')}`);
}

/**
 * Puts `text` into a quick input's box: Playwright's fill() first; should the box not become
 * fillable within 5 s (a CI run once waited 30 s on it), types it with the keyboard into the
 * focused quick input, as a user would. Returns how it was typed; throws, with the state of every
 * quick input box, when the box does not end up holding `text`.
 */
async function typeIntoQuickInput(page, input, text, title) {
  try {
    await input.fill(text, { timeout: 5000 });
    return 'fill';
  } catch (fillError) {
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(text);
    const boxes = await page.evaluate(() => [...globalThis.document.querySelectorAll('.quick-input-widget .quick-input-box input')].map((i) => ({
      visible: i.offsetParent !== null, disabled: i.disabled, readOnly: i.readOnly, focused: globalThis.document.activeElement === i, value: i.value,
    })));
    if (boxes.some((b) => b.focused && b.value === text)) return 'keyboard';
    throw new Error(`step "${title}": could not type ${JSON.stringify(text)}: ${String(fillError.message).split('\n')[0]}; boxes ${JSON.stringify(boxes)}`, { cause: fillError });
  }
}

export function rmScratch(scratch) {
  fs.rmSync(scratch.dir, { recursive: true, force: true });
}

/** Refuse early when the extension asks for a newer VS Code than code-server has (it would silently not load). */
export function checkEngine(extDir, vscodeVersion) {
  const pkg = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  const want = pkg.engines?.vscode;
  if (!want) throw new Error(`${extDir}/package.json has no engines.vscode`);
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(want);
  const have = vscodeVersion.split('.').map(Number);
  if (m && want !== '*') {
    const min = m.slice(1).map(Number);
    const cmp = min[0] - have[0] || min[1] - have[1] || min[2] - have[2];
    if (cmp > 0 && process.env.VSCODE_HOST_SKIP_ENGINE_CHECK !== '1') {
      throw new Error(`engines.vscode "${want}" is newer than the VS Code ${vscodeVersion} inside code-server: ` +
        `the extension would not load. Lower it (and @types/vscode) to <= ${vscodeVersion}, or install a newer code-server.`);
    }
  }
  return `${pkg.publisher}.${pkg.name}`;
}
