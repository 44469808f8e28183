/**
 * Connection.receiveBuffer(): a client's transport reads a large message's payload straight into
 * the message's own buffer. The bytes must come out the same whether the transport reads there,
 * reads elsewhere after asking, or never asks; and the buffer is offered only where it is safe.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Opcode, type ConnectionEvent } from '../../src/engine';
import { connection, deflateFor, join, peerFrame, prng, randomBytes, utf8 } from './helpers';

const KiB = 1024;
const READ = 64 * KiB;

/**
 * Feeds `stream` as a socket with `onread` would: each read (at most `readSize` bytes) goes into
 * receiveBuffer() when offered, else into a fresh buffer. Returns the events, how many reads
 * landed in a buffer the engine offered, and the memory of those buffers.
 */
function readLikeSocket(conn: ReturnType<typeof connection>, stream: Uint8Array, readSize = READ): { events: ConnectionEvent[]; direct: number; offered: Set<ArrayBufferLike> } {
  const events: ConnectionEvent[] = [];
  const offeredBuffers = new Set<ArrayBufferLike>();
  let direct = 0;
  for (let at = 0; at < stream.length; ) {
    const offered = conn.receiveBuffer();
    const target = offered ?? new Uint8Array(readSize);
    const n = Math.min(target.length, readSize, stream.length - at);
    target.set(stream.subarray(at, at + n));
    at += n;
    if (offered) {
      direct++;
      offeredBuffers.add(offered.buffer);
    }
    conn.receiveData(target.subarray(0, n));
    events.push(...conn.events());
  }
  return { events, direct, offered: offeredBuffers };
}

const messages = (events: ConnectionEvent[]) => events.filter((e) => e.type === 'message');

