#!/usr/bin/env node
// `npm test`: every stage in order, stopping at the first that fails.
// Stages can be picked: `node scripts/test.mjs unit interop` (default: all).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

function nodeTests(dirs, extra = []) {
  const files = dirs.flatMap(findTests);
  // A hung test fails after 5 minutes instead of holding CI until its limit.
  return ['node', ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000', ...extra, ...files]];
}

const stages = {
  typecheck: () => ['npm', ['run', '--silent', 'typecheck']],
  lint: () => ['npx', ['eslint', '--max-warnings=0', '.']],
  build: () => ['node', ['esbuild.mjs']],
  unit: () => nodeTests(['test/engine', 'test/unit', 'test/transport', 'test/cli', 'test/reliability']),
  // The Autobahn catalogue against ws, `wsw serve` and deliberately broken servers; wsw test-server.
  conformance: () => nodeTests(['test/conformance']),
  // Real peers (python3-websockets, Chromium, ws): install them idempotently, then run the tests.
  interop: () => {
    const [node, args] = nodeTests(['test/interop', 'test/conformance-client']);
    return ['bash', ['-c', 'bash scripts/setup-peers.sh && exec "$0" "$@"', node, ...args]];
  },
  // Real VS Code extension host (code-server + headless Chromium): install idempotently, run test/host/.
  host: () => ['node', ['scripts/vscode-host/test-host.mjs']],
};

const wanted = process.argv.slice(2);
const order = wanted.length ? wanted : Object.keys(stages);
for (const name of order) {
  const stage = stages[name];
  if (!stage) {
    console.error(`unknown stage ${name}; stages: ${Object.keys(stages).join(', ')}`);
    process.exit(2);
  }
  const [cmd, args] = stage();
  console.log(`\n== ${name}: ${cmd} ${args.length > 6 ? args.slice(0, 6).join(' ') + ' …' : args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`== ${name} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    process.exit(1);
  }
  console.log(`== ${name} ok (${seconds} s)`);
}
