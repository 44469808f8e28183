/**
 * A frame that may not come now fails as soon as the octets that show it arrive, not once its
 * whole header (mask key included) is in: a peer that sends a bad header and then stalls is
 * failed at once, as ws fails it (found by test/engine/differential-ws.test.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Opcode } from '../../src/engine';
import { connection, deflateFor, hex, peerFrame } from './helpers';

/** Feeds `wire` octet by octet; returns the index of the octet at which the connection failed, and how. */
function failedAt(conn: ReturnType<typeof connection>, wire: Uint8Array): { at: number; closeCode: number; code: string } {
  for (let i = 0; i < wire.length; i++) {
    conn.receiveData(wire.slice(i, i + 1));
    const failed = conn.events().find((e) => e.type === 'failed');
    if (failed && failed.type === 'failed') return { at: i, closeCode: failed.error.closeCode, code: failed.error.code };
  }
  assert.fail('the connection did not fail');
}

describe('faults found before the rest of the header', () => {
  test('a continuation without a message fails at its second octet (masked: before the key)', () => {
    assert.deepEqual(failedAt(connection('server'), hex('0085 37fa213d 7f9f4d5158')), { at: 1, closeCode: 1002, code: 'WSW_ERR_UNEXPECTED_CONTINUATION' });
  });

  test('a new message inside a fragmented one fails at its second octet', () => {
    const conn = connection('client');
    conn.receiveData(peerFrame('server', Opcode.Text, 'frag', { fin: false }));
    assert.deepEqual(failedAt(conn, hex('827e0100')), { at: 1, closeCode: 1002, code: 'WSW_ERR_EXPECTED_CONTINUATION' });
  });

  test('RSV1 on a control frame with deflate negotiated fails at its second octet', () => {
    const conn = connection('client', { deflate: deflateFor('client') });
    assert.deepEqual(failedAt(conn, hex('c900')), { at: 1, closeCode: 1002, code: 'WSW_ERR_RESERVED_RSV' });
  });

  test('a fragment taking its message past maxMessageSize fails at its last length octet, before the key', () => {
    const conn = connection('server', { limits: { maxMessageSize: 300 } });
    conn.receiveData(peerFrame('client', Opcode.Binary, new Uint8Array(200), { fin: false }));
    // A continuation of 200 more (16-bit length), masked: octets 0-3 are its header up to the length.
    const result = failedAt(conn, hex('80fe00c8 01020304'));
    assert.deepEqual(result, { at: 3, closeCode: 1009, code: 'WSW_ERR_MESSAGE_TOO_BIG' });
  });

  test('too many fragments fails at the second octet of the fragment one too many', () => {
    const conn = connection('client', { limits: { maxFragments: 2 } });
    conn.receiveData(peerFrame('server', Opcode.Binary, 'a', { fin: false }));
    conn.receiveData(peerFrame('server', Opcode.Continuation, 'b', { fin: false }));
    assert.deepEqual(failedAt(conn, hex('0001 63')), { at: 1, closeCode: 1009, code: 'WSW_ERR_TOO_MANY_FRAGMENTS' });
  });

  test('the failure names the frame it was in', () => {
    const conn = connection('server');
    conn.receiveData(hex('0085'));
    const failed = conn.events().find((e) => e.type === 'failed');
    assert.ok(failed && failed.type === 'failed');
    assert.deepEqual(failed.error.frame, { opcode: 0, fin: false, rsv: 0, masked: true, length: 5 });
  });
});
