// extensionTestsPath: the extension host require()s this bundle (out/test/host/index.js) and awaits
// run(). Resolving = exit code 0, rejecting = 1. It runs every *.test.js next to it (and below it),
// so adding a host test is adding a test/host/<name>.test.ts file.
// MOCHA_GREP (set by `run-tests.mjs --grep`) picks tests by title.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Runs first: it checks that nothing activated the extension before its own command did. */
const FIRST = 'activation.test.js';

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  });
}

export async function run(): Promise<void> {
  process.setSourceMapsEnabled(true); // failures point into test/host/*.ts (the bundles carry inline maps)
  const mocha = new Mocha({
    ui: 'bdd',
    color: false, // the extension host's output is forwarded line by line: no ANSI colours
    timeout: 30000,
    slow: 2000,
    grep: process.env.MOCHA_GREP || undefined,
  });
  const files = testFiles(__dirname).sort((a, b) =>
    Number(path.basename(b) === FIRST) - Number(path.basename(a) === FIRST) || a.localeCompare(b));
  for (const f of files) mocha.addFile(f);
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((failed) => {
      const s = runner.stats;
      console.log(`exthost: ${s?.passes ?? 0} passed, ${failed} failed${s?.pending ? `, ${s.pending} skipped` : ''}`);
      resolve(failed);
    });
  });
  if (failures > 0) throw new Error(`${failures} host test(s) failed`);
}
