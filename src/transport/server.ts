/** A WebSocket server over node:net or node:tls: the handshake, limits, and the connections. */
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  Connection,
  HandshakeError,
  PerMessageDeflate,
  acceptClientRequest,
  defaultHeadLimits,
  parseHttpHead,
  refusal,
  type DeflateOptions,
  type DeflateParams,
  type HeadLimits,
  type Limits,
  type ServerHandshakeResult,
} from '../engine';
import { nodeDeflateCodec } from './deflate-codec';
import { createListener, refuseAndDrop, startListening } from './listener';
import { WebSocketConnection, type OpenInfo, type WebSocketOptions } from './websocket';

export interface ServerOptions extends WebSocketOptions {
  /** Address to bind. Default 127.0.0.1: anything else only when asked for. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Certificate and key (PEM), or 'self-signed' for a localhost certificate made now. */
  tls?: { cert: string | Buffer; key: string | Buffer } | 'self-signed';
  /** Accept permessage-deflate with these settings (true: defaults). Default off. */
  deflate?: boolean | DeflateOptions;
  selectSubprotocol?: (offered: string[]) => string | null;
  /** Time a client has to complete its upgrade request (ms); slow clients are dropped. Default 10000. */
  handshakeTimeoutMs?: number;
  /** Connections beyond this are refused with 503. Default 10000. */
  maxConnections?: number;
  autoPong?: boolean;
  limits?: Partial<Limits>;
  headLimits?: HeadLimits;
  frameEvents?: boolean;
  /** Keep each connection's handshake heads in `ws.info` (for logs). Default off: see OpenInfo. */
  keepHandshakeHeads?: boolean;
}

export type ServerEvents = {
  /** A new connection, with the upgrade request it was opened by. */
  connection: [ws: WebSocketConnection, requestHead: string];
  /** A client that did not complete a valid upgrade, and why. */
  'handshake-failed': [error: Error, remote: string];
};

export class WebSocketServer extends EventEmitter<ServerEvents> {
  readonly connections = new Set<WebSocketConnection>();
  /**
   * Accepted TCP sockets that are not (yet) connections: opening and TLS handshakes, refused
   * peers, and under TLS the raw socket under each connection. What close() finally drops.
   */
  private readonly sockets = new Set<net.Socket>();
  /** Their 'close' listener, one for the server: it drops a socket from `sockets`. */
  private readonly forgetSocket: (this: net.Socket) => void;
  private closing = false;
  private readonly deflateOptions: DeflateOptions | false;

