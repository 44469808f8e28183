// A deliberately lax echo server for the conformance tests: raw node:net, the engine's handshake
// helpers (parseHttpHead, acceptClientRequest) and a minimal frame loop of its own, with flaws
// that can be switched on one at a time. It never validates UTF-8. Loopback only.
import * as net from 'node:net';
import { PerMessageDeflate, acceptClientRequest, headerValues, parseExtensionList, parseHttpHead } from '../../src/engine';
import { nodeDeflateCodec } from '../../src/transport';

export interface BrokenServerFlaws {
  /** Frames with RSV bits set (and no extension) are taken as if the bits were 0. */
  acceptRsv?: boolean;
  /** Frames with reserved opcodes (3-7, 11-15) are silently ignored. */
  acceptReservedOpcodes?: boolean;
  /** Every close frame is answered with this code, whatever the peer sent. */
  closeCode?: number;
  /** A close frame from the peer makes the server drop TCP at once, without a close frame back. */
  dropOnClose?: boolean;
  /** Pings are never answered. */
  ignorePings?: boolean;
  /** permessage-deflate is accepted, and every compressed message is answered with invalid deflate data. */
  corruptDeflate?: boolean;
  /**
   * permessage-deflate is accepted with a bare "permessage-deflate", whatever the offer asked for
   * (server_no_context_takeover, server_max_window_bits): compressed messages are inflated and
   * echoed uncompressed.
   */
  bareDeflate?: boolean;
  /** Every frame the server sends is masked (a fixed key), which a client must refuse. */
  maskFrames?: boolean;
  /** Every payload length is sent in the 16-bit form, even under 126 (not the minimal encoding). */
  longLengths?: boolean;
  /** Echoes are sent with RSV1 set, though no extension was agreed. */
  echoRsv?: boolean;
  /** After its close frame, the server sends a frame with a reserved opcode. */
  frameAfterClose?: boolean;
}

export interface BrokenServer {
  url: string;
  stop(): Promise<void>;
}

/** A deflate block header with BTYPE = 11 (reserved): no inflater accepts it. */
export const CORRUPT_DEFLATE = new Uint8Array([0xff, 0xff, 0xff, 0xff]);

const FIXED_MASK = [0x11, 0x22, 0x33, 0x44];

