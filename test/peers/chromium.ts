// Headless Debian Chromium (/usr/bin/chromium, driven by playwright-core without a browser
// download) as a real peer: the browser's own WebSocket, run from a page served by a loopback http
// server so the Origin is http://127.0.0.1:PORT (not null; see ../shared/notes/real-peers.md).
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { TestCert } from './certs';
import { peersDir, withTimeout } from './process';
import { checkSteps, DEFAULT_TIMEOUT_MS, urlFor, type ClientOptions, type PeerResult, type Step } from './steps';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface ChromiumOptions {
  /**
   * Trust this (self-signed) certificate for wss: Chromium gets
   * `--ignore-certificate-errors-spki-list=<its SPKI hash>`, which skips certificate errors only
   * for that key (honoured because the profile has an explicit --user-data-dir). Other
   * certificates are still checked.
   */
  trustCert?: TestCert;
  /** `--ignore-certificate-errors` for every certificate (prefer trustCert). */
  ignoreAllCertErrors?: boolean;
  /** More Chromium flags. */
  args?: string[];
  /** Bound on launch, page load and close (default 30 000 ms). */
  timeoutMs?: number;
}

export interface ChromiumSession {
  page: Page;
  /** The page's origin, e.g. http://127.0.0.1:PORT (what Chromium sends as Origin). */
  origin: string;
  close(): Promise<void>;
}

function serve(runnerJs: string): Promise<{ server: Server; origin: string; sockets: Set<Socket> }> {
  const page = '<!doctype html><meta charset="utf-8"><title>wsw peer</title><script src="/runner.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/runner.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(runnerJs);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else res.writeHead(404).end();
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, sockets, origin: urlFor('http', '127.0.0.1', (server.address() as AddressInfo).port, '') }));
  });
}

/** SIGKILLs the browser processes started with this profile dir (ours alone: the dir is unique). */
function killProfileProcesses(userDataDir: string): void {
  const marker = `--user-data-dir=${userDataDir}`;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmdline: string;
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (cmdline.split('\0').includes(marker)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/** Launches headless Chromium with a fresh profile and opens the harness page. Call close() in finally. */
export async function startChromium(options: ChromiumOptions = {}): Promise<ChromiumSession> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const args = [...CHROMIUM_FLAGS, ...(options.args ?? [])];
  if (options.trustCert) args.push(`--ignore-certificate-errors-spki-list=${options.trustCert.spkiSha256}`);
  if (options.ignoreAllCertErrors) args.push('--ignore-certificate-errors');
  const userDataDir = mkdtempSync(join(tmpdir(), 'wsw-chromium-'));
  const http = await serve(readFileSync(join(peersDir(), 'browser', 'runner.js'), 'utf8'));
  let context: BrowserContext | undefined;
  const close = async () => {
    try {
      if (context) await withTimeout(context.close(), timeoutMs, 'closing Chromium').catch(() => undefined);
    } finally {
      killProfileProcesses(userDataDir);
      for (const s of http.sockets) s.destroy();
      await new Promise<void>((resolve) => http.server.close(() => resolve()));
      rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    }
  };
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM, headless: true, args, timeout: timeoutMs, handleSIGINT: false, handleSIGTERM: false,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${http.origin}/`, { timeout: timeoutMs });
    await page.waitForFunction('typeof window.wswRunSteps === "function"', undefined, { timeout: timeoutMs });
    return { page, origin: http.origin, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** startChromium(), then `fn(page)`, then close everything (browser, profile dir, page server). */
export async function withChromium<T>(fn: (page: Page, session: ChromiumSession) => Promise<T>, options: ChromiumOptions = {}): Promise<T> {
  const session = await startChromium(options);
  try {
    return await fn(session.page, session);
  } finally {
    await session.close();
  }
}

/**
 * Runs the browser's WebSocket (binaryType 'arraybuffer') through `steps` against `url` and returns
 * what it saw. What a page cannot control is refused rather than ignored: Chromium always offers
 * `permessage-deflate; client_max_window_bits`, so `deflate` may only be left out or `true`; the
 * `ping` step is recorded as an error. `ca`/`insecure`/`maxSize` do not apply (trust is decided
 * at launch: ChromiumOptions.trustCert).
 */
export async function runBrowserWebSocket(page: Page, url: string, steps: readonly Step[], options: ClientOptions = {}): Promise<PeerResult> {
  checkSteps(steps);
  if (options.deflate !== undefined && options.deflate !== true) {
    throw new TypeError('Chromium always offers permessage-deflate; client_max_window_bits: leave `deflate` out (or true)');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const job = { url, steps, options: { timeoutMs, hexLimit: options.hexLimit, subprotocols: options.subprotocols } };
  // A string expression, not a function: tsx/esbuild may wrap functions in helpers the page lacks.
  const run = page.evaluate(`window.wswRunSteps(${JSON.stringify(job)})`) as Promise<PeerResult>;
  return withTimeout(run, timeoutMs * (steps.length + 3) + 5000, 'browser WebSocket steps');
}
