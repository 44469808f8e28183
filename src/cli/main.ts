/** `wsw`: the WebSocket Workbench command line. */
import { ConnectError } from '../transport';
import { UsageError } from '../engine';
import { CliUsageError } from './args';
import { connectCommand, connectUsage } from './connect';
import { serve, serveUsage } from './serve';
import { testServer, testServerUsage } from './test-server';
import { testClient, testClientUsage } from './test-client';
import { echoClient, echoClientUsage } from './echo-client';
import { UnknownCaseError } from '../cases/select';

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  serve: { run: serve, usage: serveUsage },
  connect: { run: connectCommand, usage: connectUsage },
  'test-server': { run: testServer, usage: testServerUsage },
  'test-client': { run: testClient, usage: testClientUsage },
  'echo-client': { run: echoClient, usage: echoClientUsage },
};

const usage = `wsw — WebSocket Workbench

${Object.values(commands).map((c) => c.usage).join('\n\n')}
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`wsw: unknown command ${JSON.stringify(name)}\n\n${usage}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof CliUsageError || error instanceof UsageError || error instanceof RangeError || error instanceof UnknownCaseError) {
      console.error(`wsw ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof ConnectError) {
      console.error(`wsw ${name}: ${error.message}`);
      return 2;
    }
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'ENOENT' || e.code === 'EADDRNOTAVAIL') {
      console.error(`wsw ${name}: ${e.message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`wsw: internal error: ${(error as Error).stack ?? error}`);
    process.exit(70);
  },
);
