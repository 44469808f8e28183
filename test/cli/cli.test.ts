// The built `wsw` (dist/cli.js) as a user runs it: serve prints its URLs and stops on SIGTERM;
// connect prints each frame and exits 0 on a clean close, 1 on an unclean one, 2 on errors.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import * as net from 'node:net';
import { acceptKeyFor } from '../../src/engine';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

before(() => {
  const build = spawnSync('node', ['esbuild.mjs'], { cwd: join(__dirname, '..', '..'), stdio: 'inherit' });
  assert.equal(build.status, 0);
});

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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
    child.stderr!.on('data', (c) => (stderr += c));
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(stderr, /protocol error from the peer: reserved opcode 3 \(WSW_ERR_RESERVED_OPCODE\); failing with 1002/);
    assert.match(stderr, /not clean/);
  } finally {
    server.close();
  }
});
