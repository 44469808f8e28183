// What an idle server connection holds: its listener table is a fast-mode object that sees no
// Object.prototype, and the socket under it has one listener per event, not arrays of them.
// (`npm run bench` measures the RSS these add up to; this checks the shapes that keep it low.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { once } from 'node:events';
import { connect, listen, type WebSocketConnection } from '../../src/transport';

v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

test('a server connection: fast listener table, event names free of Object.prototype, one listener per socket event', async () => {
  const server = await listen({ port: 0 });
  try {
    const accepted = once(server, 'connection') as Promise<[WebSocketConnection]>;
    const client = await connect(server.url);
    const [ws] = await accepted;
    ws.on('message', () => {});
    ws.on('close', () => {});
    const events = (ws as unknown as { _events: object })._events;
    assert.equal(hasFastProperties(events), true, 'the listener table is in fast mode');
    // Like EventEmitter's own table, it inherits nothing: these names are only event names.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(ws.listenerCount(name as 'message'), 0, name);
      assert.equal(ws.emit(name as 'message', new Uint8Array(0), false), false, name);
    }
    let heard = 0;
    ws.on('__proto__' as 'message', () => heard++);
    ws.emit('__proto__' as 'message', new Uint8Array(0), false);
    assert.equal(heard, 1);
    // The handshake's stand-in listeners are gone: 'error' and 'close' have one each, the
    // connection's (arrays of listeners would cost an idle connection about 60 bytes each).
    assert.equal(ws.socket.listenerCount('error'), 1);
    assert.equal(ws.socket.listenerCount('close'), 1);
    client.close();
    await ws.closed;
  } finally {
    await server.close();
  }
});
