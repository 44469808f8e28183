/**
 * The fast echo peer for the client-side figures: it answers the upgrade, then for every complete
 * request frame writes back one pre-encoded unmasked frame of the same size, without unmasking or
 * parsing. The message size comes in the request path (`/?size=N`), so the peer knows the frame
 * sizes in advance and costs the clients under test as little as possible.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { Opcode, binaryPayload, encodeTestFrame, frameSize, headEnd, repeatFrame } from '../lib/frames';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function answer(socket: net.Socket, head: string): { requestSize: number; reply: Buffer; replies: Buffer } | null {
  const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1];
  const size = Number(/^GET \/\?size=(\d+)/.exec(head)?.[1]);
  if (!key || !Number.isInteger(size)) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return null;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const reply = encodeTestFrame(Opcode.Binary, binaryPayload(size), null);
  return { requestSize: frameSize(size, true), reply, replies: size <= 64 * 1024 ? repeatFrame(reply, 128) : reply };
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  let head = Buffer.alloc(0);
  let plan: ReturnType<typeof answer> = null;
  let pending = 0;
  socket.on('data', (chunk: Buffer) => {
    if (!plan) {
      head = Buffer.concat([head, chunk]);
      const end = headEnd(head);
      if (end < 0) return;
      plan = answer(socket, head.subarray(0, end).toString('latin1'));
      if (!plan) return;
      chunk = head.subarray(end);
    }
    pending += chunk.length;
    let frames = Math.floor(pending / plan.requestSize);
    pending -= frames * plan.requestSize;
    const perWrite = plan.replies.length / plan.reply.length;
    while (frames > 0) {
      const n = Math.min(frames, perWrite);
      socket.write(plan.replies.subarray(0, n * plan.reply.length));
      frames -= n;
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  console.log(`listening on ws://127.0.0.1:${address.port}/`);
});
process.once('SIGTERM', () => process.exit(0));
