/** `wsw serve`: an echo server (text back as text, binary as binary) over ws and/or wss. */
import { isLoopbackHost, listen, type ServerOptions, type WebSocketConnection, type WebSocketServer } from '../transport';
import { CliUsageError, integerOption, parseArgs, readInputFile } from './args';

export const serveUsage = `wsw serve [--host 127.0.0.1] [--port 9001] [--tls] [--cert FILE --key FILE]
          [--tls-port PORT] [--deflate | --no-deflate] [--deflate-level 0-9] [--max-message BYTES]
          [--max-connections N] [--verbose]

  An echo server. Prints "listening on ws://HOST:PORT/" (or wss) once ready; stops on SIGINT/SIGTERM.
  --tls            serve wss:// (a self-signed localhost certificate unless --cert/--key are given)
  --tls-port PORT  also serve wss:// on PORT next to ws:// on --port
  --no-deflate     decline permessage-deflate (accepted by default)
  --deflate-level  zlib level of the echoes it compresses (default 6; 1 is several times faster)
  --max-message    largest message accepted, in bytes (default 67108864); larger ones get 1009
  --max-connections N  connections beyond N are refused with 503 (default 10000)`;

/**
 * Echo with backpressure: stop reading from a peer while its echoes are not yet written. The
 * messages already read still come (up to a chunk's worth), and still get their echoes; one
 * 'drain' listener resumes reading, however many of them found the buffer full. One listener
 * for every connection, no closure each: an idle connection costs only what it holds.
 */
export function echo(ws: WebSocketConnection): void {
  ws.on('message', echoMessage);
}

/** Connections whose reading the echo holds until their echoes drain. */
const holding = new WeakSet<WebSocketConnection>();

function echoMessage(this: WebSocketConnection, data: Uint8Array, binary: boolean): void {
  if (this.state !== 'open') return;
  if (!this.send(data, { binary }) && !holding.has(this)) holdUntilDrained(this);
}

function holdUntilDrained(ws: WebSocketConnection): void {
  const release = ws.holdReading();
  holding.add(ws);
  ws.once('drain', () => {
    holding.delete(ws);
    release();
  });
}

export async function serve(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    host: 'value', port: 'value', tls: 'flag', cert: 'value', key: 'value', 'tls-port': 'value',
    deflate: 'flag', 'no-deflate': 'flag', 'deflate-level': 'value', 'max-message': 'value', 'max-connections': 'value', verbose: 'flag',
  });
  if (args.positionals.length) throw new CliUsageError(`unexpected argument ${args.positionals[0]}`);
  if (args.flags.has('deflate') && args.flags.has('no-deflate')) throw new CliUsageError('--deflate and --no-deflate contradict each other');
  if (args.values.has('cert') !== args.values.has('key')) throw new CliUsageError('--cert and --key go together');
  if (args.values.has('cert') && !args.flags.has('tls') && !args.values.has('tls-port')) throw new CliUsageError('--cert/--key need --tls or --tls-port');
  const host = args.values.get('host') ?? '127.0.0.1';
  if (!host) throw new CliUsageError('--host needs an address');
  if (args.flags.has('no-deflate') && args.values.has('deflate-level')) throw new CliUsageError('--deflate-level needs permessage-deflate, which --no-deflate declines');
  const maxMessage = integerOption(args, 'max-message', 64 * 1024 * 1024, 1);
  const credentials = args.values.has('cert') ? { cert: readInputFile('cert', args.values.get('cert')!), key: readInputFile('key', args.values.get('key')!) } : 'self-signed' as const;
  const common: ServerOptions = {
    host,
    deflate: !args.flags.has('no-deflate') && { level: integerOption(args, 'deflate-level', 6, 0, 9) },
    limits: { maxMessageSize: maxMessage, maxFrameSize: maxMessage },
    maxConnections: integerOption(args, 'max-connections', 10000, 1),
  };
  const plans: ServerOptions[] = [];
  const port = integerOption(args, 'port', 9001, 0, 65535);
  plans.push({ ...common, port, tls: args.flags.has('tls') ? credentials : undefined });
  if (args.values.has('tls-port')) plans.push({ ...common, port: integerOption(args, 'tls-port', 9443, 0, 65535), tls: credentials });

  // Listen for the stop signals before printing "listening": whoever reads that line may send
  // SIGTERM at once, and it must still stop the server cleanly (exit 0, 1001 to every peer).
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  // Every listener up before a word is printed: a "listening" line must not name a server that
  // the next listener's failure (a port in use, a key that does not match) takes down again.
  const servers: WebSocketServer[] = [];
  try {
    for (const plan of plans) servers.push(await listen(plan));
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    throw error;
  }
  if (!isLoopbackHost(host)) console.error(`warning: listening on ${host}, reachable from other machines; the echo server has no authentication`);
  for (const server of servers) {
    server.on('connection', (ws) => {
      if (args.flags.has('verbose')) {
        console.error(`connection from ${ws.info.remoteAddress}:${ws.info.remotePort} ${ws.info.path}${ws.info.deflate ? ' (permessage-deflate)' : ''}`);
        ws.on('close', (info) => console.error(`closed ${ws.info.remoteAddress}:${ws.info.remotePort}: ${info.code}${info.wasClean ? '' : ' (unclean)'}${info.failure ? ` after ${info.failure.message}` : ''}`));
      }
      echo(ws);
    });
    if (args.flags.has('verbose')) server.on('handshake-failed', (error, remote) => console.error(`handshake from ${remote} refused: ${error.message}`));
    console.log(`listening on ${server.url}`);
    if (server.fingerprint) console.error(`self-signed certificate for localhost, SHA-256 ${server.fingerprint}`);
  }
  await stopRequested;
  await Promise.all(servers.map((s) => s.close()));
  return 0;
}