describe('receiveBuffer: reading a large message straight into its own buffer', () => {
  const payload = randomBytes(prng(7), 1024 * KiB + 333);

  test('a 1 MiB binary message read into the offered buffer comes out whole, and is that buffer', () => {
    const conn = connection('client', { pauseAfterMessage: true });
    const stream = join([peerFrame('server', Opcode.Binary, payload), peerFrame('server', Opcode.Text, 'after')]);
    const { events, offered: offeredBuffers } = readLikeSocket(conn, stream);
    const [big, after] = messages(events);
    assert.ok(big && big.type === 'message' && after && after.type === 'message');
    assert.deepEqual(Buffer.from(big.data), Buffer.from(payload));
    assert.equal(Buffer.from(after.data).toString(), 'after', 'the read after the payload starts at the next frame');
    assert.equal(offeredBuffers.size, 1, 'one buffer offered, for the large message only');
    assert.ok(offeredBuffers.has(big.data.buffer), 'the message is delivered from the buffer the reads went into');
  });

  test('the reads into it number the payload after the first read, not more', () => {
    const conn = connection('client', { pauseAfterMessage: true });
    const { events, direct } = readLikeSocket(conn, peerFrame('server', Opcode.Binary, payload));
    assert.equal(messages(events).length, 1);
    // The first read brings the header and 64 KiB - 10 bytes of payload; the rest comes in 64 KiB reads.
    assert.equal(direct, Math.ceil((payload.length - (READ - 10)) / READ));
  });

  test('text is still validated as it arrives: bad UTF-8 in a direct read fails with 1007', () => {
    const text = utf8('é'.repeat(300 * KiB));
    text[200 * KiB] = 0xff;
    const conn = connection('client', { pauseAfterMessage: true });
    const { events, direct } = readLikeSocket(conn, peerFrame('server', Opcode.Text, text));
    assert.ok(direct > 0, 'the reads went into the message');
    const failed = events.find((e) => e.type === 'failed');
    assert.ok(failed && failed.type === 'failed');
    assert.equal(failed.error.closeCode, 1007);
    assert.equal(messages(events).length, 0);
    assert.equal(conn.receiveBuffer(), null, 'a failed connection reads nothing more into the message');
  });

  test('valid text read into it comes out as sent', () => {
    const text = utf8('añ€😀'.repeat(40 * KiB));
    const conn = connection('client', { pauseAfterMessage: true });
    const { events, direct } = readLikeSocket(conn, peerFrame('server', Opcode.Text, text), 5000);
    assert.ok(direct > 0);
    const [message] = messages(events);
    assert.ok(message && message.type === 'message');
    assert.equal(message.binary, false);
    assert.deepEqual(Buffer.from(message.data), Buffer.from(text));
  });

  test('a transport that asks and then reads elsewhere still gets the same bytes (they are copied in)', () => {
    const conn = connection('client', { pauseAfterMessage: true });
    const stream = peerFrame('server', Opcode.Binary, payload);
    const events: ConnectionEvent[] = [];
    for (let at = 0, i = 0; at < stream.length; i++) {
      const offered = conn.receiveBuffer();
      // Every other read ignores the offer; the odd sizes put reads at any offset.
      const target = offered && i % 2 === 0 ? offered : new Uint8Array(READ);
      const n = Math.min(target.length, 40_000 + (i % 7) * 3000, stream.length - at);
      target.set(stream.subarray(at, at + n));
      at += n;
      conn.receiveData(target.subarray(0, n));
      events.push(...conn.events());
    }
    const [message] = messages(events);
    assert.ok(message && message.type === 'message');
    assert.deepEqual(Buffer.from(message.data), Buffer.from(payload));
  });

  test('not offered where the payload does not go into the message as it comes', () => {
    const big = randomBytes(prng(3), 512 * KiB);
    const cases: Array<[string, ReturnType<typeof connection>, Uint8Array]> = [
      ['less than a read still to come', connection('client'), peerFrame('server', Opcode.Binary, randomBytes(prng(4), 80 * KiB))],
      ['a fragment of a fragmented message', connection('client'), peerFrame('server', Opcode.Binary, big, { fin: false })],
      ['a compressed message', connection('client', { deflate: deflateFor('client') }), peerFrame('server', Opcode.Binary, big, { rsv: 4 })],
      ['a masked message (what a server receives)', connection('server'), peerFrame('client', Opcode.Binary, big)],
    ];
    for (const [name, conn, frame] of cases) {
      conn.receiveData(frame.slice(0, 20 * KiB));
      assert.equal(conn.receiveBuffer(), null, name);
    }
  });

  test("a large announced length gets its buffer only once enough has come: the length is the peer's word", () => {
    const MiB = 1024 * KiB;
    const big = new Uint8Array(12 * MiB).fill(5);
    const conn = connection('client');
    const frame = peerFrame('server', Opcode.Binary, big);
    conn.receiveData(frame.slice(0, 100 * KiB));
    assert.equal(conn.receiveBuffer(), null, '12 MiB announced, 100 KiB come: nothing set aside');
    const half = 6 * MiB + 10; // the header's 10 octets and 6 MiB of payload
    conn.receiveData(frame.slice(100 * KiB, half - 1));
    assert.equal(conn.receiveBuffer(), null, 'one octet short of half');
    conn.receiveData(frame.slice(half - 1, half));
    const offered = conn.receiveBuffer();
    assert.ok(offered, 'offered once what is to come is no more than what came');
    assert.equal(offered.length, frame.length - half);
    offered.set(frame.subarray(half));
    conn.receiveData(offered);
    const [message] = messages(conn.events());
    assert.ok(message && message.type === 'message');
    assert.equal(message.data.length, big.length);
    assert.ok(Buffer.from(message.data).equals(Buffer.from(big)));
  });

  test('not offered between messages, nor once a close frame came', () => {
    const conn = connection('client', { pauseAfterMessage: true });
    assert.equal(conn.receiveBuffer(), null, 'before any frame');
    const frame = peerFrame('server', Opcode.Binary, payload);
    conn.receiveData(join([peerFrame('server', Opcode.Close, Uint8Array.of(0x03, 0xe8)), frame.slice(0, 1000)]));
    assert.equal(conn.receiveBuffer(), null, 'after a close frame nothing more is read into messages');
    const eof = connection('client');
    eof.receiveData(frame.slice(0, 1000));
    assert.ok(eof.receiveBuffer(), 'offered mid-message');
    eof.receiveEof();
    assert.equal(eof.receiveBuffer(), null, 'not once the connection is closed');
  });

  test('not offered while bytes wait behind a pause', () => {
    const conn = connection('client', { pauseAfterMessage: true });
    // A small message pauses the parser; the large one's first bytes wait behind it.
    conn.receiveData(join([peerFrame('server', Opcode.Text, 'first'), peerFrame('server', Opcode.Binary, payload).slice(0, 30 * KiB)]));
    assert.equal(conn.receiveBuffer(), null);
    assert.equal(conn.events().length, 1, "the reader takes 'first'");
    assert.equal(conn.events().length, 0, 'and asks again: parsing resumes, into the large message');
    assert.ok(conn.receiveBuffer(), 'offered once nothing waits');
  });
});
