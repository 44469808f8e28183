// The reader beside the engine reads on after the engine fails the connection, as Autobahn's
// protocol does with failByDrop off (autobahn 0.10.9 processDataHybi, failedByMe, STATE_CLOSING).
// Each test runs our engine and the reader the way the runner does, on octets a broken peer sends.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../../../src/engine';
import { AfterFailureReader, type AfterFailure } from '../../../src/cases/after-failure';

interface RawFrame {
  opcode: number;
  payload?: Uint8Array | string;
  fin?: boolean;
  rsv?: number;
  mask?: number[];
  /** Send the length in the 16-bit form even under 126. */
  long?: boolean;
}

function frame(spec: RawFrame): Uint8Array {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : (spec.payload ?? new Uint8Array(0));
  const b0 = ((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode;
  const maskBit = spec.mask ? 0x80 : 0;
  const head = spec.long || payload.length >= 126 ? [b0, maskBit | 126, payload.length >> 8, payload.length & 0xff] : [b0, maskBit | payload.length];
  const body = spec.mask ? payload.map((b, i) => b ^ spec.mask![i & 3]) : payload;
  return Buffer.concat([Buffer.from(head), Buffer.from(spec.mask ?? []), Buffer.from(body)]);
}

const close = (code: number, reason = '') => Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason, 'latin1')]);
const MASK = [1, 2, 3, 4];

/** What the reader reports, as the runner drives it, for `octets` delivered in reads of `readSize`. */
function readAfterFailure(octets: Uint8Array, options: { role?: 'client' | 'server'; readSize?: number } = {}): string[] {
  const role = options.role ?? 'client';
  const engine = new Connection({ role, frameEvents: true, closeReply: 'normal', pauseAfterMessage: true, minimalLengths: true });
  const reader = new AfterFailureReader({ isServer: role === 'server', deflate: false });
  const seen: AfterFailure[] = [];
  const size = options.readSize ?? octets.length;
  for (let at = 0; at < octets.length; at += size) {
    const read = octets.slice(at, at + size);
    seen.push(...reader.push(Uint8Array.from(read)));
    engine.receiveData(read);
    for (let events = engine.events(); events.length; events = engine.events()) {
      for (const event of events) {
        if (event.type === 'frame-received') reader.delivered(event.frame.payload);
        if (event.type === 'failed') seen.push(...reader.takeOver(event.error));
      }
    }
  }
  return seen.map(describeSeen);
}

function describeSeen(item: AfterFailure): string {
  switch (item.type) {
    case 'frame':
      return `frame ${item.frame.opcode} len=${item.frame.payloadLen}${item.frame.rsv ? ` rsv=${item.frame.rsv}` : ''}${item.frame.masked ? ' masked' : ''} ${Buffer.from(item.frame.payload).toString('hex')}`.trimEnd();
    case 'pong':
      return `pong ${Buffer.from(item.payload).toString()}`;
    case 'close':
      return `close ${item.code} ${item.reason}`;
    case 'violation':
      return `violation: ${item.reason}`;
  }
}

/** Every read size gives the same account (the octets of one TCP read are not a unit of meaning here). */
function sameForEveryReadSize(octets: Uint8Array, role: 'client' | 'server' = 'client'): string[] {
  const whole = readAfterFailure(octets, { role });
  for (const readSize of [1, 2, 3, 7]) assert.deepEqual(readAfterFailure(octets, { role, readSize }), whole, `reads of ${readSize}`);
  return whole;
}

