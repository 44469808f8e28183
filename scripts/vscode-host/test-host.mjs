#!/usr/bin/env node
// The `host` stage of `npm test`: install/verify the host (setup.sh, ~2 s when cached, ~3-4 min the
// first time), run the host suite with the extension under development, then package the .vsix,
// install it into code-server and run the @installed tests against it. Exit code of the first failure.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const steps = [
  ['setup', 'bash', [join(here, 'setup.sh')]],
  ['suite (extension under development)', process.execPath, [join(here, 'run-tests.mjs')]],
  ['suite (installed .vsix)', process.execPath, [join(here, 'run-tests.mjs'), '--installed', '--no-build']],
];
for (const [name, cmd, args] of steps) {
  const t = Date.now();
  console.log(`\n-- host: ${name}`);
  // setup.sh limits each of its steps; the suites have their own time limit (--timeout, 300 s)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = r.status ?? 2;
  console.log(`-- host: ${name}: exit ${code} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  if (code !== 0) process.exit(code);
}
