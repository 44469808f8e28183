/**
 * A raw byte channel for the conformance runner: the TCP/TLS socket, ordered writes that can be
 * flushed one by one (Autobahn's "sync"), and a scheduler, behind a small interface so the
 * runner's logic in src/cases/ stays free of sockets and timers.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { ConnectError, describeSocketError } from './errors';
import { parseWebSocketUrl, type WebSocketTarget } from './url';

/** Timers and a clock, injected so tests can drive time. */
export interface Scheduler {
  /** Runs `fn` after `ms`; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Milliseconds, monotonic. */
  now(): number;
}

export const systemScheduler: Scheduler = {
  setTimer(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
  now: () => performance.now(),
};

export interface RawChannelHandlers {
  data(bytes: Uint8Array): void;
  /** The TCP connection ended: `byPeer` false when we ended or dropped it. */
  closed(byPeer: boolean, error: Error | null): void;
}

export interface RawChannel extends Scheduler {
  /**
   * Writes bytes in order. With `sync`, the bytes go out as their own write and the next write
   * waits until they were handed to the kernel (with Nagle off: their own TCP segment).
   * `onWritten` runs when the bytes are handed to the socket (for a wire log in true order).
   */
  write(bytes: Uint8Array, sync: boolean, onWritten?: () => void): void;
  /** Sends FIN after the queued writes. */
  end(): void;
  /** Drops the connection at once. */
  destroy(): void;
  /** True until the connection has ended. */
  readonly open: boolean;
  setHandlers(handlers: RawChannelHandlers): void;
}

/** Wraps a connected socket. Data that arrives before handlers are set is kept for them. */
export function socketChannel(socket: net.Socket, scheduler: Scheduler = systemScheduler): RawChannel {
  socket.setNoDelay(true);
  let handlers: RawChannelHandlers | null = null;
  const early: Uint8Array[] = [];
  let ended: { byPeer: boolean; error: Error | null } | null = null;
  let weEnded = false;
  let socketError: Error | null = null;
  /** Writes waiting for an earlier sync write to be flushed. */
  const queue: { bytes: Uint8Array | null; sync: boolean; onWritten?: () => void }[] = [];
  let waitingForFlush = false;
  // Writes that are not sync and come in the same tick leave in one writev, as Twisted's
  // transport buffers them until its reactor turns: a message in 512 fragments is one system
  // call, not 512 (those were a quarter of the runner's CPU in 12.x).
  let corked = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  };

  const pumpQueue = () => {
    while (queue.length && !waitingForFlush && !socket.destroyed) {
      const { bytes, sync, onWritten } = queue.shift()!;
      if (bytes === null) {
        uncork();
        socket.end();
        continue;
      }
      onWritten?.();
      if (sync) {
        uncork();
        waitingForFlush = true;
        socket.write(bytes, () => {
          waitingForFlush = false;
          pumpQueue();
        });
      } else {
        if (!corked) {
          corked = true;
          socket.cork();
          process.nextTick(uncork);
        }
        socket.write(bytes);
      }
    }
  };

  socket.on('data', (chunk: Buffer) => (handlers ? handlers.data(chunk) : early.push(chunk)));
  socket.on('error', (error) => (socketError ??= error));
  socket.on('close', () => {
    ended = { byPeer: !weEnded, error: socketError };
    queue.length = 0;
    handlers?.closed(ended.byPeer, ended.error);
  });

  return {
    ...scheduler,
    get open() {
      return ended === null;
    },
    write(bytes, sync, onWritten) {
      if (ended) return;
      queue.push({ bytes, sync, onWritten });
      pumpQueue();
    },
    end() {
      if (ended) return;
      weEnded = true;
      queue.push({ bytes: null, sync: false });
      pumpQueue();
    },
    destroy() {
      if (ended) return;
      weEnded = true;
      socket.destroy();
    },
    setHandlers(h) {
      handlers = h;
      for (const chunk of early.splice(0)) h.data(chunk);
      if (ended) h.closed(ended.byPeer, ended.error);
    },
  };
}

export interface OpenChannelOptions {
  insecure?: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  /** Time for TCP connect (and TLS) (ms). Default 10000. */
  connectTimeoutMs?: number;
}

/** Connects to a ws:// or wss:// URL and returns the raw channel (no WebSocket handshake yet). */
export function openChannel(url: string, options: OpenChannelOptions = {}): Promise<{ channel: RawChannel; target: WebSocketTarget }> {
  let target: WebSocketTarget;
  try {
    target = parseWebSocketUrl(url);
  } catch (error) {
    return Promise.reject(error);
  }
  const where = `${target.secure ? 'wss' : 'ws'}://${target.hostHeader}`;
  return new Promise((resolve, reject) => {
    const socket = target.secure
      ? tls.connect({ host: target.host, port: target.port, servername: net.isIP(target.host) ? undefined : target.host, rejectUnauthorized: !options.insecure, ca: options.ca, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: target.host, port: target.port });
    const timeoutMs = options.connectTimeoutMs ?? 10000;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectError('WSW_CONNECT_TIMEOUT', `no connection to ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(describeSocketError(error, where));
    };
    socket.once('error', onError);
    socket.once(target.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve({ channel: socketChannel(socket), target });
    });
  });
}
