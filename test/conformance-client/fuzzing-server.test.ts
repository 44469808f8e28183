// The fuzzing server's endpoints (Autobahn's FuzzingServerProtocol), and `wsw test-client` with
// `wsw echo-client` end to end (dist/cli.js, built by the build stage before this one).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { runBounded, startTracked, stopProcess, waitForExit, waitForLine, withTimeout } from '../peers/process';
import { runWsHarness, startFuzzer, type Fuzzer } from './helpers';
import { GOOD_PEER_SCALE } from '../conformance/helpers';
import { selectCases } from '../../src/cases/catalogue';
import { FuzzingServer } from '../../src/cases/fuzzing-server';
import { listenRaw } from '../../src/transport';

/** Opens `url`, collects the text messages until the server closes; or the HTTP refusal. */
function ask(url: string): Promise<{ messages: string[]; code: number } | { status: number; body: string }> {
  return withTimeout(new Promise((resolve) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(data.toString()));
    ws.on('close', (code) => resolve({ messages, code }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => (body += s)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', () => { /* reported through close or unexpected-response */ });
  }), 10_000, url);
}

describe('fuzzing server endpoints', () => {
  let fuzzer: Fuzzer;
  before(async () => {
    fuzzer = await startFuzzer(['1.1.*', '2.1', '5.20']);
  });
  after(() => fuzzer.close());

  test('/getCaseCount: the number of selected cases as a text message, then an empty close (1005), as Autobahn\'s sendClose()', async () => {
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseCount`), { messages: ['10'], code: 1005 });
  });

  test('/getCaseInfo?case=N: id and description (up to its first tag), N 1-based over the selection', async () => {
    const first = await ask(`${fuzzer.base}/getCaseInfo?case=1`);
    assert.deepEqual(first, { messages: [JSON.stringify({ id: '1.1.1', description: 'Send text message with payload 0.' })], code: 1005 });
    const last = await ask(`${fuzzer.base}/getCaseInfo?case=10`);
    assert.equal('messages' in last && JSON.parse(last.messages[0]).id, '5.20');
  });

  test('bad requests are refused with 400 and the reason', async () => {
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseInfo?case=11`), { status: 400, body: 'case "11" not found: cases are 1 to 10\n' });
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseInfo?case=x`), { status: 400, body: 'case "x" not found: cases are 1 to 10\n' });
    assert.deepEqual(await ask(`${fuzzer.base}/runCase?case=1`), { status: 400, body: 'need agent (&agent=NAME)\n' });
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseStatus?agent=a`), { status: 400, body: 'need case (?case=N or ?casetuple=1.1.2)\n' });
    assert.deepEqual(await ask(`${fuzzer.base}/updateReports`), { status: 400, body: 'need agent (&agent=NAME)\n' });
    // Digits only, once each, as Autobahn's int() and its "multiple … specified".
    for (const odd of ['0x2', '2.0', '1e0', '']) assert.deepEqual(await ask(`${fuzzer.base}/getCaseInfo?case=${odd}`), { status: 400, body: `case ${JSON.stringify(odd)} not found: cases are 1 to 10\n` });
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseInfo?case=1&case=2`), { status: 400, body: 'multiple test cases specified (case given twice)\n' });
    assert.deepEqual(await ask(`${fuzzer.base}/runCase?case=1&agent=a&agent=b`), { status: 400, body: 'multiple agents specified (agent given twice)\n' });
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseInfo?casetuple=9.9.9`), { status: 400, body: 'case "9.9.9" not found among the selected cases\n' });
    const unknown = await ask(`${fuzzer.base}/stopServer`);
    assert.ok('status' in unknown && unknown.status === 400 && unknown.body.startsWith('unknown path "/stopServer"'), JSON.stringify(unknown));
  });

  test('/getCaseStatus waits for the result, then sends {"behavior"}; /runCase runs as a server', async () => {
    const status = ask(`${fuzzer.base}/getCaseStatus?case=9&agent=status-agent`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ws = new WebSocket(`${fuzzer.base}/runCase?case=9&agent=status-agent`, { autoPong: false });
    await withTimeout(new Promise((resolve) => ws.on('close', resolve)), 10_000, 'runCase');
    // 2.1 without a pong: FAILED.
    assert.deepEqual(await status, { messages: [JSON.stringify({ behavior: 'FAILED' })], code: 1005 });
    const [result] = fuzzer.server.resultsFor('status-agent');
    assert.equal(result.caseId, '2.1');
    assert.equal(result.closeFacts.isServer, true);
    assert.match(result.httpRequest, /^GET \/runCase\?case=9&agent=status-agent HTTP\/1\.1\r\n/);
    assert.match(result.httpResponse, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    // Known now: answered at once.
    assert.deepEqual(await ask(`${fuzzer.base}/getCaseStatus?case=9&agent=status-agent`), { messages: [JSON.stringify({ behavior: 'FAILED' })], code: 1005 });
  });

  test('casetuple=1.1.2 names a case by its id, as Autobahn\'s harnesses may', async () => {
    const info = await ask(`${fuzzer.base}/getCaseInfo?casetuple=5.20`);
    assert.equal('messages' in info && JSON.parse(info.messages[0]).id, '5.20');
  });

  test('a /runCase whose upgrade is refused (version 8) runs nothing and records nothing', async () => {
    const refused = await withTimeout(
      new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(fuzzer.base).port), '127.0.0.1');
        let answer = '';
        socket.on('data', (d) => (answer += d));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
        socket.write('GET /runCase?case=1&agent=refused HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n');
      }),
      10_000,
      'refused runCase',
    );
    assert.match(refused, /^HTTP\/1\.1 426 /);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(fuzzer.server.resultsFor('refused'), []);
  });

  test('/updateReports?…&shutdownOnComplete=true: the client gets its close frame before the server stops', async () => {
    let stopped = false;
    const server = new FuzzingServer({ cases: selectCases(['1.1.1']), onShutdownRequested: () => void raw.close().then(() => (stopped = true)) });
    const raw = await listenRaw({ port: 0 }, (request) => server.handle(request));
    assert.deepEqual(await ask(`${raw.url}/updateReports?agent=a&shutdownOnComplete=true`), { messages: [], code: 1005 });
    await withTimeout((async () => { while (!stopped) await new Promise((r) => setTimeout(r, 20)); })(), 5_000, 'shutdown');
  });

  test('/updateReports hands every result so far to the report writer, then closes', async () => {
    await runWsHarness(fuzzer.base, 'ws-all');
    assert.deepEqual(fuzzer.updates.at(-1), { agent: 'ws-all', results: fuzzer.server.allResults().length });
    assert.equal(fuzzer.server.resultsFor('ws-all').length, 10);
  });

  test('the wire log shows the octets a client sent, masked as they came (the engine unmasks in place)', async () => {
    await runWsHarness(fuzzer.base, 'ws-octets');
    // 1.1.2: 125 octets of "*" echoed back; the log's first rx-octets are the masked echo.
    const result = fuzzer.server.resultsFor('ws-octets').find((r) => r.caseId === '1.1.2')!;
    const [request, ...rx] = result.wireLog.filter((e) => e.kind === 'rx-octets').map((e) => e.data);
    // The upgrade request comes first, as in Autobahn's reports, and is counted.
    assert.match(Buffer.from(request).toString('latin1'), /^GET \/runCase\?case=\d+&agent=ws-octets HTTP\/1\.1\r\n/);
    assert.equal(result.stats.rxOctetsByChopSize.get(request.length), 1);
    // Autobahn's "case" here is the N of /runCase?case=N: the place among the selected cases
    // (5.20 is the 10th of 1.1.*, 2.1, 5.20; the 64th of the catalogue).
    assert.equal(fuzzer.server.resultsFor('ws-octets').find((r) => r.caseId === '5.20')?.caseNumber, 10);
    const frame = Buffer.concat(rx);
    assert.equal(frame[0], 0x81, 'a final text frame');
    assert.equal(frame[1], 0x80 | 125, 'masked, 125 octets');
    const key = frame.subarray(2, 6);
    const payload = frame.subarray(6, 6 + 125);
    const unmasked = payload.map((octet, i) => octet ^ key[i & 3]);
    assert.ok(unmasked.every((octet) => octet === 0x2a), 'the payload unmasks to 125 "*"');
    assert.notDeepEqual([...payload], [...unmasked], 'logged as sent, not unmasked');
    // Our close goes out as one write, logged after its frame (header and payload apart before).
    const tail = result.wireLog.filter((e) => e.kind === 'tx-frame' || e.kind === 'tx-octets').slice(-2);
    assert.deepEqual(tail.map((e) => (e.kind === 'tx-octets' ? Buffer.from(e.data).toString('hex') : `${e.kind} ${e.opcode}`)), ['tx-frame 8', '880203e8']);
  });
});

