// runSuite(): one extension-test run in a fresh code-server + headless Chromium. Used by
// run-tests.mjs and bin/code-shim.mjs. Returns the exit code: 0 pass, 1 fail, 2 harness error/timeout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  say, makeScratch, writeUserSettings, startCodeServer, workbenchUrl, launchChromium,
  automationLine, writeExtHostEntry, rmScratch, SHOT_MARK, takeRequestedScreenshot, DOM_MARK, answerDomQuery, PROMPT_MARK, answerPrompts,
} from './host.mjs';

/**
 * @param {object} o
 * @param {object} o.host                        loadHost()
 * @param {string[]} o.extensionDevelopmentPaths absolute paths (may be empty: test installed extensions)
 * @param {string} o.testsPath                   extensionTestsPath (module exporting run())
 * @param {string} [o.workspace]                 folder to open (default: fresh empty folder)
 * @param {string} [o.userDataDir]               default: in the scratch dir
 * @param {string} [o.extensionsDir]             default: in the scratch dir
 * @param {object} [o.env]                       extra env for code-server / the extension host
 * @param {number} [o.timeoutSec=300]
 * @param {string} [o.screenshotDir]             where screenshots requested by the tests go
 *                                               (also given to the extension host as VSCODE_HOST_SCREENSHOTS)
 * @param {(scratch) => Promise<void>} [o.beforeStart]  e.g. install a .vsix into scratch.extensions
 * @param {boolean} [o.verbose] [o.keep] [o.smoke=true]
 * @param {NodeJS.WritableStream} [o.stdout] [o.stderr]  where test output goes
 */
