/**
 * A raw TCP/TLS server for the conformance runner's server role (the fuzzing server): it reads
 * each client's HTTP head within a time-out and the head limits, then hands the head, its bytes,
 * whatever came after it and a RawChannel to a handler, which answers the upgrade itself (or
 * refuses it). Malformed or oversized heads get the engine's HTTP refusal; slow ones are dropped.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { HandshakeError, defaultHeadLimits, parseHttpHead, refusal, type HeadLimits, type HttpHead } from '../engine';
import { socketChannel, type RawChannel } from './raw-channel';
import { createListener, refuseAndDrop, startListening } from './listener';

export interface RawRequest {
  head: HttpHead;
  /** The head's bytes as received (for reports). */
  requestBytes: Uint8Array;
  /** Bytes that arrived after the head (the start of the WebSocket stream). */
  rest: Uint8Array;
  channel: RawChannel;
  /** "address:port" of the client. */
  remote: string;
}

export interface RawServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Certificate and key (PEM), or 'self-signed' for a localhost certificate made now. */
  tls?: { cert: string | Buffer; key: string | Buffer } | 'self-signed';
  /** Time a client has for TLS and its HTTP head (ms). Default 10000. */
  headTimeoutMs?: number;
  headLimits?: HeadLimits;
  /** Sockets open at once; more are closed at once. Default 1000. */
  maxConnections?: number;
}

export class RawServer {
  /** Every accepted TCP socket until it closes (under TLS the raw one, also mid-TLS-handshake). */
  private readonly sockets = new Set<net.Socket>();
  private closing = false;

  constructor(
    readonly server: net.Server,
    readonly secure: boolean,
    /** The self-signed certificate's SHA-256 fingerprint, when one was made. */
    readonly fingerprint: string | null,
    private readonly options: RawServerOptions,
    private readonly handler: (request: RawRequest) => void,
  ) {
    server.maxConnections = options.maxConnections ?? 1000;
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on(secure ? 'secureConnection' : 'connection', (socket: net.Socket) => this.readHead(socket));
    if (secure) server.on('tlsClientError', (_error: Error, socket: tls.TLSSocket) => socket.destroy());
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get url(): string {
    const address = (this.server.address() as net.AddressInfo).address;
    const host = address.includes(':') ? `[${address}]` : address;
    return `${this.secure ? 'wss' : 'ws'}://${host}:${this.port}`;
  }

  /** Stops listening and drops every connection still open. */
  close(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return stopped;
  }

  private readHead(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy(); // e.g. a TLS handshake that completed after close()
      return;
    }
    socket.on('error', () => {}); // ends in 'close'; the channel reports it
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const received: Buffer[] = [];
    const timeoutMs = this.options.headTimeoutMs ?? 10000;
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    const onData = (chunk: Buffer) => {
      received.push(chunk);
      const data = Buffer.concat(received);
      let head: HttpHead | null;
      try {
        head = parseHttpHead(data, this.options.headLimits ?? defaultHeadLimits);
      } catch (error) {
        if (!(error instanceof HandshakeError)) throw error;
        done();
        refuseAndDrop(socket, refusal(error));
        return;
      }
      if (!head) return;
      done();
      const channel = socketChannel(socket);
      this.handler({ head, requestBytes: data.subarray(0, head.length), rest: data.subarray(head.length), channel, remote });
    };
    const done = () => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
    };
    socket.once('close', () => clearTimeout(timer));
    socket.on('data', onData);
  }
}

/** Starts a raw server; `handler` gets every client whose HTTP head arrived in time. */
export async function listenRaw(options: RawServerOptions, handler: (request: RawRequest) => void): Promise<RawServer> {
  const { server, fingerprint } = createListener(options.tls, options.headTimeoutMs ?? 10000);
  const raw = new RawServer(server, !!options.tls, fingerprint, options, handler);
  await startListening(server, options.host, options.port);
  return raw;
}
