// A testing tool pointed at hostile peers must not be turned against its user: servers bind
// loopback unless asked otherwise (and then warn), TLS is verified unless skipped explicitly for
// one connection.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect, createSelfSignedCertificate, listen } from '../../src/transport';
import { failOnUnhandled, within, withoutLeaks } from './helpers';

failOnUnhandled();

const root = join(__dirname, '..', '..');

/** Starts `wsw serve` with `args`, waits for its "listening" line, stops it; returns its output. */
async function serveOutput(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const child = spawn('node', [join(root, 'dist', 'cli.js'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  try {
    const ready = await within(new Promise<void>((resolve) => child.stdout!.on('data', () => stdout.includes('listening on') && resolve())), 10000);
    assert.ok(ready !== null, `serve did not start: ${stdout} ${stderr}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  }
  return { stdout, stderr };
}

describe('listening addresses', () => {
  before(() => assert.equal(spawnSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' }).status, 0));

  test('listen() binds 127.0.0.1 unless told otherwise', () =>
    withoutLeaks(async () => {
      const server = await listen();
      try {
        assert.equal(server.host, '127.0.0.1');
      } finally {
        await server.close();
      }
    }));

  test('`wsw serve` binds 127.0.0.1 by default, without a warning', async () => {
    const { stdout, stderr } = await serveOutput(['--port', '0']);
    assert.match(stdout, /^listening on ws:\/\/127\.0\.0\.1:\d+\/$/m);
    assert.doesNotMatch(stderr, /warning/);
  });

  test('`wsw serve --host 0.0.0.0` warns that the echo server is reachable from other machines', async () => {
    const { stdout, stderr } = await serveOutput(['--host', '0.0.0.0', '--port', '0']);
    assert.match(stdout, /^listening on ws:\/\/0\.0\.0\.0:\d+\/$/m);
    assert.match(stderr, /^warning: listening on 0\.0\.0\.0, reachable from other machines; the echo server has no authentication$/m);
  });
});

describe('TLS verification', () => {
  test('on by default; a CA trusts a certificate; --insecure skips it for that one connection only', () =>
    withoutLeaks(async () => {
      const certificate = createSelfSignedCertificate();
      const server = await listen({ tls: certificate });
      server.on('connection', () => {});
      try {
        await assert.rejects(connect(server.url), { code: 'WSW_CONNECT_TLS' });
        const trusted = await connect(server.url, { ca: certificate.cert });
        await trusted.close();
        const insecure = await connect(server.url, { insecure: true });
        await insecure.close();
        await assert.rejects(connect(server.url), { code: 'WSW_CONNECT_TLS' }, 'the next connection is verified again');
      } finally {
        await server.close();
      }
    }));
});
