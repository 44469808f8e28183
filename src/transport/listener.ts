/** The TCP or TLS listener under both servers (WebSocket and raw), and starting it. */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createSelfSignedCertificate } from './self-signed';

export type TlsSetting = { cert: string | Buffer; key: string | Buffer } | 'self-signed';

/** A plain or TLS server; `fingerprint` is set when a self-signed certificate was made for it. */
export function createListener(tlsSetting: TlsSetting | undefined, handshakeTimeoutMs: number): { server: net.Server; fingerprint: string | null } {
  if (!tlsSetting) return { server: net.createServer(), fingerprint: null };
  const made = tlsSetting === 'self-signed' ? createSelfSignedCertificate() : null;
  const credentials = made ?? (tlsSetting as Exclude<TlsSetting, 'self-signed'>);
  // The TLS handshake counts against the handshake time-out too (Node's own default is 120 s).
  const server = tls.createServer({ cert: credentials.cert, key: credentials.key, ALPNProtocols: ['http/1.1'], handshakeTimeout: handshakeTimeoutMs });
  return { server, fingerprint: made?.fingerprint ?? null };
}

/** How long a refused peer gets to read the refusal and close its side before the socket is dropped. */
const REFUSAL_GRACE_MS = 1000;

/**
 * Sends a refusal and half-closes; drops the socket if the peer has not closed its side within
 * the grace time (a peer that never does must not hold a socket, or a server's close(), forever).
 */
export function refuseAndDrop(socket: net.Socket, response: Uint8Array): void {
  socket.end(response);
  const timer = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS).unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Listens on host:port (127.0.0.1 and a free port by default); rejects on EADDRINUSE and the like. */
export function startListening(server: net.Server, host = '127.0.0.1', port = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}