describe('reports that cannot be written', () => {
  test('/updateReports closes with 1011 and the reason, and tells the server\'s user', async () => {
    const failures: string[] = [];
    const server = new FuzzingServer({
      cases: selectCases(['1.1.1']),
      updateReports: () => {
        throw new Error('EACCES: permission denied');
      },
      onReportsFailed: (agent, error) => failures.push(`${agent}: ${error.message}`),
    });
    const raw = await listenRaw({ port: 0 }, (request) => server.handle(request));
    try {
      const reason = await withTimeout(new Promise<{ code: number; reason: string }>((resolve) => {
        const ws = new WebSocket(`${raw.url}/updateReports?agent=a`);
        ws.on('close', (code, why) => resolve({ code, reason: why.toString() }));
        ws.on('error', () => {});
      }), 10_000, 'updateReports');
      assert.deepEqual(reason, { code: 1011, reason: 'reports not written: EACCES: permission denied' });
      assert.deepEqual(failures, ['a: EACCES: permission denied']);
      // Our echo-client, as the client under test: the loop completes, but CI must hear of it.
      const client = await runBounded(process.execPath, ['dist/cli.js', 'echo-client', raw.url, '--agent', 'b'], '', 60_000);
      assert.equal(client.code, 1, client.stderr);
      assert.match(client.stderr, /the server did not write the reports: reports not written: EACCES: permission denied/);
    } finally {
      await raw.close();
    }
  });
});