  constructor(
    readonly server: net.Server,
    readonly secure: boolean,
    private readonly options: ServerOptions,
    /** The self-signed certificate's fingerprint, when one was made. */
    readonly fingerprint: string | null,
  ) {
    super();
    this.deflateOptions = options.deflate === true ? {} : options.deflate || false;
    const sockets = this.sockets;
    const forgetSocket = (this.forgetSocket = function (this: net.Socket): void {
      sockets.delete(this);
    });
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', forgetSocket);
    });
    server.on(secure ? 'secureConnection' : 'connection', (socket: net.Socket) => this.handshake(socket));
    // A failed or timed-out TLS handshake (garbage instead of a ClientHello, a client that never
    // starts TLS): Node reports it here but leaves the socket open, so close it ourselves.
    if (secure) {
      server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
        const remote = peerOf(socket);
        socket.destroy();
        this.emit('handshake-failed', error, remote);
      });
    }
    // Sockets still in their opening handshake count too (as many again as the connection
    // limit), so that a flood of silent clients cannot hold unbounded sockets until it times out.
    server.maxConnections = 2 * (options.maxConnections ?? 10000);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as net.AddressInfo).address;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `${this.secure ? 'wss' : 'ws'}://${host}:${this.port}/`;
  }

  /** Stops listening, closes every connection with `code` (1001 going away), then drops stragglers. */
  async close(code = 1001, timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const closing = [...this.connections].map((ws) => {
      try {
        if (ws.state === 'open') ws.close(code).catch(() => {});
      } catch {
        ws.terminate(); // e.g. a code close() refuses: the server still stops
      }
      return ws.closed;
    });
    const timer = setTimeout(() => {
      for (const ws of this.connections) ws.terminate();
    }, timeoutMs);
    await Promise.all(closing);
    clearTimeout(timer);
    // What is left never became a connection: opening or TLS handshakes, refused peers
    for (const socket of this.sockets) socket.destroy();
    await stopped;
  }

  /** Reads the upgrade request within the time-out and the head limits, then answers it. */
  private handshake(socket: net.Socket): void {
    const options = this.options;
    // Asked only when a handshake fails: getpeername was 7% of a server's CPU per handshake.
    const remote = () => peerOf(socket);
    const timeoutMs = options.handshakeTimeoutMs ?? 10000;
    if (this.closing) {
      socket.destroy(); // e.g. a TLS handshake that completed after close()
      return;
    }
    socket.setNoDelay(true);
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let done = false;
    const finish = () => {
      done = true;
      clearTimeout(timer);
      // Detach every listener made in this scope: one left on the socket would keep the whole
      // scope (request chunks, timer, these closures) alive for the connection's lifetime.
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
    };
    const refuse = (error: HandshakeError) => {
      finish();
      const peer = remote();
      refuseAndDrop(socket, refusal(error));
      this.emit('handshake-failed', error, peer);
    };
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      const peer = remote();
      socket.destroy();
      this.emit('handshake-failed', new Error(`no complete upgrade request within ${timeoutMs} ms`), peer);
    }, timeoutMs);
    // Errors on a socket end in 'close'; the connection (or the handshake) reports the outcome.
    socket.on('error', ignoreSocketError);
    const onClose = () => {
      if (!done) finish();
    };
    socket.on('close', onClose);
    const onData = (chunk: Buffer) => {
      received.push(chunk);
      receivedBytes += chunk.length;
      const data = received.length === 1 ? received[0] : Buffer.concat(received, receivedBytes);
      let head;
      try {
        head = parseHttpHead(data, options.headLimits ?? defaultHeadLimits);
      } catch (error) {
        if (error instanceof HandshakeError) return refuse(error);
        throw error;
      }
      if (!head) return;
      const maxConnections = options.maxConnections ?? 10000;
      if (this.connections.size >= maxConnections) {
        return refuse(new HandshakeError('WSW_HS_MALFORMED', `the server is at its limit of ${maxConnections} connections`, 503));
      }
      const result = acceptClientRequest(head, { deflate: this.deflateOptions, selectSubprotocol: options.selectSubprotocol });
      if (!result.ok) return refuse(result.error);
      finish();
      this.open(socket, data, head.length, result);
    };
    socket.on('data', onData);
  }

  /**
   * Answers an accepted upgrade and starts the connection. A method of its own, not a closure in
   * handshake(): what lives as long as the connection must not hold on to the handshake's scope.
   */
  private open(socket: net.Socket, data: Buffer, headLength: number, result: AcceptedRequest): void {
    const options = this.options;
    socket.write(result.response);
    const engine = new Connection({
      role: 'server',
      pauseAfterMessage: true,
      limits: options.limits,
      autoPong: options.autoPong,
      frameEvents: options.frameEvents,
      deflate: result.deflate ? new PerMessageDeflate(result.deflate, 'server', nodeDeflateCodec, this.deflateOptions || {}) : null,
    });
    const requestHead = data.subarray(0, headLength).toString('latin1');
    const keep = options.keepHandshakeHeads === true;
    const info = new ServerOpenInfo(socket, result.protocol, result.deflate, result.path, keep ? requestHead : null, keep ? Buffer.from(result.response).toString('latin1') : null);
    const ws = new WebSocketConnection(socket, engine, info, options);
    // The connection has its own 'error' and 'close' listeners now, and close() reaches it through
    // `connections`: the handshake's stand-ins go, so that no event needs a listener array.
    // (Under TLS, `sockets` holds the TCP socket under this one, which stays listed.)
    socket.removeListener('error', ignoreSocketError);
    socket.removeListener('close', this.forgetSocket);
    this.sockets.delete(socket);
    this.connections.add(ws);
    ws.on('close', forgetConnection);
    connectionsOf.set(ws, this.connections);
    this.emit('connection', ws, requestHead);
    ws.receive(data.subarray(headLength));
  }
}

type AcceptedRequest = Extract<ServerHandshakeResult, { ok: true }>;

/** "address:port" of a socket's peer, read from the socket (Node keeps it once read). */
function peerOf(socket: net.Socket): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * A server connection's OpenInfo. The peer's address is read from the socket when first asked
 * (Node keeps it from then on), not for every connection: the getpeername call cost 7% of the
 * server's CPU per handshake, and most servers never ask (ws does not either).
 */
class ServerOpenInfo implements OpenInfo {
  constructor(
    private readonly socket: net.Socket,
    readonly protocol: string | null,
    readonly deflate: DeflateParams | null,
    readonly path: string,
    readonly requestHead: string | null,
    readonly responseHead: string | null,
  ) {}

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }
}

/** Module-level, so that the listener captures no handshake state. */
function ignoreSocketError(): void {}

/** Each connection's server set, for a module-level 'close' listener instead of a closure each. */
const connectionsOf = new WeakMap<WebSocketConnection, Set<WebSocketConnection>>();
function forgetConnection(this: WebSocketConnection): void {
  connectionsOf.get(this)?.delete(this);
}

export async function listen(options: ServerOptions = {}): Promise<WebSocketServer> {
  const { server, fingerprint } = createListener(options.tls, options.handshakeTimeoutMs ?? 10000);
  const wss = new WebSocketServer(server, !!options.tls, options, fingerprint);
  await startListening(server, options.host, options.port);
  return wss;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
