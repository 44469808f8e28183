// Evidence for `wsw test-server` as a user runs it (the built dist/cli.js as a process): exit 0
// against a good server, 1 against a broken one, 2 for a bad URL, a refused connection, an
// unknown case id or an unverifiable certificate; --junit, --report-dir and index.json as
// documented; an agent name cannot leave the report folder; wss:// with --insecure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectCases } from '../../src/cases/catalogue';
import { reportFileName } from '../../src/report';
import { createSelfSignedCertificate } from '../../src/transport';
import { startWswServe, type TestCert, type WswServe } from '../peers';
import { startBrokenServer, type BrokenServer } from '../peers/broken-server';
import { CLI, buildCli } from './helpers';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `wsw test-server …` without blocking this process (the broken server lives in it). */
function testServer(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'test-server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wsw test-server ${args.join(' ')} did not end within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A well-formedness check: one root, every tag closed in order, attributes quoted. */
function assertWellFormedXml(text: string): void {
  assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const body = text.slice(text.indexOf('?>') + 2).trim();
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  assert.deepEqual(stack, []);
  assert.equal(roots, 1);
  // Every "<" in the body starts one of the tags above (text is escaped).
  assert.equal((body.match(/</g) ?? []).length, [...body.matchAll(/<\/?[A-Za-z][\w-]*(?:\s+[\w-]+="[^"<]*")*\s*\/?>/g)].length);
}

const attr = (text: string, element: string, name: string) => new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(text)?.[1];

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('wsw test-server', () => {
  let cert: TestCert;
  let serve: WswServe;
  let broken: BrokenServer;
  let dir: string;
  before(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'wsw-test-server-'));
    // Our own self-signed certificate (no openssl needed in this stage).
    const made = createSelfSignedCertificate();
    cert = { cert: made.cert, key: made.key, certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem'), spkiSha256: '' };
    writeFileSync(cert.certPath, made.cert);
    writeFileSync(cert.keyPath, made.key);
    serve = await startWswServe({ deflate: true, tls: cert });
    broken = await startBrokenServer({ ignorePings: true });
  });
  after(async () => {
    await serve?.stop();
    await broken?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a good server: exit 0, a report per case, index.json shaped like Autobahn\'s, JUnit without failures', async () => {
    const reports = join(dir, 'good');
    const junit = join(dir, 'good-junit', 'results.xml');
    const cases = selectCases(['1.1.*', '2.*', '5.20', '7.1.1']).map((d) => d.id);
    const r = await testServer([serve.ws.url, '--agent', 'good server', '--cases', '1.1.*,2.*,5.20,7.1.1', '--report-dir', reports, '--junit', junit, '--parallel', '8']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`total: ${cases.length} cases, 0 failed`));
    assert.equal(r.stdout.split('\n').filter((l) => /^\[\s*\d+\/\d+\] /.test(l)).length, cases.length, 'a progress line per case');

    const files = readdirSync(reports).sort();
    const expectedFiles = ['index.html', 'index.json', ...cases.flatMap((id) => (['html', 'json', 'txt'] as const).map((ext) => reportFileName('good server', id, ext)))].sort();
    assert.deepEqual(files, expectedFiles);

    const index = JSON.parse(readFileSync(join(reports, 'index.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(Object.keys(index), ['good server']);
    assert.deepEqual(Object.keys(index['good server']).sort(), [...cases].sort());
    for (const id of cases) {
      const entry = index['good server'][id];
      assert.deepEqual(Object.keys(entry).sort(), ['behavior', 'behaviorClose', 'duration', 'remoteCloseCode', 'reportfile']);
      assert.equal(entry.reportfile, reportFileName('good server', id, 'json'));
      assert.equal(typeof entry.duration, 'number');
      assert.notEqual(entry.behavior, 'FAILED', id);
    }
    assert.equal(index['good server']['5.20'].behavior, 'OK');
    assert.equal(index['good server']['7.1.1'].remoteCloseCode, 1000);

    const xml = readFileSync(junit, 'utf8');
    assertWellFormedXml(xml);
    assert.equal((xml.match(/<testcase /g) ?? []).length, cases.length);
    assert.equal(attr(xml, 'testsuites', 'tests'), String(cases.length));
    assert.equal(attr(xml, 'testsuites', 'failures'), '0');
    assert.equal((xml.match(/<failure /g) ?? []).length, 0);
  });

  test('a broken server (ignores pings): exit 1, and JUnit counts exactly the FAILED cases', async () => {
    const reports = join(dir, 'broken');
    const junit = join(dir, 'broken.xml');
    const r = await testServer([broken.url, '--cases', '2.*', '--report-dir', reports, '--junit', junit, '--parallel', '11', '--quiet']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /total: 11 cases, 8 failed/);
    // --quiet: only the failed cases get a progress line.
    assert.equal(r.stdout.split('\n').filter((l) => l.includes('<- FAILED')).length, 8);
    const xml = readFileSync(junit, 'utf8');
    assertWellFormedXml(xml);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 11);
    assert.equal(attr(xml, 'testsuites', 'failures'), '8');
    assert.equal(attr(xml, 'testsuite', 'failures'), '8');
    assert.equal((xml.match(/<failure /g) ?? []).length, 8);
    const index = JSON.parse(readFileSync(join(reports, 'index.json'), 'utf8')) as Record<string, Record<string, { behavior: string }>>;
    const agent = Object.keys(index)[0];
    assert.equal(agent, new URL(broken.url).host, 'the default agent is the URL\'s host');
    assert.deepEqual(
      Object.entries(index[agent]).filter(([, e]) => e.behavior === 'FAILED').map(([id]) => id).sort(),
      ['2.1', '2.10', '2.11', '2.2', '2.3', '2.4', '2.6', '2.9'],
    );
  });

  test('an agent named ../../x stays inside the report folder', async () => {
    const reports = join(dir, 'nested', 'a', 'b');
    const r = await testServer([serve.ws.url, '--agent', '../../x', '--cases', '1.1.1', '--report-dir', reports]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(readdirSync(reports).sort(), ['index.html', 'index.json', 'x_case_1_1_1.html', 'x_case_1_1_1.json', 'x_case_1_1_1.txt']);
    assert.deepEqual(readdirSync(join(dir, 'nested')), ['a']);
    assert.deepEqual(readdirSync(join(dir, 'nested', 'a')), ['b']);
    const index = JSON.parse(readFileSync(join(reports, 'index.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(index), ['../../x']);
  });

  test('exit 2: a bad URL, a refused connection, an unknown case id (and no report is written)', async () => {
    const reports = join(dir, 'never');
    const port = await closedPort();
    for (const [args, message] of [
      [['http://127.0.0.1:1/'], /ws:\/\/|wss:\/\/|scheme|URL/i],
      [['not a url'], /URL/i],
      [[`ws://127.0.0.1:${port}/`], /refused|ECONNREFUSED/i],
      [[serve.ws.url, '--cases', '99.9'], /unknown case id "99\.9"/],
      [[serve.ws.url, '--parallel', '0'], /--parallel/],
    ] as const) {
      const r = await testServer([...args, '--report-dir', reports]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
    assert.throws(() => readdirSync(reports), /ENOENT/);
  });

  test('wss:// with a self-signed certificate: refused (exit 2) without --insecure, run with it (exit 0)', async () => {
    const url = serve.wss!.url;
    const refused = await testServer([url, '--cases', '1.1.1', '--report-dir', join(dir, 'wss-refused')]);
    assert.equal(refused.status, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /certificate|self[- ]signed|verif/i);
    const ok = await testServer([url, '--cases', '1.1.*,5.20', '--insecure', '--parallel', '4', '--report-dir', join(dir, 'wss')]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stderr, /--insecure/);
    assert.match(ok.stdout, /total: 9 cases, 0 failed/);
    // --ca trusts the certificate instead.
    const ca = await testServer([url, '--cases', '1.1.1', '--ca', cert.certPath, '--report-dir', join(dir, 'wss-ca')]);
    assert.equal(ca.status, 0, ca.stdout + ca.stderr);
  });
});
