/**
 * Socket reads that go where the engine wants them: the `onread` option of net.connect() and
 * tls.connect().
 *
 * With a 'data' listener Node reads into a buffer of its own, and a message larger than one read
 * is then copied again, joined from those reads into the message: ws and our engine alike. With
 * `onread` we choose the buffer for every read, and while a large message's payload arrives that
 * is the message's own buffer (Connection.receiveBuffer()): the kernel's copy is the only one.
 *
 * Node asks for the next read's buffer right after delivering a read, and holds it until the
 * socket has data again, so what an idle connection holds matters: after a read that did not fill
 * its buffer (the peer has paused) the next buffer is small, from Node's shared pool; after one
 * that did (more is waiting), it is a full-size one of its own, as Node's own reads are. TLS
 * decrypts into the buffer given, a record (at most 16 KiB) at a time, so its full size is that.
 * net.Server cannot give the sockets it accepts `onread`: servers read through 'data'. A closed
 * socket keeps the buffer it was last given (Node holds it), at most a message's own buffer:
 * the engine makes that no further ahead of the message's bytes than 4 MiB or what has come.
 */
import type { OnReadOpts } from 'node:net';
import type { Connection } from '../engine';

/** A read when data keeps coming: Node's own read size. */
export const READ_SIZE = 64 * 1024;
/** TLS's largest plaintext record (RFC 8446 §5.1): what one TLS read brings at most. */
export const TLS_READ_SIZE = 16 * 1024;
/** A read after the peer paused: held by the socket until it sends again. */
const IDLE_READ_SIZE = 1024;

/** Reads for one socket made with `net.connect({ onread: reads.onread })` (or tls.connect). */
export class SocketReads {
  /** Where each read's bytes go: the handshake's reader, then the connection's. */
  deliver: (chunk: Buffer) => void = ignore;
  /** Once the connection is open: the engine whose receiveBuffer() reads may go straight into. */
  engine: Connection | null = null;
  private lastFilled = false;
  /** The buffer last handed out, when it was the engine's. */
  private direct: Uint8Array | null = null;

  /** @param readSize a full read: READ_SIZE, or TLS_READ_SIZE for a TLS socket. */
  constructor(private readonly readSize = READ_SIZE) {}

  readonly onread: OnReadOpts = {
    buffer: (): Uint8Array => {
      this.direct = this.offered();
      if (this.direct) return this.direct;
      return this.lastFilled ? Buffer.allocUnsafeSlow(this.readSize) : Buffer.allocUnsafe(IDLE_READ_SIZE);
    },
    // Always true: reading stops through socket.pause() (WebSocketConnection.holdReading()).
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      // A message's own buffer is filled exactly by its last read, which says nothing of the peer.
      this.lastFilled = bytes === buffer.length && buffer !== this.direct;
      try {
        // Both kinds of buffer, and views of them, are Buffers: the engine's are cut from Buffers.
        this.deliver((bytes === buffer.length ? buffer : buffer.subarray(0, bytes)) as Buffer);
      } catch (error) {
        // A handler threw. Node asks for the next buffer only after this returns: thrown from
        // here, the next read would land in this one, over bytes the engine or the application
        // still holds. So the error goes on as an uncaught exception of its own.
        rethrowLater(error);
      }
      return true;
    },
  };

  private offered(): Uint8Array | null {
    try {
      return this.engine?.receiveBuffer() ?? null;
    } catch (error) {
      rethrowLater(error); // e.g. no memory for the message: its reads go the usual way
      return null;
    }
  }
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function ignore(): void {}
