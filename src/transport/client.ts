/** Opening a WebSocket as a client over node:net or node:tls. */
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  Connection,
  HandshakeError,
  PerMessageDeflate,
  buildClientRequest,
  defaultHeadLimits,
  parseHttpHead,
  validateServerResponse,
  type DeflateOptions,
  type HeadLimits,
  type HeaderList,
  type Limits,
} from '../engine';
import { nodeDeflateCodec } from './deflate-codec';
import { ConnectError, describeSocketError } from './errors';
import { READ_SIZE, SocketReads, TLS_READ_SIZE } from './socket-reads';
import { parseWebSocketUrl } from './url';
import { WebSocketConnection, type WebSocketOptions } from './websocket';

export interface ClientOptions extends WebSocketOptions {
  headers?: HeaderList;
  subprotocols?: string[];
  origin?: string;
  /** Offer permessage-deflate (true: the default offer). */
  deflate?: boolean | DeflateOptions;
  /** Skip TLS certificate verification. Off unless asked for, per connection. */
  insecure?: boolean;
  /** Extra certificate authorities to trust (PEM). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** TLS server name (SNI); defaults to the URL's host name when it is not an IP address. */
  servername?: string;
  /** Time for TCP connect, TLS and the HTTP upgrade together (ms). Default 10000. */
  handshakeTimeoutMs?: number;
  autoPong?: boolean;
  limits?: Partial<Limits>;
  headLimits?: HeadLimits;
  /** Emit a 'frame' event for every frame in and out. */
  frameEvents?: boolean;
}

export function connect(url: string, options: ClientOptions = {}): Promise<WebSocketConnection> {
  let target: ReturnType<typeof parseWebSocketUrl>;
  try {
    target = parseWebSocketUrl(url);
  } catch (error) {
    return Promise.reject(error);
  }
  const deflateOptions = options.deflate === true ? {} : options.deflate || undefined;
  const handshake = buildClientRequest({
    host: target.hostHeader,
    path: target.path,
    origin: options.origin,
    subprotocols: options.subprotocols,
    deflate: deflateOptions,
    headers: options.headers,
  });
  const where = `${target.secure ? 'wss' : 'ws'}://${target.hostHeader}`;

  return new Promise((resolve, reject) => {
    // Reads go straight into large messages (socket-reads.ts); TLS decrypts into them.
    const reads = new SocketReads(target.secure ? TLS_READ_SIZE : READ_SIZE);
    const socket: net.Socket = target.secure
      ? tls.connect(
          // tls.connect takes `onread` (Node's documentation says so) where @types/node does not.
          {
            host: target.host,
            port: target.port,
            servername: options.servername ?? (net.isIP(target.host) ? undefined : target.host),
            rejectUnauthorized: !options.insecure,
            ca: options.ca,
            ALPNProtocols: ['http/1.1'],
            onread: reads.onread,
          } as tls.ConnectionOptions,
        )
      : net.connect({ host: target.host, port: target.port, onread: reads.onread });
    socket.setNoDelay(true);
    let settled = false;
    const received: Buffer[] = [];
    let receivedBytes = 0;

    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new ConnectError('WSW_CONNECT_TIMEOUT', `no WebSocket handshake with ${where} within ${options.handshakeTimeoutMs ?? 10000} ms`)),
      options.handshakeTimeoutMs ?? 10000,
    );

    socket.once(target.secure ? 'secureConnect' : 'connect', () => socket.write(handshake.request));
    const onError = (error: Error) => fail(describeSocketError(error, where));
    const onClose = () => fail(new ConnectError('WSW_CONNECT_CLOSED', `${where} closed the connection before answering the WebSocket handshake`));
    socket.on('error', onError);
    socket.on('close', onClose);
    reads.deliver = onData;

    function onData(chunk: Buffer) {
      if (settled) return;
      received.push(chunk);
      receivedBytes += chunk.length;
      const data = received.length === 1 ? received[0] : Buffer.concat(received, receivedBytes);
      let result: ReturnType<typeof validateServerResponse>;
      let headLength: number;
      try {
        const head = parseHttpHead(data, options.headLimits ?? defaultHeadLimits);
        if (!head) return;
        headLength = head.length;
        result = validateServerResponse(head, handshake);
      } catch (error) {
        if (error instanceof HandshakeError) {
          const message = error.response ? `${error.message}\n${formatResponse(error.response)}` : error.message;
          return fail(new ConnectError('WSW_CONNECT_HANDSHAKE', `${where}: ${message}`, { cause: error, response: error.response }));
        }
        throw error;
      }
      settled = true;
      clearTimeout(timer);
      // Only ours: a TLS socket has listeners of Node's own on 'close'.
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      const engine = new Connection({
        role: 'client',
        pauseAfterMessage: true,
        limits: options.limits,
        autoPong: options.autoPong,
        frameEvents: options.frameEvents,
        deflate: result.deflate ? new PerMessageDeflate(result.deflate, 'client', nodeDeflateCodec, deflateOptions) : null,
      });
      const ws = new WebSocketConnection(
        socket,
        engine,
        {
          protocol: result.protocol,
          deflate: result.deflate,
          requestHead: Buffer.from(handshake.request).toString('latin1'),
          responseHead: data.subarray(0, headLength).toString('latin1'),
          path: target.path,
          remoteAddress: socket.remoteAddress ?? target.host,
          remotePort: socket.remotePort ?? target.port,
        },
        options,
        reads,
      );
      // Bytes that came with the response go to the engine now, ahead of anything read later (also
      // if the caller resumes the socket at once); their events wait until the caller, resumed by
      // resolve(), has attached its handlers.
      const release = ws.holdReading();
      ws.receive(data.subarray(headLength), { emit: false });
      resolve(ws);
      setImmediate(() => {
        try {
          ws.emitPending();
        } finally {
          release();
        }
      });
    }
  });
}

function formatResponse(response: { status: number; reason: string; headers: HeaderList }): string {
  return [`  HTTP ${response.status} ${response.reason}`, ...response.headers.map(([k, v]) => `  ${k}: ${v}`)].join('\n');
}
