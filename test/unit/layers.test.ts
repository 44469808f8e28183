// The layer rules of the design, checked on the source text so a violation fails `npm test`
// even when lint is skipped: 'vscode' only in src/extension/, and src/engine/ does no I/O.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(name)) out.push(path);
  }
  return out;
}

/** Module specifiers a file imports (static, dynamic and require). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s*['"]([^'"]+)['"]/gm];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.push(m[1]);
  return specs;
}

const io = new Set(['net', 'tls', 'http', 'https', 'dgram', 'fs', 'fs/promises', 'timers', 'timers/promises', 'child_process', 'worker_threads', 'zlib']);
const ioName = (spec: string) => io.has(spec.replace(/^node:/, ''));

test('importsOf finds static, dynamic and require imports', () => {
  assert.deepEqual(importsOf("import x from 'vscode';\nconst y = require(\"node:net\");\nawait import('fs');\nimport 'tls';"), ['vscode', 'fs', 'node:net', 'tls']);
});

test("'vscode' is imported only under src/extension/", () => {
  const offenders = sources(join(root, 'src'))
    .filter((f) => !relative(root, f).startsWith(join('src', 'extension')))
    .filter((f) => importsOf(readFileSync(f, 'utf8')).includes('vscode'))
    .map((f) => relative(root, f));
  assert.deepEqual(offenders, []);
});

test('src/engine/ imports no sockets, timers, files or zlib and uses no timer globals', () => {
  const offenders: string[] = [];
  for (const f of sources(join(root, 'src', 'engine'))) {
    const text = readFileSync(f, 'utf8');
    for (const spec of importsOf(text)) if (ioName(spec) || spec === 'vscode') offenders.push(`${relative(root, f)}: ${spec}`);
    const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const g of ['setTimeout', 'setInterval', 'setImmediate']) if (new RegExp(`\\b${g}\\s*\\(`).test(code)) offenders.push(`${relative(root, f)}: ${g}`);
  }
  assert.deepEqual(offenders, []);
});

test('ws is a devDependency only', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies?.ws, undefined);
  assert.ok(pkg.devDependencies.ws);
});
