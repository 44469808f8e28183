/** `wsw`: the WebSocket Workbench command line. */
import { ConnectError } from '../transport';
import { UsageError } from '../engine';
import { CliUsageError, HelpRequested } from './args';
import { UnknownCaseError } from '../cases/select';
import { escapeConsoleOutput } from './terminal';

interface Command {
  run: (argv: string[]) => Promise<number>;
  usage: string;
}

// Each command's module (and what it alone needs, such as the case catalogue) is loaded when
// that command runs: `wsw serve` starts with 0.6 MB less live heap, so its full collections,
// which pause every connection, have less to do.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => {
    const m = await import('./serve');
    return { run: m.serve, usage: m.serveUsage };
  },
  connect: async () => {
    const m = await import('./connect');
    return { run: m.connectCommand, usage: m.connectUsage };
  },
  'test-server': async () => {
    const m = await import('./test-server');
    return { run: m.testServer, usage: m.testServerUsage };
  },
  'test-client': async () => {
    const m = await import('./test-client');
    return { run: m.testClient, usage: m.testClientUsage };
  },
  'echo-client': async () => {
    const m = await import('./echo-client');
    return { run: m.echoClient, usage: m.echoClientUsage };
  },
};

const ENVIRONMENT_ERRORS = new Set([
  'EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EPERM', 'ENOENT', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EROFS', 'ENOSPC',
  'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL',
]);

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  return `wsw — WebSocket Workbench

${all.map((c) => c.usage).join('\n\n')}
`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    console.error(`wsw: unknown command ${JSON.stringify(name)}\n\n${await usage()}`);
    return 2;
  }
  const command = await load();
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(command.usage);
      return 0;
    }
    if (error instanceof CliUsageError || error instanceof UsageError || error instanceof RangeError || error instanceof UnknownCaseError) {
      console.error(`wsw ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof ConnectError) {
      console.error(`wsw ${name}: ${error.message}`);
      return 2;
    }
    // What the machine or the user's files refuse (a port, a host name, a certificate) is not a bug in wsw.
    const e = error as NodeJS.ErrnoException;
    if (e.code && (ENVIRONMENT_ERRORS.has(e.code) || e.code.startsWith('ERR_OSSL'))) {
      const what = e.code.startsWith('ERR_OSSL') ? 'the certificate, key or CA is not usable: ' : '';
      console.error(`wsw ${name}: ${what}${e.message}`);
      return 2;
    }
    throw error;
  }
}

// Everything wsw prints goes through console.log and console.error: a peer's text escaped there, once.
escapeConsoleOutput();

// A reader that goes away (`wsw test-server … | head -1`) must not crash the run: the rest of the
// output is dropped, and the work (reports, the exit status) goes on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`wsw: internal error: ${(error as Error).stack ?? error}`);
    process.exit(70);
  },
);
