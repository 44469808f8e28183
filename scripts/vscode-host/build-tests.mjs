// Bundles the extension-host test suite: test/host/index.ts and every test/host/**/*.test.ts
// -> out/test/host/ (CommonJS; 'vscode' is provided by the extension host, 'mocha' is require()d
// from node_modules at run time so index.ts and the test files share one mocha instance).
// out/test/host/ is emptied first: index.ts runs every *.test.js it finds there.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcDir = join(root, 'test', 'host');
const outDir = join(root, 'out', 'test', 'host');

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'fixtures' ? [] : testFiles(p);
    return name.endsWith('.test.ts') ? [p] : [];
  });
}

const entryPoints = [join(srcDir, 'index.ts'), ...testFiles(srcDir)].sort();
rmSync(outDir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: outDir,
  outbase: srcDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline', // stack traces of failed assertions point into test/host/*.ts
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`built ${entryPoints.length} host test bundle(s) -> ${relative(root, outDir)}/`);
