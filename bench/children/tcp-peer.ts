/**
 * Raw TCP peers for the ceilings: `echo` writes back what it reads (the upper bound for an echo
 * server at each message size); `sink` discards and answers one byte when the writer ends.
 */
import * as net from 'node:net';

const mode = process.argv[2] === 'sink' ? 'sink' : 'echo';
const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  if (mode === 'echo') {
    socket.pipe(socket);
  } else {
    socket.on('data', () => {});
    socket.on('end', () => socket.end(Buffer.of(1)));
  }
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  console.log(`listening on tcp://127.0.0.1:${address.port}/`);
});
process.once('SIGTERM', () => process.exit(0));
