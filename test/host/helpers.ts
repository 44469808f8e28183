// Shared helpers for the extension-host tests (bundled into each test file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';

/** The project root: the nearest folder above this bundle with a package.json. */
export const PROJECT_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
})();

const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };

/** `publisher.name` from package.json: 'websocket-workbench.websocket-workbench'. */
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/**
 * How the extension was loaded, set by scripts/vscode-host/run-tests.mjs: 'development'
 * (extensionDevelopmentPath = the project) or 'installed' (the .vsix, `--install-extension`).
 */
export const HOST_MODE = process.env.WSW_HOST_MODE === 'installed' ? 'installed' : 'development';

export function getExtension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded (engines.vscode too new for this host? see the workbench log)`);
  return ext;
}

/** Polls `probe` until it returns something truthy; for UI state that settles asynchronously. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Prints one indented line into the test output (mocha's spec reporter indents tests by 4). */
export function report(text: string): void {
  console.log(`      ${text}`);
}

/** Set by the runner when it can take screenshots: the folder they go to (reports/screenshots/). */
export const SCREENSHOT_DIR = process.env.VSCODE_HOST_SCREENSHOTS || undefined;
const SHOT_MARK = '\u241eshot\u241e ';

/**
 * Asks the driver (scripts/vscode-host, outside the extension host) for a PNG of the whole workbench,
 * or with `webview: true` of the visible webview only, and waits until it is written.
 * Returns its path, or undefined where nobody takes screenshots (e.g. on VS Code desktop).
 */
export async function screenshot(name: string, opts: { webview?: boolean; timeoutMs?: number } = {}): Promise<string | undefined> {
  if (!SCREENSHOT_DIR) return undefined;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use letters, digits, . _ -`);
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  for (const f of [file, `${file}.error`]) fs.rmSync(f, { force: true });
  console.log(SHOT_MARK + JSON.stringify({ file, webview: !!opts.webview }));
  await until(`screenshot ${name}`, () => fs.existsSync(file) || fs.existsSync(`${file}.error`), opts.timeoutMs ?? 20000);
  if (fs.existsSync(`${file}.error`)) throw new Error(`screenshot ${name}: ${fs.readFileSync(`${file}.error`, 'utf8')}`);
  return file;
}

/**
 * Waits until the workbench answers a command round trip quickly (it is busy for a few seconds after
 * the extension host starts: restoring the layout, activating built-in extensions), so that timings
 * measured afterwards are the extension's own. Returns the last round trip in ms.
 */
export async function settle(maxMs = 10000, quickMs = 50): Promise<number> {
  const end = Date.now() + maxMs;
  for (;;) {
    const t = performance.now();
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    const ms = performance.now() - t;
    if (ms < quickMs || Date.now() > end) return ms;
  }
}

const DOM_MARK = '\u241edom\u241e ';

export interface WebviewDom {
  count: number;
  texts: string[];
  /** The class attribute of each element matching the selector. */
  classes: string[];
  /** The focused element's aria-label (or text), null when nothing in the webview has focus. */
  focused: string | null;
  images: number;
  scripts: string[];
  csp: string | null;
}

/**
 * Asks the driver (Playwright, outside the extension host) to read the visible webview's DOM
 * through its iframes: the elements matching `selector`, every <img> and <script>, the CSP.
 * `actions` (clicks, key presses, typing, select) are performed first, in the webview, as a user would.
 * `waitFor`: text a matching element should come to contain (up to 5 s), for content that takes a
 * round trip to the extension host; the test still checks what was read.
 * Undefined where nobody drives a browser (e.g. VS Code desktop).
 */
export type WebviewAction = { click: string } | { press: string; on?: string } | { fill: string; value: string } | { select: string; value: string };

export async function webviewDom(
  name: string,
  selector: string,
  actions: WebviewAction[] = [],
  { waitFor, timeoutMs = 20000 }: { waitFor?: string; timeoutMs?: number } = {},
): Promise<WebviewDom | undefined> {
  if (!SCREENSHOT_DIR) return undefined;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`DOM query name ${JSON.stringify(name)}: use letters, digits, . _ -`);
  const file = path.join(SCREENSHOT_DIR, `${name}.dom.json`);
  for (const f of [file, `${file}.error`]) fs.rmSync(f, { force: true });
  console.log(DOM_MARK + JSON.stringify({ file, selector, actions, waitFor }));
  await until(`webview DOM ${name}`, () => fs.existsSync(file) || fs.existsSync(`${file}.error`), timeoutMs);
  if (fs.existsSync(`${file}.error`)) throw new Error(`webview DOM ${name}: ${fs.readFileSync(`${file}.error`, 'utf8')}`);
  const dom = JSON.parse(fs.readFileSync(file, 'utf8')) as WebviewDom;
  fs.rmSync(file, { force: true });
  return dom;
}

const PROMPT_MARK = '\u241eprompt\u241e ';

/** One prompt of a command's palette flow: the quick input whose title contains `title`, and the answer. */
/** `blur`: the focus leaves the prompt first (the prompt must stay open); `stay`: no Enter, the prompt stays open. */
/** `message`: wait (up to 5 s) for the validation message to contain it, before reading it. */
export type PromptStep = { title: string; fill?: string; pick?: string; check?: string[]; stay?: boolean; blur?: boolean; message?: string };
export interface PromptAnswers {
  /** Per step: the title shown, the rows of a pick list before answering, a validation message, how the answer was typed. */
  steps: { title: string; rows: string[]; message: string; typed: 'fill' | 'keyboard' | 'nothing' }[];
}

/**
 * Asks the driver (Playwright, outside the extension host) to answer the QuickPick / InputBox
 * prompts that a command started with no arguments shows, in order, typing and clicking in the
 * workbench as a user would. Start the command first (without awaiting it), then await this.
 * Undefined where nobody drives a browser (e.g. VS Code desktop).
 */
export async function answerPrompts(name: string, steps: PromptStep[], timeoutMs = 20000 + steps.length * 15000): Promise<PromptAnswers | undefined> {
  if (!SCREENSHOT_DIR) return undefined;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`prompt answers name ${JSON.stringify(name)}: use letters, digits, . _ -`);
  const file = path.join(SCREENSHOT_DIR, `${name}.prompts.json`);
  for (const f of [file, `${file}.error`]) fs.rmSync(f, { force: true });
  console.log(PROMPT_MARK + JSON.stringify({ file, steps }));
  await until(`prompts ${name}`, () => fs.existsSync(file) || fs.existsSync(`${file}.error`), timeoutMs);
  if (fs.existsSync(`${file}.error`)) throw new Error(`prompts ${name}: ${fs.readFileSync(`${file}.error`, 'utf8')}`);
  const answers = JSON.parse(fs.readFileSync(file, 'utf8')) as PromptAnswers;
  fs.rmSync(file, { force: true });
  return answers;
}