export async function runSuite(o) {
  const { host } = o;
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const timeoutSec = o.timeoutSec ?? 300;
  const scratch = makeScratch('tests');
  if (o.userDataDir) scratch.userData = path.resolve(o.userDataDir);
  if (o.extensionsDir) scratch.extensions = path.resolve(o.extensionsDir);
  fs.mkdirSync(scratch.userData, { recursive: true });
  fs.mkdirSync(scratch.extensions, { recursive: true });
  writeUserSettings(scratch, {}, { keepExisting: !!o.userDataDir });
  const workspace = path.resolve(o.workspace ?? path.join(scratch.dir, 'workspace'));
  fs.mkdirSync(workspace, { recursive: true });
  say(`code-server ${host.codeServerVersion} (VS Code ${host.vscodeVersion}); scratch ${scratch.dir}`);

  // mocha colours its ✔/✖ through picocolors, which turns colour on when CI is set: plain text
  // unless FORCE_COLOR asks for colour (picocolors treats FORCE_COLOR=0 as "on", so NO_COLOR it is)
  const env = { ...(process.env.FORCE_COLOR ? {} : { NO_COLOR: '1' }), ...(o.env ?? {}) };
  if (o.screenshotDir) {
    fs.mkdirSync(o.screenshotDir, { recursive: true });
    env.VSCODE_HOST_SCREENSHOTS = path.resolve(o.screenshotDir);
  }
  const t0 = Date.now();
  if (o.beforeStart) await o.beforeStart(scratch);
  const server = await startCodeServer(host, scratch, { env, smokeTestDriver: o.smoke ?? true, quiet: !o.verbose });
  say(`code-server pid ${server.pid} ready on ${server.origin} in ${(server.startMs / 1000).toFixed(1)}s`);

  let browser;
  let code; // 0 pass, 1 fail, 2 harness error or timeout
  const pageLog = fs.createWriteStream(path.join(scratch.dir, 'browser-console.log'));
  try {
    const tb = Date.now();
    browser = await launchChromium(host, { scratch });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // as a user's browser would allow it for the workbench: vscode.env.clipboard works
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    say(`chromium ${browser.version()} up in ${((Date.now() - tb) / 1000).toFixed(1)}s`);
    page.on('console', (m) => pageLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => pageLog.write(`[pageerror] ${e.stack || e}\n`));

    let firstOutput = 0;
    let tagged = 0;
    const untagged = [];
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    // Everything the workbench logs arrives here while extension tests run (ConsoleLogInAutomationLogger);
    // the extension host's own output is tagged by exthost-entry.cjs.
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const { fromExtHost, text } = automationLine(args);
      pageLog.write(`[automation ${type}${fromExtHost ? ' exthost' : ''}] ${text}\n`);
      // a test asked for a screenshot (test/host/helpers.ts screenshot()): take it, do not print the line
      const shot = fromExtHost ? text.indexOf(SHOT_MARK) : -1;
      if (shot !== -1) {
        void takeRequestedScreenshot(page, text.slice(shot + SHOT_MARK.length), env.VSCODE_HOST_SCREENSHOTS).then((msg) => say(msg));
        return;
      }
      // a test asked what the webview's DOM holds (test/host/helpers.ts webviewDom())
      const dom = fromExtHost ? text.indexOf(DOM_MARK) : -1;
      if (dom !== -1) {
        void answerDomQuery(page, text.slice(dom + DOM_MARK.length), env.VSCODE_HOST_SCREENSHOTS).then((msg) => say(msg));
        return;
      }
      // a test asked the driver to answer the quick input prompts of a command it runs (helpers.ts answerPrompts())
      const prompt = fromExtHost ? text.indexOf(PROMPT_MARK) : -1;
      if (prompt !== -1) {
        void answerPrompts(page, text.slice(prompt + PROMPT_MARK.length), env.VSCODE_HOST_SCREENSHOTS).then((msg) => say(msg));
        return;
      }
      if (!fromExtHost && !o.verbose) {
        if (untagged.length < 5000) untagged.push([type, text]);
        return;
      }
      if (!firstOutput) firstOutput = Date.now();
      tagged++;
      (type === 'error' ? err : out).write(text.endsWith('\n') ? text : text + '\n');
    });
    // Called by the workbench when the extension host exits after the tests: (code, logs).
    await page.exposeFunction('codeAutomationExit', async (exitCode, logs) => {
      if (Array.isArray(logs)) {
        const dir = path.join(scratch.dir, 'workbench-logs');
        for (const l of logs) {
          const f = path.join(dir, String(l.relativePath).replace(/\.\.+/g, '_'));
          fs.mkdirSync(path.dirname(f), { recursive: true });
          fs.writeFileSync(f, l.contents ?? '');
        }
      }
      resolveExit(exitCode);
    });

    const url = workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPaths: o.extensionDevelopmentPaths,
      extensionTestsPath: writeExtHostEntry(scratch, o.testsPath),
    });
    if (o.verbose) say(`open ${url}`);
    const tOpen = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    let timer;
    const timedOut = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutSec * 1000)));
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (!tagged && !o.verbose && untagged.length) {
      say('no tagged extension-host output arrived; here is everything the workbench logged:');
      for (const [type, text] of untagged) (type === 'error' ? err : out).write(text + '\n');
    }
    if (result === 'timeout') {
      say(`suite did not finish within ${timeoutSec}s`);
      await page.screenshot({ path: path.join(scratch.dir, 'timeout.png') }).catch(() => {});
      code = 2;
    } else {
      code = Number(result) === 0 ? 0 : 1;
      const s = (ms) => (ms / 1000).toFixed(1) + 's';
      say(`suite exit code ${result}; page open -> first test output ${firstOutput ? s(firstOutput - tOpen) : '?'}, ` +
        `tests ${firstOutput ? s(Date.now() - firstOutput) : '?'}`);
    }
  } catch (e) {
    say(`harness error: ${e.stack || e}`);
    code = 2;
  } finally {
    await browser?.close().catch(() => {});
    await server.stop();
    pageLog.end();
    say(`code-server pid ${server.pid} stopped; total ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  if (code === 0 && !o.keep) rmScratch(scratch);
  else say(`kept ${scratch.dir} (code-server.log, browser-console.log, workbench-logs/, user-data/logs/)`);
  return code;
}
