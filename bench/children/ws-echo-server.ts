/**
 * The ws echo server the benchmark compares with `wsw serve`: ws's own WebSocketServer with its
 * defaults (no permessage-deflate), echoing text as text and binary as binary, as its README does.
 * It prints the same ready line as `wsw serve`. Whether ws finds its native addons depends on
 * NODE_PATH, which the runner sets for the "ws + addons" column.
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  ws.on('error', () => {});
});
server.on('listening', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error(`unexpected address ${address}`);
  console.log(`listening on ws://127.0.0.1:${address.port}/`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