function encodeFrame(opcode: number, payload: Uint8Array, rsv = 0, flaws: BrokenServerFlaws = {}): Buffer {
  const len = payload.length;
  if (flaws.maskFrames || flaws.longLengths) {
    const head = flaws.longLengths && len < 65536 ? Buffer.from([0x80 | (rsv << 4) | opcode, 126, len >> 8, len & 0xff]) : encodeFrame(opcode, new Uint8Array(len), rsv).subarray(0, len < 126 ? 2 : len < 65536 ? 4 : 10);
    if (!flaws.maskFrames) return Buffer.concat([head, payload]);
    head[1] |= 0x80;
    const masked = Buffer.from(payload.map((b, i) => b ^ FIXED_MASK[i & 3]));
    return Buffer.concat([head, Buffer.from(FIXED_MASK), masked]);
  }
  const head = len < 126 ? Buffer.from([0x80 | (rsv << 4) | opcode, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126) {
    head[0] = 0x80 | (rsv << 4) | opcode;
    if (len < 65536) {
      head[1] = 126;
      head.writeUInt16BE(len, 2);
    } else {
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
  }
  return Buffer.concat([head, payload]);
}

function serveConnection(socket: net.Socket, flaws: BrokenServerFlaws): void {
  let buffer = Buffer.alloc(0);
  let state: 'handshake' | 'open' | 'closed' = 'handshake';
  let deflate = false;
  let inflater: PerMessageDeflate | null = null;
  let message: { opcode: number; compressed: boolean; parts: Buffer[] } | null = null;

  const close = (code: number | null) => {
    const payload = code === null ? Buffer.alloc(0) : Buffer.from([code >> 8, code & 0xff]);
    socket.write(encodeFrame(8, payload, 0, flaws));
    if (flaws.frameAfterClose) socket.write(Buffer.from([0x83, 0x00]));
    socket.end();
    state = 'closed';
  };
  const fail = (code: number): false => {
    close(code);
    return false;
  };

  const handshake = (): boolean => {
    const head = parseHttpHead(buffer);
    if (!head) return false;
    // The first permessage-deflate offer, accepted with the server parameters it asks for.
    const offers = headerValues(head.headers, 'sec-websocket-extensions').join(', ');
    const offer = offers.trim() ? parseExtensionList(offers).find((e) => e.name === 'permessage-deflate') : undefined;
    deflate = (flaws.corruptDeflate === true || flaws.bareDeflate === true) && offer !== undefined;
    const agreed = flaws.bareDeflate ? [] : (offer?.params ?? []).filter(([name]) => name === 'server_no_context_takeover' || name === 'server_max_window_bits');
    const extension = ['permessage-deflate', ...agreed.map(([name, value]) => (value === true ? name : `${name}=${value}`))].join('; ');
    // What the bare answer agrees to: context takeover and 15-bit windows both ways.
    if (deflate && flaws.bareDeflate) inflater = new PerMessageDeflate({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 }, 'server', nodeDeflateCodec);
    const answer = acceptClientRequest(head, { deflate: false, headers: deflate ? [['Sec-WebSocket-Extensions', extension]] : [] });
    socket.write(answer.response);
    if (!answer.ok) {
      socket.end();
      state = 'closed';
      return false;
    }
    buffer = buffer.subarray(head.length);
    state = 'open';
    return true;
  };

  /** One frame off the buffer; false when it is incomplete or the connection ended. */
  const frame = (): boolean => {
    if (buffer.length < 2) return false;
    const fin = (buffer[0] & 0x80) !== 0;
    const rsv = (buffer[0] >> 4) & 7;
    const opcode = buffer[0] & 0x0f;
    const masked = (buffer[1] & 0x80) !== 0;
    let length = buffer[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return false;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return false;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    if (buffer.length < offset + (masked ? 4 : 0) + length) return false;
    const mask = masked ? buffer.subarray(offset, offset + 4) : null;
    if (mask) offset += 4;
    const payload = Buffer.from(buffer.subarray(offset, offset + length));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
    buffer = buffer.subarray(offset + length);

    if (!masked) return fail(1002);
    const compressed = deflate && (opcode === 1 || opcode === 2) && rsv === 4;
    if (rsv !== 0 && !compressed && !flaws.acceptRsv) return fail(1002);
    const reserved = (opcode >= 3 && opcode <= 7) || opcode >= 11;
    if (reserved) {
      if (flaws.acceptReservedOpcodes) return true;
      return fail(1002);
    }
    if (opcode >= 8) {
      if (!fin || length > 125) return fail(1002);
      if (opcode === 9 && !flaws.ignorePings) socket.write(encodeFrame(10, payload, 0, flaws));
      if (opcode === 8) {
        if (flaws.dropOnClose) {
          socket.destroy();
          state = 'closed';
          return false;
        }
        close(flaws.closeCode ?? (payload.length >= 2 ? payload.readUInt16BE(0) : null));
        return false;
      }
      return true;
    }
    if (opcode === 0) {
      if (!message) return fail(1002);
      message.parts.push(payload);
    } else {
      if (message) return fail(1002);
      message = { opcode, compressed, parts: [payload] };
    }
    if (fin) {
      const done = message;
      message = null;
      if (done.compressed && inflater) socket.write(encodeFrame(done.opcode, Buffer.from(inflater.decompress(Buffer.concat(done.parts), 64 * 1024 * 1024)), 0, flaws));
      else if (done.compressed) socket.write(encodeFrame(done.opcode, CORRUPT_DEFLATE, 4, flaws));
      else socket.write(encodeFrame(done.opcode, Buffer.concat(done.parts), flaws.echoRsv ? 4 : 0, flaws));
    }
    return true;
  };

  socket.on('data', (chunk: Buffer) => {
    if (state === 'closed') return;
    buffer = Buffer.concat([buffer, chunk]);
    if (state === 'handshake' && !handshake()) return;
    while (state === 'open' && frame());
  });
  socket.on('error', () => socket.destroy());
}

/** Starts the broken server on 127.0.0.1 and a free port. */
export async function startBrokenServer(flaws: BrokenServerFlaws = {}): Promise<BrokenServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, flaws);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
