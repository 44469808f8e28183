/** `wsw connect`: open a connection, do the sends in order, print every frame, close. */
import { cleanClose, connect, type ClientOptions, type WebSocketConnection } from '../transport';
import { encodeClosePayload, type HeaderList } from '../engine';
import { CliUsageError, integerOption, MAX_TIMER_MS, parseArgs, readCaFile } from './args';
import { compressionTracker, formatFrameLine, formatRejectedFrameLine } from './frame-line';

export const connectUsage = `wsw connect URL [--header 'K: V']... [--subprotocol P]... [--origin O] [--deflate]
            [--insecure] [--ca FILE] [--send TEXT]... [--send-binary HEX]... [--ping TEXT]...
            [--fragment BYTES] [--close CODE [REASON]] [--wait MS] [--timeout MS] [--no-auto-pong]

  Does the sends in the order given, prints every frame in (<<) and out (>>), waits --wait ms
  (default 1000) for answers, then closes with --close (default 1000).
  --fragment BYTES  split each message into frames of at most BYTES payload bytes
  Exit status: 0 after a clean close, 1 when the close was not clean or the peer broke the
  protocol, 2 on a usage or connection error.`;

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new CliUsageError(`--header needs "Name: value", got ${JSON.stringify(text)}`);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function parseHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (clean.length % 2 || /[^0-9a-f]/i.test(clean)) throw new CliUsageError(`--send-binary needs hex digits in pairs, got ${JSON.stringify(text)}`);
  return Buffer.from(clean, 'hex');
}

type Action = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array } | { kind: 'ping'; data: string };

export async function connectCommand(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    {
      header: 'list', subprotocol: 'list', origin: 'value', deflate: 'flag', insecure: 'flag', ca: 'value',
      send: 'list', 'send-binary': 'list', ping: 'list', fragment: 'value', close: 'value', wait: 'value', timeout: 'value', 'no-auto-pong': 'flag',
    },
    ['close'],
  );
  if (args.positionals.length !== 1) throw new CliUsageError('wsw connect needs exactly one URL');
  const url = args.positionals[0];
  const headers: HeaderList = [];
  const subprotocols: string[] = [];
  const actions: Action[] = [];
  for (const [name, value] of args.ordered) {
    if (name === 'header') headers.push(parseHeader(value));
    else if (name === 'subprotocol') subprotocols.push(value);
    else if (name === 'send') actions.push({ kind: 'text', data: value });
    else if (name === 'send-binary') actions.push({ kind: 'binary', data: parseHex(value) });
    else if (name === 'ping') {
      const length = Buffer.byteLength(value, 'utf8');
      if (length > 125) throw new CliUsageError(`--ping payload is ${length} bytes; at most 125 fit in a control frame`);
      actions.push({ kind: 'ping', data: value });
    }
  }
  const fragment = args.values.has('fragment') ? integerOption(args, 'fragment', 0, 1) : 0;
  const [codeText, reason = ''] = (args.values.get('close') ?? '1000').split('\0');
  const closeCode = Number(codeText);
  if (!/^\d+$/.test(codeText)) throw new CliUsageError(`--close needs a numeric code, got ${JSON.stringify(codeText)}`);
  encodeClosePayload(closeCode, reason); // a code or reason that may not be sent is refused now, not after the sends
  const waitMs = integerOption(args, 'wait', 1000, 0, MAX_TIMER_MS);

  const options: ClientOptions = {
    headers,
    subprotocols,
    origin: args.values.get('origin'),
    deflate: args.flags.has('deflate'),
    insecure: args.flags.has('insecure'),
    ca: args.values.has('ca') ? readCaFile(args.values.get('ca')!) : undefined,
    handshakeTimeoutMs: integerOption(args, 'timeout', 10000, 1, MAX_TIMER_MS),
    autoPong: !args.flags.has('no-auto-pong'),
    frameEvents: true,
  };
  if (options.insecure) console.error('warning: TLS certificate verification is off for this connection (--insecure)');
  const started = Date.now();
  const ws: WebSocketConnection = await connect(url, options);
  const extensions = ws.info.deflate ? ' permessage-deflate' : '';
  console.error(`connected to ${url}${ws.protocol ? ` (subprotocol ${ws.protocol})` : ''}${extensions}`);
  const compressed = compressionTracker();
  ws.on('frame', (direction, frame) => console.log(formatFrameLine(direction, frame, Date.now() - started, compressed(direction, frame))));
  ws.on('failed', (error) => {
    // The frame that broke the protocol never completes, so no frame event showed it.
    if (error.frame) console.log(formatRejectedFrameLine(error.frame, Date.now() - started));
    console.error(`protocol error from the peer: ${error.message} (${error.code}); failing with ${error.closeCode}`);
  });

  // Frames of at most `fragment` bytes of payload: a compressed payload can be longer than the
  // message (random bytes grow a little), so then there are sizes to spare (the engine stops
  // at the end of the payload).
  const payloadBound = (length: number) => (ws.info.deflate ? 2 * length + 64 : length);
  const sizes = (length: number) => (fragment ? Array.from({ length: Math.max(0, Math.ceil(payloadBound(length) / fragment) - 1) }, () => fragment) : undefined);
  for (const action of actions) {
    if (ws.state !== 'open') break;
    if (action.kind === 'ping') ws.ping(action.data);
    else {
      const data = action.kind === 'text' ? Buffer.from(action.data, 'utf8') : action.data;
      ws.send(data, { binary: action.kind === 'binary', fragments: sizes(data.length) });
    }
    await ws.drained();
  }
  const peerClosed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await Promise.race([new Promise((r) => setTimeout(r, waitMs)), peerClosed]);
  const info = ws.state === 'open' ? await ws.close(closeCode, reason) : await ws.closed;
  const { clean, how } = cleanClose(info);
  const summary = `closed: code ${info.code}${info.reason ? ` reason ${JSON.stringify(info.reason)}` : ''}, ${how}`;
  if (clean && !info.failure) {
    console.error(summary);
    return 0;
  }
  console.error(`${summary}${info.failure ? `; peer fault: ${info.failure.message}` : ''}${info.socketError ? `; ${info.socketError.message}` : ''}`);
  return 1;
}