describe('after the engine fails the connection, the reader reads on as Autobahn does', () => {
  test('an RSV frame (one violation) is logged, and the close that follows is the reply: clean', () => {
    const seen = sameForEveryReadSize(Buffer.concat([frame({ opcode: 1, payload: 'Hi', rsv: 2 }), frame({ opcode: 8, payload: close(1002, 'ok') })]));
    assert.deepEqual(seen, ['frame 1 len=2 rsv=2 4869', 'frame 8 len=4 03ea6f6b', 'close 1002 ok']);
  });

  test('nothing is reported for frames the engine delivered before it failed', () => {
    const seen = sameForEveryReadSize(Buffer.concat([frame({ opcode: 1, payload: 'fine' }), frame({ opcode: 9, payload: 'p' }), frame({ opcode: 2, payload: 'x', rsv: 1 }), frame({ opcode: 8 })]));
    assert.deepEqual(seen, ['frame 2 len=1 rsv=1 78', 'frame 8 len=0', 'close null null']);
  });

  test('a server that masks its frames: the masked close reply is a second violation, and TCP is dropped', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: 'echo', mask: MASK }), frame({ opcode: 8, payload: close(1002), mask: MASK })]);
    assert.deepEqual(readAfterFailure(octets), ['frame 1 len=4 masked 6563686f', 'violation: masked server-to-client frame']);
  });

  test('a bad header split across reads: Autobahn checks its first two octets again at the next read, a second violation', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: 'echo', mask: MASK }), frame({ opcode: 8, payload: close(1000) })]);
    // 81 84 | 01 02 03 04 ...: the engine fails at the first two octets, the key is still to come.
    assert.deepEqual(readAfterFailure(octets, { readSize: 2 }), ['violation: masked server-to-client frame']);
    // The whole header in one read: one violation, and the close is the reply.
    assert.deepEqual(readAfterFailure(octets), ['frame 1 len=4 masked 6563686f', 'frame 8 len=2 03e8', 'close 1000 null']);
  });

  test('two violations in the frame that broke the protocol: the second drops TCP at once', () => {
    const seen = sameForEveryReadSize(Buffer.concat([frame({ opcode: 3, rsv: 4 }), frame({ opcode: 8, payload: close(1000) })]));
    assert.deepEqual(seen, ['violation: data frame using reserved opcode 3']);
  });

  test('a text message that is not UTF-8: at its end Autobahn finds it a second time and drops TCP', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: Buffer.from([0x41, 0xff, 0x42]) }), frame({ opcode: 8, payload: close(1000) })]);
    assert.deepEqual(readAfterFailure(octets), ['frame 1 len=3 41ff42', 'violation: UTF-8 text message payload ended within Unicode code point']);
    // When the rest of the frame comes in a later read, Autobahn checks it again, sooner.
    assert.deepEqual(readAfterFailure(octets, { readSize: 1 }), ['violation: encountered invalid UTF-8 while processing text message']);
  });

  test('the bad text in the first fragment: more text of that message is a second violation', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: Buffer.from([0xc0, 0x80]), fin: false }), frame({ opcode: 0, payload: 'more' })]);
    assert.deepEqual(readAfterFailure(octets), ['frame 1 len=2 c080', 'violation: encountered invalid UTF-8 while processing text message']);
  });

  test('text that ends inside a character is found at the message end (one violation); the close after it is the reply', () => {
    const seen = sameForEveryReadSize(Buffer.concat([frame({ opcode: 1, payload: Buffer.from([0x41, 0xce]) }), frame({ opcode: 8, payload: close(1000) })]));
    assert.deepEqual(seen, ['frame 8 len=2 03e8', 'close 1000 null']);
  });

  test('the peer\'s own close with a code Autobahn refuses is still the reply (its code recorded); 1012 is one of them', () => {
    assert.deepEqual(sameForEveryReadSize(frame({ opcode: 8, payload: close(1004) })), ['close 1004 null']);
    // 1012-1014 pass our engine, and fail Autobahn's check when they come after a fault.
    assert.deepEqual(readAfterFailure(Buffer.concat([frame({ opcode: 1, payload: 'x', rsv: 4 }), frame({ opcode: 8, payload: close(1012) })])), ['frame 1 len=1 rsv=4 78', 'frame 8 len=2 03f4', 'violation: invalid close code 1012']);
  });

  test('a close of one octet is a fault, and the reply all the same (no code)', () => {
    // The engine fails it at its header, so the frame is the reader's to log, as a header fault's is.
    assert.deepEqual(sameForEveryReadSize(frame({ opcode: 8, payload: 'a' })), ['frame 8 len=1 61', 'close null null']);
  });

  test('a close reason that is not UTF-8 drops TCP (Autobahn\'s decode raises)', () => {
    assert.deepEqual(readAfterFailure(frame({ opcode: 8, payload: Buffer.concat([close(1000), Buffer.from([0xff])]) })), ['violation: invalid close reason (non-UTF-8 payload)']);
  });

  test('a pong after the fault is still recorded; a ping is not answered', () => {
    const seen = sameForEveryReadSize(Buffer.concat([frame({ opcode: 2, payload: 'b', rsv: 1 }), frame({ opcode: 9, payload: 'ping' }), frame({ opcode: 10, payload: 'pong' }), frame({ opcode: 8, payload: close(1000) })]));
    assert.deepEqual(seen, ['frame 2 len=1 rsv=1 62', 'frame 9 len=4 70696e67', 'frame 10 len=4 706f6e67', 'pong pong', 'frame 8 len=2 03e8', 'close 1000 null']);
  });

  test('a length not in its minimal form fails, and a second one after it drops TCP', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: 'a', long: true }), frame({ opcode: 2, payload: 'b', long: true })]);
    assert.deepEqual(sameForEveryReadSize(octets), ['frame 1 len=1 61', 'violation: invalid data frame length (not using minimal length encoding)']);
    // A control frame in the 16-bit form breaks Autobahn's "at most 125" check first.
    const closeAfter = Buffer.concat([frame({ opcode: 1, payload: 'a', long: true }), frame({ opcode: 8, payload: close(1000), long: true })]);
    assert.deepEqual(readAfterFailure(closeAfter), ['frame 1 len=1 61', 'violation: control frame with payload length > 125 octets']);
  });

  test('a header fault in a later fragment of a text message: a character begun in the fragment before is not held against it', () => {
    const kappa = Buffer.from('κ');
    const octets = Buffer.concat([
      frame({ opcode: 1, payload: Buffer.concat([Buffer.from('a'), kappa.subarray(0, 1)]), fin: false }),
      frame({ opcode: 0, payload: Buffer.concat([kappa.subarray(1), Buffer.from('b')]), rsv: 2 }),
      frame({ opcode: 8, payload: close(1000) }),
    ]);
    assert.deepEqual(readAfterFailure(octets), ['frame 0 len=2 rsv=2 ba62', 'frame 8 len=2 03e8', 'close 1000 null']);
  });

  test('as a server: an unmasked client frame, then a masked close: the reply', () => {
    const seen = sameForEveryReadSize(Buffer.concat([frame({ opcode: 1, payload: 'hi' }), frame({ opcode: 8, payload: close(1000, 'bye'), mask: MASK })]), 'server');
    assert.deepEqual(seen, ['frame 1 len=2 6869', 'frame 8 len=5 masked 03e8627965', 'close 1000 bye']);
  });

  test('as a client, Autobahn reads on after the reply until the server drops TCP; as a server it has dropped it', () => {
    const octets = (mask?: number[]) => Buffer.concat([frame({ opcode: 1, payload: 'x', rsv: 1, mask }), frame({ opcode: 8, mask }), frame({ opcode: 10, payload: 'late', mask }), frame({ opcode: 3, mask })]);
    assert.deepEqual(sameForEveryReadSize(octets()), ['frame 1 len=1 rsv=1 78', 'frame 8 len=0', 'close null null', 'frame 10 len=4 6c617465', 'pong late', 'violation: data frame using reserved opcode 3']);
    assert.deepEqual(readAfterFailure(octets(MASK), { role: 'server' }), ['frame 1 len=1 rsv=1 masked 78', 'frame 8 len=0 masked', 'close null null']);
  });

  test('a fault in a control frame between the fragments of a text message: the rest of its text is still checked', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: 'a', fin: false }), frame({ opcode: 9, payload: 'p', rsv: 4 }), frame({ opcode: 0, payload: Buffer.from([0xff]) }), frame({ opcode: 8, payload: close(1000) })]);
    assert.deepEqual(sameForEveryReadSize(octets), ['frame 9 len=1 rsv=4 70', 'violation: encountered invalid UTF-8 while processing text message']);
  });

  test('a character left unfinished by the delivered fragments must be finished by the first octets after the fault', () => {
    const octets = Buffer.concat([frame({ opcode: 1, payload: Buffer.from([0x61, 0xe2]), fin: false }), frame({ opcode: 0, payload: Buffer.from([0x41]), rsv: 2 }), frame({ opcode: 8, payload: close(1000) })]);
    assert.deepEqual(sameForEveryReadSize(octets), ['violation: encountered invalid UTF-8 while processing text message']);
  });
});
