/**
 * A child of socket-reads.test.ts: our client, whose first 'message' handler throws once, in a
 * process that survives it (an uncaughtException handler, as VS Code's extension host has).
 * Prints what arrived and what the kept first message reads at the end, as JSON.
 * argv: ws | wss, and the size of the first message (small: read with the second; 1 MiB: read
 * straight into its own buffer).
 */
import { createServer as createHttpsServer } from 'node:https';
import { WebSocketServer } from 'ws';
import { connect, createSelfSignedCertificate } from '../../../src/transport';

const secure = process.argv[2] === 'wss';
const firstSize = Number(process.argv[3]);
const thrown: string[] = [];
process.on('uncaughtException', (error) => {
  if (error.message !== 'handler bug') throw error;
  thrown.push(error.message);
});

const fill = (size: number, char: string) => Buffer.alloc(size, char);

async function main(): Promise<void> {
  const cert = secure ? createSelfSignedCertificate() : null;
  const https = cert ? createHttpsServer({ cert: cert.cert, key: cert.key }) : null;
  const server = https ? new WebSocketServer({ server: https }) : new WebSocketServer({ host: '127.0.0.1', port: 0 });
  if (https) await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  else await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (peer) => {
    setTimeout(() => {
      // Sent in one tick: ws corks them, so they arrive together.
      peer.send(fill(firstSize, 'A'));
      peer.send(fill(40, 'B'));
    }, 50);
    setTimeout(() => peer.send(fill(40, 'C')), 150);
    setTimeout(() => peer.send(fill(70_000, 'D')), 250);
  });
  const { port } = (https ?? server).address() as { port: number };
  const ws = await connect(secure ? `wss://localhost:${port}/` : `ws://127.0.0.1:${port}/`, { ca: cert?.cert });
  const kept: Uint8Array[] = [];
  let failed: string | null = null;
  ws.on('failed', (error) => (failed = `${error.closeCode} ${error.message}`));
  ws.on('message', (data) => {
    kept.push(data);
    if (kept.length === 1) throw new Error('handler bug');
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const summary = (data: Uint8Array) => {
    const text = Buffer.from(data).toString('latin1');
    return `${data.length}:${[...new Set(text)].join('')}`;
  };
  console.log(JSON.stringify({ thrown, failed, messages: kept.map(summary) }));
  ws.terminate();
  server.close();
  https?.close();
}

void main();