describe('wsw test-client and wsw echo-client (dist/cli.js)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsw-test-client-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('our client runs the loop, reports are written on updateReports and on SIGTERM, exit status by verdicts', { timeout: 120_000 }, async () => {
    const server = startTracked(process.execPath, ['dist/cli.js', 'test-client', '--port', '0', '--cases', '1.1.*,2.*,5.20,7.1.*,12.1.1', '--report-dir', dir, '--timeout-scale', String(GOOD_PEER_SCALE)]);
    let output = '';
    try {
      const line = await waitForLine(server, (l) => l.startsWith('fuzzing server listening on '), 10_000, (l) => (output += l + '\n'));
      const base = /(ws:\/\/\S+?)\/? /.exec(line)![1];
      const client = await runBounded(process.execPath, ['dist/cli.js', 'echo-client', base, '--agent', 'wsw-client'], '', 90_000);
      assert.equal(client.code, 0, client.stderr);
      assert.match(client.stderr, /running 27 of 27 cases as agent "wsw-client"/);
      // The same cases four at a time, compressing at zlib level 1 (what `npm start` does).
      const parallel = await runBounded(process.execPath, ['dist/cli.js', 'echo-client', base, '--agent', 'wsw-client-parallel', '--parallel', '4', '--deflate-level', '1'], '', 90_000);
      assert.equal(parallel.code, 0, parallel.stderr);
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
      for (const agent of ['wsw-client', 'wsw-client-parallel']) {
        const cases = index[agent] as Record<string, { behavior: string }>;
        assert.equal(Object.keys(cases).length, 27, agent);
        assert.ok(Object.values(cases).every((c) => c.behavior === 'OK' || c.behavior === 'INFORMATIONAL'), agent);
        assert.equal(cases['12.1.1'].behavior, 'OK', agent);
      }
      // A broken client (no pongs) makes the run fail.
      await runWsHarness(base, 'ws-no-pong', { ws: { autoPong: false } });
      await stopProcess(server, 10_000);
      assert.equal(server.exitCode, 1);
    } finally {
      await stopProcess(server);
    }
    assert.ok(await waitForExit(server, 1000));
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    assert.deepEqual(Object.keys(index).sort(), ['wsw-client', 'wsw-client-parallel', 'ws-no-pong'].sort());
    assert.equal(index['ws-no-pong']['2.1'].behavior, 'FAILED');
  });
});
