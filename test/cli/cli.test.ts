// The built `wsw` (dist/cli.js) as a user runs it: serve prints its URLs and stops on SIGTERM;
// connect prints each frame and exits 0 on a clean close, 1 on an unclean one, 2 on errors.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as net from 'node:net';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { acceptKeyFor } from '../../src/engine';
import { listen } from '../../src/transport';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

before(() => {
  const build = spawnSync('node', ['esbuild.mjs'], { cwd: join(__dirname, '..', '..'), stdio: 'inherit' });
  assert.equal(build.status, 0);
});

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like run(), without blocking this process (for peers served from it). */
async function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('node', [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  const [status] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { status, stdout, stderr };
}

/** Starts `wsw serve` and resolves with its printed URLs. */
async function startServe(args: string[]): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = spawn('node', [cli, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const urls: string[] = [];
  let out = '';
  const expected = args.includes('--tls-port') ? 2 : 1;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URLs: ${out}`)), 10000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      for (const m of out.matchAll(/^listening on (\S+)$/gm)) if (!urls.includes(m[1])) urls.push(m[1]);
      if (urls.length === expected) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
  return { child, urls };
}

describe('wsw serve and wsw connect', () => {
  let serve: { child: ChildProcess; urls: string[] };
  before(async () => (serve = await startServe(['--port', '0', '--tls-port', '0'])));
  after(async () => {
    if (serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await once(serve.child, 'exit');
    }
  });

  test('serve prints one ws:// and one wss:// URL on 127.0.0.1', () => {
    assert.match(serve.urls[0], /^ws:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(serve.urls[1], /^wss:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test('connect sends in order, prints every frame both ways, and exits 0 after a clean close', () => {
    const r = run(['connect', serve.urls[0], '--send', 'hello', '--send-binary', 'de ad be ef', '--ping', 'yo', '--send', 'abcdefghij', '--fragment', '4', '--wait', '300', '--close', '4000', 'done']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => l.replace(/^\s*\d+\.\d+s /, ''));
    const out = lines.filter((l) => l.startsWith('>>'));
    const inn = lines.filter((l) => l.startsWith('<<'));
    assert.deepEqual(out, [
      '>> TEXT   fin=0 rsv=0 len=4      "hell"',
      '>> CONT   fin=1 rsv=0 len=1      "o"',
      '>> BINARY fin=1 rsv=0 len=4      0xdeadbeef',
      '>> PING   fin=1 rsv=0 len=2      "yo"',
      '>> TEXT   fin=0 rsv=0 len=4      "abcd"',
      '>> CONT   fin=0 rsv=0 len=4      "efgh"',
      '>> CONT   fin=1 rsv=0 len=2      "ij"',
      '>> CLOSE  fin=1 rsv=0 len=6      code=4000 reason="done"',
    ]);
    // The echo server answers a ping at once, echoes after the message is whole: when both arrive
    // in one TCP chunk the pong may overtake an echo. Data echoes keep their order.
    assert.deepEqual(inn.filter((l) => !l.includes('PONG')), [
      '<< TEXT   fin=1 rsv=0 len=5      "hello"',
      '<< BINARY fin=1 rsv=0 len=4      0xdeadbeef',
      '<< TEXT   fin=1 rsv=0 len=10     "abcdefghij"',
      '<< CLOSE  fin=1 rsv=0 len=6      code=4000 reason="done"',
    ]);
    assert.deepEqual(inn.filter((l) => l.includes('PONG')), ['<< PONG   fin=1 rsv=0 len=2      "yo"']);
    assert.match(r.stderr, /closed: code 4000 reason "done", clean/);
  });

  test('wss with the self-signed certificate: refused by default (exit 2), fine with --insecure and deflate', () => {
    const refused = run(['connect', serve.urls[1], '--send', 'x', '--wait', '0']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /TLS handshake .* failed: self-signed certificate/);
    const ok = run(['connect', serve.urls[1], '--insecure', '--deflate', '--send', 'secure', '--wait', '200']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /verification is off/);
    assert.match(ok.stderr, /permessage-deflate/);
    assert.match(ok.stdout, /<< TEXT +fin=1 rsv=4 /);
  });

  test('wss:// to the ws:// port: told at once that the port does not speak TLS, not after the 10 s time-out', () => {
    const started = Date.now();
    const r = run(['connect', serve.urls[0].replace(/^ws:/, 'wss:'), '--insecure', '--wait', '0']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the server answered without TLS \(ERR_SSL_WRONG_VERSION_NUMBER\); is it a ws:\/\/ port\?/);
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
  });

  test('usage and connection errors exit 2 with a clear message', () => {
    assert.equal(run(['connect']).status, 2);
    const bad = run(['connect', 'http://127.0.0.1:1/']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unsupported scheme "http:"/);
    const unknown = run(['connect', serve.urls[0], '--bogus']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option --bogus/);
    const badClose = run(['connect', serve.urls[0], '--close', '1005', '--wait', '0']);
    assert.equal(badClose.status, 2);
    assert.match(badClose.stderr, /close code 1005 may not be sent/);
    assert.equal(run(['nope']).status, 2);
    // Names an object has by inheritance are not commands either.
    const inherited = run(['constructor']);
    assert.equal(inherited.status, 2);
    assert.match(inherited.stderr, /unknown command "constructor"/);
    const help = run(['--help']);
    assert.equal(help.status, 0);
    for (const name of ['serve', 'connect', 'test-server', 'test-client', 'echo-client']) assert.match(help.stdout, new RegExp(`^wsw ${name} `, 'm'));
    assert.match(run(['test-server', '--help']).stdout, /^wsw test-server URL/);
    const level = run(['serve', '--port', '0', '--deflate-level', '10']);
    assert.equal(level.status, 2);
    assert.match(level.stderr, /--deflate-level must be an integer from 0 to 9, got "10"/);
    const contradiction = run(['serve', '--port', '0', '--no-deflate', '--deflate-level', '1']);
    assert.equal(contradiction.status, 2);
    assert.match(contradiction.stderr, /--deflate-level needs permessage-deflate/);
    const parallel = run(['echo-client', 'ws://127.0.0.1:1', '--agent', 'a', '--parallel', '0']);
    assert.equal(parallel.status, 2);
    assert.match(parallel.stderr, /--parallel must be an integer from 1 to 64/);
  });

  test('bad input is refused before any work: exit 2, the option named, no stack trace', async () => {
    // a peer that counts connections: a refused command must not have connected at all
    let connections = 0;
    const counter = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    counter.listen(0, '127.0.0.1');
    await once(counter, 'listening');
    const busyPort = String((counter.address() as net.AddressInfo).port);
    const url = `ws://127.0.0.1:${busyPort}/`;
    const dir = mkdtempSync(join(tmpdir(), 'wsw-cli-'));
    try {
      const aFile = join(dir, 'a-file');
      writeFileSync(aFile, 'x');
      const brokenPem = join(dir, 'broken.pem');
      writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
      const cases: [string[], RegExp][] = [
        [['test-server', url, '--cases', '1.1.1', '--report-dir', aFile], /--report-dir .*a-file: exists and is not a folder/],
        [['test-server', url, '--cases', '1.1.1', '--junit', dir], /--junit .*: is a folder, not a file/],
        [['test-server', url, '--cases', '1.1.1', '--junit', join(aFile, 'x.xml')], /--junit .*: exists and is not a folder|not a folder/],
        [['test-server', url, '--cases', '1.1.1', '--cases', '2.1'], /--cases given twice/],
        [['test-server', url, '--timeout-scale', '1e-300'], /--timeout-scale must be a number from 0\.1 to 100/],
        [['test-server', url, '--parallel', '0x2'], /--parallel must be an integer/],
        [['test-server', url, '--ca', dir], /--ca .*: is a folder, not a file/],
        [['test-server', url, '--ca', aFile], /--ca .*a-file: no PEM certificate in it/],
        [['connect', url, '--ca', brokenPem], /--ca .*broken\.pem: certificate 1 of 1 is not valid/],
        [['test-server', url, '--cases', ','], /--cases "," names no case/],
        [['test-client', '--port', '0', '--cases', ''], /--cases "" names no case/],
        [['echo-client', url, '--agent', 'a', '--cases', 'x'], /--cases takes case numbers and ranges \(1,5-9\), got "x"/],
        [['echo-client', url, '--agent', 'a', '--cases', ','], /--cases "," names no case/],
        [['test-server', url, '--cases', '1.1.1', '--quiet', '--quiet'], /--quiet given twice/],
        [['connect', url, '--deflate', '--deflate'], /--deflate given twice/],
        [['test-client', '--port', '0', '--report-dir', aFile], /--report-dir .*: exists and is not a folder/],
        [['serve', '--port', '0', '--tls', '--cert', dir, '--key', dir], /--cert .*: is a folder, not a file/],
        [['serve', '--port', '0', '--cert', aFile, '--key', aFile], /--cert\/--key need --tls or --tls-port/],
        [['serve', '--port', '0', '--tls', '--cert', aFile, '--key', aFile], /the certificate, key or CA is not usable/],
        [['serve', '--port', '0', '--host', ''], /--host needs an address/],
        [['serve', '--port', '0', '--host', 'no-such-host.invalid'], /ENOTFOUND|EAI_AGAIN/],
        [['connect', url, '--send', 'hi', '--close', '99999'], /close code 99999 may not be sent/],
        [['connect', url, '--close', '1000', 'x'.repeat(124)], /close reason is 124 bytes/],
        [['connect', url, '--ping', 'p'.repeat(126)], /--ping payload is 126 bytes/],
        [['connect', url, '--wait', '99999999999'], /--wait must be an integer from 0 to 2147483647/],
        [['connect', url, '--header', 'Bad Name: b'], /header name "Bad Name" is not a valid token/],
        [['test-server', url, '--agent', '', '--cases', '1.1.1'], /--agent needs a name/],
        [['test-server', url, '--cases', '1.*', '--exclude', 'abc'], /--exclude "abc" names no case/],
        [['test-client', '--port', '0', '--exclude', '99.*'], /--exclude "99\.\*" names no case/],
        [['test-server', url, '--cases', '1.1.1', '--report-dir', '/proc/wsw-report-test'], /--report-dir \/proc\/wsw-report-test: files cannot be created in \/proc/],
        // A second listener that cannot start: nothing printed as listening, exit 2.
        [['serve', '--port', '0', '--tls-port', busyPort], /EADDRINUSE/],
      ];
      for (const [args, message] of cases) {
        const r = await runAsync(args);
        assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
        assert.doesNotMatch(r.stderr, /internal error|^\s+at .*:\d+:\d+\)?$/m, `no stack trace: ${args.join(' ')}`);
        assert.doesNotMatch(r.stdout, /listening on/, `nothing announced: ${args.join(' ')}`);
      }
      assert.equal(connections, 0, 'no refused command connected');
    } finally {
      counter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--help and -h as words of their own print the usage; as a value they are data', async () => {
    const help = run(['connect', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^wsw connect URL/);
    const sent = run(['connect', serve.urls[0], '--send', '-h', '--wait', '200']);
    assert.equal(sent.status, 0, sent.stderr);
    assert.match(sent.stdout, />> .*TEXT.*"-h"/);
  });

  test('echo-client: a case count that is not one, or too many, is exit 2; so is a --cases that selects none', async () => {
    for (const [answer, expected] of [
      ['50000000', /did not send a case count \(0 to 100000\), but "50000000"/],
      ['1e10', /did not send a case count/],
      ['', /did not send a case count/],
    ] as const) {
      const server = await listen();
      server.on('connection', (ws) => {
        ws.send(answer);
        void ws.close();
      });
      try {
        const r = await runAsync(['echo-client', server.url.replace(/\/$/, ''), '--agent', 'a']);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, expected);
      } finally {
        await server.close();
      }
    }
    const server = await listen();
    server.on('connection', (ws) => {
      ws.send('3');
      void ws.close();
    });
    try {
      const r = await runAsync(['echo-client', server.url.replace(/\/$/, ''), '--agent', 'a', '--cases', '7-9']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--cases 7-9 selects none of the server's 3 cases/);
    } finally {
      await server.close();
    }
  });

  test('serve stops cleanly on SIGTERM', async () => {
    const own = await startServe(['--port', '0', '--no-deflate']);
    own.child.kill('SIGTERM');
    const [code] = await once(own.child, 'exit');
    assert.equal(code, 0);
  });
});

