// pauseAfterMessage: the engine stops parsing after each message until events() is called again,
// so a reader's answer to a message goes out before anything later in the same read is parsed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Opcode } from '../../src/engine';
import { chunkings, connection, join, observe, peerFrame, toHex, utf8, type Observed } from './helpers';
import type { Connection } from '../../src/engine';

/** Calls events() until it returns nothing, echoing each message like `wsw serve` does. */
function drainEchoing(conn: Connection): Observed[] {
  const seen: Observed[] = [];
  for (let events = conn.events(); events.length; events = conn.events()) {
    for (const event of events) {
      seen.push(observe(event));
      if (event.type === 'message' && conn.state === 'open') conn.sendMessage(event.data, { binary: event.binary });
    }
  }
  return seen;
}

describe('pauseAfterMessage', () => {
  test('an echo of the message goes out before the close frame of a fault that followed it in the same read', () => {
    const server = connection('server', { pauseAfterMessage: true });
    // "Hello" then a frame with reserved opcode 13 (Autobahn 4.2.3), in one chunk.
    server.receiveData(join([peerFrame('client', Opcode.Text, 'Hello'), peerFrame('client', 13, '')]));
    assert.deepEqual(drainEchoing(server).map((e) => e.type), ['message', 'failed']);
    const sent = toHex(server.dataToSend());
    // The echo (81 05 "Hello") comes first, then the close frame (88, length) with 1002 (03ea).
    assert.equal(sent.slice(0, 14), '810548656c6c6f');
    assert.equal(sent.slice(14, 16), '88');
    assert.equal(sent.slice(18, 22), '03ea');
  });

  test('without it, the fault is parsed first and the echo is refused (the default for callers that drain once)', () => {
    const server = connection('server');
    server.receiveData(join([peerFrame('client', Opcode.Text, 'Hello'), peerFrame('client', 13, '')]));
    const events = server.events().map((e) => e.type);
    assert.deepEqual(events, ['message', 'failed']);
    assert.equal(server.state, 'closing');
  });

  test('each events() call returns at most one message; the peer EOF waits behind held bytes', () => {
    const server = connection('server', { pauseAfterMessage: true });
    server.receiveData(join([peerFrame('client', Opcode.Text, 'one'), peerFrame('client', Opcode.Text, 'two'), peerFrame('client', Opcode.Text, 'three')]));
    server.receiveEof();
    assert.deepEqual(server.events().map(observe), [{ type: 'message', binary: false, data: toHex(utf8('one')) }]);
    assert.equal(server.state, 'open', 'the EOF is not processed while bytes are held');
    assert.deepEqual(server.events().map(observe), [{ type: 'message', binary: false, data: toHex(utf8('two')) }]);
    const last = server.events().map((e) => e.type);
    assert.deepEqual(last, ['message', 'closed']);
    assert.deepEqual(server.events(), []);
  });

  for (const role of ['client', 'server'] as const) {
    test(`${role}: the same events as without pausing, in every chunking`, () => {
      const peer = role === 'client' ? 'server' : 'client';
      const stream = join([
        peerFrame(peer, Opcode.Text, 'fr', { fin: false }),
        peerFrame(peer, Opcode.Ping, 'p'),
        peerFrame(peer, Opcode.Continuation, 'ag'),
        peerFrame(peer, Opcode.Binary, Uint8Array.of(1, 2, 3)),
        peerFrame(peer, Opcode.Text, ''),
        peerFrame(peer, Opcode.Close, Uint8Array.of(0x03, 0xe8)),
        peerFrame(peer, Opcode.Text, 'after close'),
      ]);
      for (const chunking of chunkings(7)) {
        const plain = connection(role);
        const paused = connection(role, { pauseAfterMessage: true });
        const expected: Observed[] = [];
        const got: Observed[] = [];
        for (const piece of chunking.split(stream)) {
          plain.receiveData(piece);
          expected.push(...plain.events().map(observe));
        }
        for (const piece of chunking.split(stream)) {
          paused.receiveData(piece);
          for (let events = paused.events(); events.length; events = paused.events()) got.push(...events.map(observe));
        }
        assert.deepEqual(got, expected, chunking.name);
        assert.equal(toHex(paused.dataToSend()), toHex(plain.dataToSend()), chunking.name);
      }
    });
  }
});
