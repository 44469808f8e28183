// The extension host is a real Node process: node:net works in it (the engine's transport needs it).
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { once } from 'node:events';
import { describe, it } from 'mocha';

describe('Node inside the extension host', () => {
  it('runs Node >= 20', () => {
    assert.ok(Number(process.versions.node.split('.')[0]) >= 20, process.version);
  });

  it('opens a node:net loopback server and talks to it', async () => {
    const server = net.createServer((socket) => {
      socket.on('data', (d) => socket.end(Buffer.concat([Buffer.from('echo:'), d])));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as net.AddressInfo;
      const client = net.connect(port, '127.0.0.1');
      await once(client, 'connect');
      client.end('ping');
      const chunks: Buffer[] = [];
      for await (const chunk of client) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), 'echo:ping');
    } finally {
      server.close();
    }
  });
});