test('connect exits 1 with the reason when the peer breaks the protocol', async () => {
  // A server that answers the upgrade, then sends a frame with a reserved opcode and drops TCP.
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (head) => {
      const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(head.toString())![1];
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyFor(key)}\r\n\r\n`);
      socket.write(Buffer.from([0x83, 0x00]));
      setTimeout(() => socket.destroy(), 200);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const port = (server.address() as net.AddressInfo).port;
    const child = spawn('node', [cli, 'connect', `ws://127.0.0.1:${port}/`, '--wait', '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr!.on('data', (c) => (stderr += c));
    child.stdout!.on('data', (c) => (stdout += c));
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    // The frame that broke the protocol is shown too, though it never completed.
    assert.match(stdout, /<< OP3 {4}fin=1 rsv=0 len=0 {6}\(rejected: read no further\)/);
    assert.match(stderr, /protocol error from the peer: reserved opcode 3 \(WSW_ERR_RESERVED_OPCODE\); failing with 1002/);
    assert.match(stderr, /not clean/);
  } finally {
    server.close();
  }
});

/** A server that answers the upgrade, then runs `then` on the socket (frames as raw bytes). */
async function rawServer(then: (socket: net.Socket) => void): Promise<{ url: string; close: () => void }> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (head) => {
      const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(head.toString())![1];
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKeyFor(key)}\r\n\r\n`);
      then(socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sockets: net.Socket[] = [];
  server.on('connection', (s) => sockets.push(s));
  return { url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`, close: () => (sockets.forEach((s) => s.destroy()), server.close()) };
}

test('connect exits 1 when the server answers the close but never closes TCP (RFC 6455 §7.1.1: the server closes first)', async () => {
  // Answers the client's close frame with close 1000, then holds the connection open.
  const server = await rawServer((socket) => socket.on('data', (data) => data[0] === 0x88 && socket.write(Buffer.from([0x88, 0x02, 0x03, 0xe8]))));
  try {
    const r = await runAsync(['connect', server.url, '--wait', '0']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /closed: code 1000, not clean: close frames both ways, but the server did not close TCP in time/);
  } finally {
    server.close();
  }
});

test('output piped into a reader that goes away (| head -1): no crash, the run finishes with its own status', async () => {
  const serve = await startServe(['--port', '0']);
  const dir = mkdtempSync(join(tmpdir(), 'wsw-epipe-'));
  try {
    const child = spawn('node', [cli, 'test-server', serve.urls[0], '--cases', '1.1.*,2.*', '--report-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    // Read the first line, then close the pipe as `head -1` does.
    await once(child.stdout!, 'data');
    child.stdout!.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|internal error/);
    assert.ok(readdirSync(dir).includes('index.json'), 'the reports are written');
  } finally {
    serve.child.kill('SIGTERM');
    await once(serve.child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('connect --deflate --fragment N: no frame carries more than N payload bytes, though compressed random bytes grow', async () => {
  const serve = await startServe(['--port', '0']);
  try {
    const hex = randomBytes(300).toString('hex');
    const r = await runAsync(['connect', serve.urls[0], '--deflate', '--fragment', '100', '--send-binary', hex, '--wait', '300']);
    assert.equal(r.status, 0, r.stderr);
    const sent = r.stdout.split('\n').filter((l) => l.includes('>> ') && !l.includes('CLOSE'));
    const lengths = sent.map((l) => Number(/len=(\d+)/.exec(l)![1]));
    assert.ok(lengths.length >= 3, r.stdout);
    assert.ok(lengths.every((n) => n <= 100), `frame payloads ${lengths.join(', ')}`);
    assert.ok(lengths.reduce((a, b) => a + b) > 300, 'the compressed message is longer than the 300 bytes sent');
    // Every frame of the compressed message says so, not only the first (RSV1 is on that one alone).
    assert.ok(sent.every((l) => l.includes('(compressed)')), sent.join('\n'));
    assert.match(sent[1], / CONT {3}fin=0 rsv=0 len=100 +\(compressed\) 0x/);
  } finally {
    serve.child.kill('SIGTERM');
    await once(serve.child, 'exit');
  }
});

test('text the peer chose cannot drive the terminal: control characters in a status line and headers are printed escaped', async () => {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    // latin1: every character one octet, as a hostile server sends them (0x9b is the one-octet CSI).
    socket.once('data', () => socket.end(Buffer.from('HTTP/1.1 403 \x1b[31mFORBIDDEN\x1b]0;pwned\x07\r\nX-Note: \x1b[2J\x1b[H\x9b1m\r\nContent-Length: 0\r\n\r\n', 'latin1')));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const r = await runAsync(['connect', `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`]);
    assert.equal(r.status, 2, r.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stderr + r.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no control character reaches the terminal');
    assert.match(r.stderr, /403 \\x1b\[31mFORBIDDEN\\x1b\]0;pwned\\x07/);
    assert.match(r.stderr, /X-Note: \\x1b\[2J\\x1b\[H\\x9b1m/);
  } finally {
    server.close();
  }
});
