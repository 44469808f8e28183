import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { Connection, Opcode, PerMessageDeflate, UsageError, type Role } from '../../src/engine';
import {
  chunkings,
  closeCodeOf,
  connection,
  deflateFor,
  fixedMasks,
  hex,
  join,
  nodeDeflateCodec,
  noDeflateParams,
  observe,
  peerFrame,
  peerOf,
  prng,
  randomBytes,
  sentFrames,
  toHex,
  utf8,
  type Observed,
} from './helpers';

const roles: Role[] = ['client', 'server'];

/** Feeds `wire` to a fresh connection in every chunking; all must agree. Returns events and frames sent. */
function receiveAll(role: Role, wire: Uint8Array, make: () => Connection = () => connection(role)): { events: Observed[]; sent: ReturnType<typeof sentFrames>; conn: Connection } {
  let reference: { events: Observed[]; sent: ReturnType<typeof sentFrames>; conn: Connection } | null = null;
  for (const chunking of chunkings(wire.length)) {
    const conn = make();
    for (const piece of chunking.split(wire)) conn.receiveData(piece);
    const result = { events: conn.events().map(observe), sent: sentFrames(role, conn.dataToSend()), conn };
    if (reference === null) reference = result;
    else {
      assert.deepEqual(result.events, reference.events, `events, ${chunking.name}`);
      assert.deepEqual(result.sent, reference.sent, `bytes sent, ${chunking.name}`);
    }
  }
  return reference!;
}

const message = (text: string, binary = false): Observed => ({ type: 'message', binary, data: toHex(utf8(text)) });
const failed = (closeCode: number, code: string): Observed => ({ type: 'failed', closeCode, code });

describe('RFC 6455 §5.7 examples through a Connection', () => {
  test('client receives the unmasked "Hello" frame', () => {
    assert.deepEqual(receiveAll('client', hex('810548656c6c6f')).events, [message('Hello')]);
  });

  test('server receives the masked "Hello" frame', () => {
    assert.deepEqual(receiveAll('server', hex('818537fa213d7f9f4d5158')).events, [message('Hello')]);
  });

  test('client receives "Hel" + "lo" as one message', () => {
    assert.deepEqual(receiveAll('client', hex('010348656c 80026c6f')).events, [message('Hello')]);
  });

  test('client receives 256 and 65,536 bytes of binary (16- and 64-bit lengths)', () => {
    for (const [header, length] of [['827e0100', 256], ['827f0000000000010000', 65536]] as const) {
      const payload = randomBytes(prng(length), length);
      const conn = connection('client');
      conn.receiveData(join([hex(header), payload]));
      assert.deepEqual(conn.events().map(observe), [{ type: 'message', binary: true, data: toHex(payload) }]);
    }
  });

  test('client sends "Hello" masked with 37 fa 21 3d, server sends it unmasked', () => {
    const client = connection('client', { maskKey: fixedMasks('37fa213d') });
    client.sendText('Hello');
    assert.equal(toHex(client.dataToSend()), '818537fa213d7f9f4d5158');
    const server = connection('server');
    server.sendText('Hello');
    assert.equal(toHex(server.dataToSend()), '810548656c6c6f');
  });

  test('ping "Hello" unmasked (server) and masked (client)', () => {
    const server = connection('server');
    server.sendPing(utf8('Hello'));
    assert.equal(toHex(server.dataToSend()), '890548656c6c6f');
    const client = connection('client', { maskKey: fixedMasks('37fa213d') });
    client.sendPong(utf8('Hello'));
    assert.equal(toHex(client.dataToSend()), '8a8537fa213d7f9f4d5158');
  });

  test('a client draws a fresh mask per frame from its mask source', () => {
    const client = connection('client', { maskKey: fixedMasks('01020304', 'a0b0c0d0') });
    client.sendBinary(hex('00'));
    client.sendBinary(hex('00'));
    assert.equal(toHex(client.dataToSend()), '82810102030401' + '8281a0b0c0d0a0');
  });

  test('the default mask source gives random, different masks', () => {
    const client = new Connection({ role: 'client' });
    const masks = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      client.sendBinary(new Uint8Array(0));
      masks.add(toHex(client.dataToSend()).slice(4, 12));
    }
    assert.ok(masks.size > 2990, `masks repeat too often: ${masks.size} distinct of 3000`);
  });
});

describe('Large messages (default limits fit Autobahn\'s 16 MiB cases)', () => {
  test('a 16 MiB masked binary message in 256 fragments, fed in 64 KiB chunks', () => {
    const payload = randomBytes(prng(16), 16 * 1024 * 1024);
    const frames: Uint8Array[] = [];
    const size = 65536;
    for (let offset = 0, i = 0; offset < payload.length; offset += size, i++) {
      const last = offset + size >= payload.length;
      frames.push(peerFrame('client', i === 0 ? Opcode.Binary : Opcode.Continuation, payload.subarray(offset, offset + size), { fin: last, mask: '0a0b0c0d' }));
    }
    const wire = join(frames);
    const conn = connection('server');
    for (let offset = 0; offset < wire.length; offset += 65536) conn.receiveData(wire.subarray(offset, offset + 65536));
    const events = conn.events();
    assert.equal(events.length, 1);
    assert.ok(events[0].type === 'message' && events[0].binary && Buffer.from(events[0].data).equals(Buffer.from(payload)));
  });

  test('a 16 MiB text message validated across 1,000 uneven chunks', () => {
    const text = 'aé€𝄞'.repeat(1024 * 1024 + 1).slice(0, 16 * 1024 * 1024 / 2);
    const data = utf8(text);
    const wire = join([hex('817f'), hex(data.length.toString(16).padStart(16, '0')), data]);
    const conn = connection('client');
    const step = Math.ceil(wire.length / 1000) + 3;
    for (let offset = 0; offset < wire.length; offset += step) conn.receiveData(wire.slice(offset, offset + step));
    const events = conn.events();
    assert.equal(events.length, 1);
    assert.ok(events[0].type === 'message' && !events[0].binary && events[0].data.length === data.length);
  });
});

describe('RFC 6455 §5.4 fragmentation', () => {
  test('pings between fragments are answered and the message still assembles (client)', () => {
    const wire = hex('010148 890161 00016c 8a0162 890163 80026c6f');
    const { events, sent } = receiveAll('client', wire);
    assert.deepEqual(events, [
      { type: 'ping', data: '61' },
      { type: 'pong', data: '62' },
      { type: 'ping', data: '63' },
      message('Hllo'),
    ]);
    assert.deepEqual(sent, [
      { opcode: Opcode.Pong, fin: true, rsv: 0, payload: '61' },
      { opcode: Opcode.Pong, fin: true, rsv: 0, payload: '63' },
    ]);
  });

  test('pings between fragments (server, masked, different keys per frame)', () => {
    const wire = join([
      peerFrame('client', Opcode.Binary, hex('0102'), { fin: false, mask: '11223344' }),
      peerFrame('client', Opcode.Ping, 'p', { mask: '55667788' }),
      peerFrame('client', Opcode.Continuation, hex('0304'), { fin: false, mask: 'deadbeef' }),
      peerFrame('client', Opcode.Continuation, new Uint8Array(0), { mask: '00000001' }),
    ]);
    const { events, sent } = receiveAll('server', wire);
    assert.deepEqual(events, [{ type: 'ping', data: '70' }, { type: 'message', binary: true, data: '01020304' }]);
    assert.equal(toHex(join(sent.map((f) => hex(f.payload)))), '70');
  });

  test('empty fragments and an empty message', () => {
    assert.deepEqual(receiveAll('client', hex('0100 0000 8000 8100 8200')).events, [message(''), message(''), { type: 'message', binary: true, data: '' }]);
  });

  test('text split inside a multi-byte character across fragments is valid', () => {
    // "€" = e2 82 ac split over three frames.
    assert.deepEqual(receiveAll('client', hex('0101e2 000182 8001ac')).events, [message('€')]);
  });
});

/** A fault scenario: what a peer sends, and the fault it must produce. */
interface Fault {
  name: string;
  role: Role;
  wire: string | Uint8Array;
  closeCode: number;
  code: string;
  /** Events expected before the failure. */
  before?: Observed[];
  make?: () => Connection;
}

const faults: Fault[] = [];
for (const role of roles) {
  const peer = peerOf(role);
  const f = (opcode: number, payload: string | Uint8Array, opts: { fin?: boolean; rsv?: number } = {}) => peerFrame(peer, opcode, typeof payload === 'string' ? hex(payload) : payload, opts);
  for (const opcode of [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]) {
    faults.push({ name: `reserved opcode ${opcode}`, role, wire: f(opcode, '41'), closeCode: 1002, code: 'WSW_ERR_RESERVED_OPCODE' });
  }
  for (const rsv of [4, 2, 1]) faults.push({ name: `RSV ${rsv} without an extension`, role, wire: f(Opcode.Text, '41', { rsv }), closeCode: 1002, code: 'WSW_ERR_RESERVED_RSV' });
  faults.push({ name: 'RSV1 on a ping with deflate negotiated', role, wire: f(Opcode.Ping, '41', { rsv: 4 }), closeCode: 1002, code: 'WSW_ERR_RESERVED_RSV', make: () => connection(role, { deflate: deflateFor(role) }) });
  faults.push({ name: 'RSV1 on a close with deflate negotiated', role, wire: f(Opcode.Close, '03e8', { rsv: 4 }), closeCode: 1002, code: 'WSW_ERR_RESERVED_RSV', make: () => connection(role, { deflate: deflateFor(role) }) });
  faults.push({
    name: 'RSV1 on a continuation frame with deflate negotiated',
    role,
    wire: join([f(Opcode.Text, 'f248cd', { fin: false, rsv: 4 }), f(Opcode.Continuation, 'c9c90700', { rsv: 4 })]),
    closeCode: 1002,
    code: 'WSW_ERR_RESERVED_RSV',
    make: () => connection(role, { deflate: deflateFor(role) }),
  });
  faults.push({ name: 'RSV2 with deflate negotiated', role, wire: f(Opcode.Text, '41', { rsv: 2 }), closeCode: 1002, code: 'WSW_ERR_RESERVED_RSV', make: () => connection(role, { deflate: deflateFor(role) }) });
  faults.push({ name: 'ping of 126 bytes', role, wire: f(Opcode.Ping, new Uint8Array(126)), closeCode: 1002, code: 'WSW_ERR_CONTROL_FRAME_TOO_LONG' });
  faults.push({ name: 'fragmented ping', role, wire: f(Opcode.Ping, '41', { fin: false }), closeCode: 1002, code: 'WSW_ERR_CONTROL_FRAME_FRAGMENTED' });
  faults.push({ name: '64-bit length with the top bit set', role, wire: role === 'client' ? hex('827f8000000000000000') : hex('82ff800000000000000001020304'), closeCode: 1002, code: 'WSW_ERR_LENGTH_TOP_BIT' });
  faults.push({ name: 'continuation without a start', role, wire: f(Opcode.Continuation, '41'), closeCode: 1002, code: 'WSW_ERR_UNEXPECTED_CONTINUATION' });
  faults.push({ name: 'continuation after a finished message', role, wire: join([f(Opcode.Text, '41'), f(Opcode.Continuation, '42')]), closeCode: 1002, code: 'WSW_ERR_UNEXPECTED_CONTINUATION', before: [message('A')] });
  faults.push({ name: 'new text frame inside a fragmented message', role, wire: join([f(Opcode.Text, '41', { fin: false }), f(Opcode.Text, '42')]), closeCode: 1002, code: 'WSW_ERR_EXPECTED_CONTINUATION' });
  faults.push({ name: 'new binary frame inside a fragmented message', role, wire: join([f(Opcode.Binary, '41', { fin: false }), f(Opcode.Binary, '42', { fin: false })]), closeCode: 1002, code: 'WSW_ERR_EXPECTED_CONTINUATION' });
  faults.push({ name: 'frame over maxFrameSize', role, wire: f(Opcode.Binary, new Uint8Array(11)), closeCode: 1009, code: 'WSW_ERR_FRAME_TOO_BIG', make: () => connection(role, { limits: { maxFrameSize: 10 } }) });
  faults.push({ name: 'single-frame message over maxMessageSize', role, wire: f(Opcode.Binary, new Uint8Array(11)), closeCode: 1009, code: 'WSW_ERR_MESSAGE_TOO_BIG', make: () => connection(role, { limits: { maxMessageSize: 10 } }) });
  faults.push({
    name: 'fragmented message over maxMessageSize',
    role,
    wire: join([f(Opcode.Binary, new Uint8Array(6), { fin: false }), f(Opcode.Continuation, new Uint8Array(5))]),
    closeCode: 1009,
    code: 'WSW_ERR_MESSAGE_TOO_BIG',
    make: () => connection(role, { limits: { maxMessageSize: 10 } }),
  });
  faults.push({
    name: 'too many fragments',
    role,
    wire: join([f(Opcode.Text, '41', { fin: false }), f(Opcode.Continuation, '42', { fin: false }), f(Opcode.Continuation, '43', { fin: false }), f(Opcode.Continuation, '44')]),
    closeCode: 1009,
    code: 'WSW_ERR_TOO_MANY_FRAGMENTS',
    make: () => connection(role, { limits: { maxFragments: 3 } }),
  });
  faults.push({ name: 'invalid UTF-8 in a text frame', role, wire: f(Opcode.Text, 'cebae1bdb9cf83cebcceb5eda080656469746564'), closeCode: 1007, code: 'WSW_ERR_INVALID_UTF8' });
  faults.push({ name: 'text message ending inside a character', role, wire: f(Opcode.Text, '41e282'), closeCode: 1007, code: 'WSW_ERR_INVALID_UTF8' });
  faults.push({ name: 'fragmented text ending inside a character', role, wire: join([f(Opcode.Text, '41e2', { fin: false }), f(Opcode.Continuation, '82')]), closeCode: 1007, code: 'WSW_ERR_INVALID_UTF8' });
  faults.push({ name: 'close with a 1-byte payload', role, wire: f(Opcode.Close, '03'), closeCode: 1002, code: 'WSW_ERR_INVALID_CLOSE_PAYLOAD' });
  for (const closeCode of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
    faults.push({ name: `close with code ${closeCode}`, role, wire: f(Opcode.Close, closeCode.toString(16).padStart(4, '0')), closeCode: 1002, code: 'WSW_ERR_INVALID_CLOSE_CODE' });
  }
  faults.push({ name: 'close reason with invalid UTF-8', role, wire: f(Opcode.Close, '03e8 cebae1bdb9cf83cebcceb5eda080'), closeCode: 1007, code: 'WSW_ERR_INVALID_UTF8' });
}
faults.push({ name: 'unmasked frame from a client', role: 'server', wire: hex('810548656c6c6f'), closeCode: 1002, code: 'WSW_ERR_MASK_REQUIRED' });
faults.push({ name: 'masked frame from a server', role: 'client', wire: hex('818537fa213d7f9f4d5158'), closeCode: 1002, code: 'WSW_ERR_MASK_FORBIDDEN' });

describe('RFC 6455 §7.1.7 failing the connection on peer faults', () => {
  for (const fault of faults) {
    test(`${fault.role}: ${fault.name} → ${fault.closeCode} ${fault.code}`, () => {
      const wire = typeof fault.wire === 'string' ? hex(fault.wire) : fault.wire;
      // Something valid after the fault must be ignored.
      const after = peerFrame(peerOf(fault.role), Opcode.Text, 'late');
      const make = fault.make ?? (() => connection(fault.role));
      const { events, sent, conn } = receiveAll(fault.role, join([wire, after]), make);
      assert.deepEqual(events, [...(fault.before ?? []), failed(fault.closeCode, fault.code)]);
      // Exactly one frame went out: a close with the fault's code and a reason.
      assert.equal(sent.length, 1);
      assert.equal(sent[0].opcode, Opcode.Close);
      assert.equal(closeCodeOf(sent[0].payload), fault.closeCode);
      assert.ok(sent[0].payload.length > 4, 'a reason explains the fault');
      assert.equal(conn.state, 'closing');
      // §7.1.1: a server closes TCP at once; a client waits for the server to do so.
      assert.equal(conn.transportCloseRequested, fault.role === 'server');
      assert.equal(conn.closeExpected(), true);
      // Later input is ignored, even a valid close; sends are refused.
      conn.receiveData(peerFrame(peerOf(fault.role), Opcode.Close, hex('03e8')));
      conn.receiveData(peerFrame(peerOf(fault.role), Opcode.Ping, 'x'));
      assert.deepEqual(conn.events(), []);
      assert.deepEqual(conn.dataToSend(), []);
      assert.throws(() => conn.sendText('x'), UsageError);
      assert.throws(() => conn.sendPing(), UsageError);
      conn.receiveEof();
      const [closed] = conn.events();
      assert.equal(closed.type, 'closed');
      assert.equal(closed.type === 'closed' && closed.wasClean, false);
      assert.equal(closed.type === 'closed' && closed.code, 1006);
      assert.equal(closed.type === 'closed' && closed.failure?.code, fault.code);
      assert.equal(closed.type === 'closed' && closed.sent?.code, fault.closeCode);
    });
  }

  test('the fault is reported in the same receiveData call as the bad byte (frame header)', () => {
    const conn = connection('server');
    conn.receiveData(hex('83'));
    assert.deepEqual(conn.events(), []);
    conn.receiveData(hex('81'));
    assert.deepEqual(conn.events().map(observe), [failed(1002, 'WSW_ERR_RESERVED_OPCODE')]);
  });

  test('a fault found in a frame names that frame (its header as far as read); a message-level fault names none', () => {
    const frameOf = (role: Role, wire: string, options = {}) => {
      const conn = connection(role, options);
      conn.receiveData(hex(wire));
      const failure = conn.events().find((e) => e.type === 'failed');
      assert.ok(failure && failure.type === 'failed', wire);
      return failure.error.frame ?? null;
    };
    // In the first two octets (the parser): reserved opcode, then a 64-bit length with its top bit.
    assert.deepEqual(frameOf('client', '830141'), { opcode: 3, fin: true, rsv: 0, masked: false, length: 1 });
    assert.deepEqual(frameOf('client', '027f8000000000000000'), { opcode: 2, fin: false, rsv: 0, masked: false, length: null });
    // In the header as the connection checks it: RSV1 on a continuation frame.
    assert.deepEqual(frameOf('client', '0101 41 c00142', { deflate: deflateFor('client', noDeflateParams) }), { opcode: 0, fin: true, rsv: 4, masked: false, length: 1 });
    // In the payload, mid-frame: invalid UTF-8 in a text frame of 3.
    assert.deepEqual(frameOf('client', '8103 61ff62'), { opcode: 1, fin: true, rsv: 0, masked: false, length: 3 });
    // After the message's last frame (shown by then): a compressed payload that does not inflate.
    assert.equal(frameOf('client', 'c101ff', { deflate: deflateFor('client', noDeflateParams) }), null);
  });

  test('messages before the fault in the same chunk are delivered first', () => {
    const { events } = receiveAll('client', hex('810141 810142 830143'));
    assert.deepEqual(events, [message('A'), message('B'), failed(1002, 'WSW_ERR_RESERVED_OPCODE')]);
  });

  test('limits: exactly maxFrameSize, maxMessageSize and maxFragments are accepted', () => {
    const conn = connection('client', { limits: { maxFrameSize: 4, maxMessageSize: 8, maxFragments: 2 } });
    conn.receiveData(hex('02040102030480040506 0708'));
    assert.deepEqual(conn.events().map(observe), [{ type: 'message', binary: true, data: '0102030405060708' }]);
  });

  test('a fault while our own close is unanswered: reported once, no second close frame', () => {
    const conn = connection('client');
    conn.sendClose(1000);
    conn.dataToSend();
    conn.receiveData(hex('830141'));
    assert.deepEqual(conn.events().map(observe), [failed(1002, 'WSW_ERR_RESERVED_OPCODE')]);
    assert.deepEqual(conn.dataToSend(), []);
  });
});

describe('Autobahn 6.4.x: invalid UTF-8 fails fast, in the middle of a frame', () => {
  // "κόσμε" (11 bytes) then f4 90 80 80 (above U+10FFFF) then "edited".
  const payload = hex('cebae1bdb9cf83cebcceb5 f4908080 656469746564');
  for (const role of roles) {
    test(`${role}: single frame fed in pieces; failed right after the piece with the bad byte`, () => {
      const wire = peerFrame(peerOf(role), Opcode.Text, payload);
      const header = wire.length - payload.length;
      const conn = connection(role);
      // Piece 1: header and the valid 11 bytes. Piece 2: f4. Piece 3: 90 (now impossible). Piece 4: the rest.
      const cuts = [header + 11, header + 12, header + 13];
      const pieces = [wire.slice(0, cuts[0]), wire.slice(cuts[0], cuts[1]), wire.slice(cuts[1], cuts[2]), wire.slice(cuts[2])];
      const after: Observed[][] = [];
      for (const piece of pieces) {
        conn.receiveData(piece);
        after.push(conn.events().map(observe));
      }
      assert.deepEqual(after, [[], [], [failed(1007, 'WSW_ERR_INVALID_UTF8')], []]);
      assert.equal(closeCodeOf(sentFrames(role, conn.dataToSend())[0].payload), 1007);
    });
  }

  test('6.4.1: fragment 1 valid, fragment 2 invalid: failed before the message could end', () => {
    const conn = connection('client');
    conn.receiveData(hex('010b cebae1bdb9cf83cebcceb5'));
    assert.deepEqual(conn.events(), []);
    conn.receiveData(hex('0004 f4908080'));
    assert.deepEqual(conn.events().map(observe), [failed(1007, 'WSW_ERR_INVALID_UTF8')]);
  });

  test('6.4.2: the bad byte arrives in the first byte of a fragment\'s payload', () => {
    const conn = connection('client');
    conn.receiveData(hex('010c cebae1bdb9cf83cebcceb5f4'));
    assert.deepEqual(conn.events(), []);
    conn.receiveData(hex('0003 90'));
    assert.deepEqual(conn.events().map(observe), [failed(1007, 'WSW_ERR_INVALID_UTF8')]);
  });

  test('binary messages are not validated', () => {
    assert.deepEqual(receiveAll('client', hex('8204 f4908080')).events, [{ type: 'message', binary: true, data: 'f4908080' }]);
  });
});

/** Wires a client and a server together; `pump` moves bytes until neither has anything to send. */
function pair(options: { client?: Parameters<typeof connection>[1]; server?: Parameters<typeof connection>[1] } = {}) {
  const client = connection('client', options.client);
  const server = connection('server', options.server);
  const pump = () => {
    for (;;) {
      const c = client.dataToSend();
      const s = server.dataToSend();
      if (c.length === 0 && s.length === 0) return;
      if (c.length) server.receiveData(join(c));
      if (s.length) client.receiveData(join(s));
    }
  };
  return { client, server, pump };
}

describe('RFC 6455 §7 closing handshake', () => {
  test('client-initiated: the server echoes code and reason, closes TCP; both clean', () => {
    const { client, server, pump } = pair();
    client.sendClose(4000, 'done');
    assert.equal(client.state, 'closing');
    assert.equal(client.closeExpected(), true);
    assert.equal(client.transportCloseRequested, false);
    pump();
    assert.deepEqual(server.events().map(observe), [{ type: 'close-received', code: 4000, reason: 'done' }]);
    assert.equal(server.transportCloseRequested, true);
    assert.equal(server.closeExpected(), false);
    assert.deepEqual(client.events().map(observe), [{ type: 'close-received', code: 4000, reason: 'done' }]);
    // The client waits for the server's TCP close.
    assert.equal(client.closeExpected(), true);
    assert.equal(client.transportCloseRequested, false);
    server.receiveEof();
    client.receiveEof();
    assert.deepEqual(server.events().map(observe), [{ type: 'closed', wasClean: true, code: 4000, reason: 'done', receivedThenSent: true }]);
    assert.deepEqual(client.events().map(observe), [{ type: 'closed', wasClean: true, code: 4000, reason: 'done', receivedThenSent: false }]);
    assert.equal(client.closeExpected(), false);
    assert.equal(client.state, 'closed');
  });

  test('server-initiated: the client echoes, the server closes TCP after the echo', () => {
    const { client, server, pump } = pair();
    server.sendClose(1001, 'bye');
    assert.equal(server.closeExpected(), true);
    assert.equal(server.transportCloseRequested, false);
    pump();
    assert.deepEqual(client.events().map(observe), [{ type: 'close-received', code: 1001, reason: 'bye' }]);
    assert.equal(client.closeExpected(), true);
    assert.equal(client.transportCloseRequested, false);
    assert.deepEqual(server.events().map(observe), [{ type: 'close-received', code: 1001, reason: 'bye' }]);
    assert.equal(server.transportCloseRequested, true);
    assert.equal(server.closeExpected(), false);
    server.receiveEof();
    client.receiveEof();
    const s = server.events().map(observe);
    const c = client.events().map(observe);
    assert.deepEqual(s, [{ type: 'closed', wasClean: true, code: 1001, reason: 'bye', receivedThenSent: false }]);
    assert.deepEqual(c, [{ type: 'closed', wasClean: true, code: 1001, reason: 'bye', receivedThenSent: true }]);
  });

  test('the echo carries the peer\'s code and reason, exact bytes', () => {
    const server = connection('server');
    server.receiveData(peerFrame('client', Opcode.Close, hex('0bb8 6869')));
    assert.equal(toHex(server.dataToSend()), '88040bb86869');
    const client = connection('client', { maskKey: fixedMasks('01020304') });
    client.receiveData(hex('8802 0fa0'));
    assert.equal(toHex(client.dataToSend()), '8882010203040ea2');
  });

  test('an empty close is answered with an empty close and reported as 1005', () => {
    const server = connection('server');
    server.receiveData(peerFrame('client', Opcode.Close, new Uint8Array(0)));
    assert.equal(toHex(server.dataToSend()), '8800');
    server.receiveEof();
    assert.deepEqual(server.events().map(observe), [
      { type: 'close-received', code: null, reason: '' },
      { type: 'closed', wasClean: true, code: 1005, reason: '', receivedThenSent: true },
    ]);
  });

  test('sendClose(null) sends an empty close', () => {
    const server = connection('server');
    server.sendClose(null);
    assert.equal(toHex(server.dataToSend()), '8800');
  });

  test('EOF without any close: 1006, not clean', () => {
    for (const role of roles) {
      const conn = connection(role);
      conn.receiveEof();
      assert.deepEqual(conn.events().map(observe), [{ type: 'closed', wasClean: false, code: 1006, reason: '', receivedThenSent: null }]);
      assert.equal(conn.state, 'closed');
      assert.equal(conn.closeExpected(), false);
    }
  });

  test('EOF after our close but before the answer: 1006, not clean', () => {
    const conn = connection('client');
    conn.sendClose(1000);
    conn.receiveEof();
    assert.deepEqual(conn.events().map(observe), [{ type: 'closed', wasClean: false, code: 1006, reason: '', receivedThenSent: false }]);
  });

  test('data keeps flowing in from the peer after we sent close, until its close', () => {
    const conn = connection('client');
    conn.sendClose(1000);
    conn.dataToSend();
    conn.receiveData(hex('810141 8a00 880203e8'));
    assert.deepEqual(conn.events().map(observe), [message('A'), { type: 'pong', data: '' }, { type: 'close-received', code: 1000, reason: '' }]);
    assert.deepEqual(conn.dataToSend(), []);
  });

  test('nothing after a close frame is processed, whatever the chunking (§5.5.1)', () => {
    // A close, then a message, a ping and a protocol error in the same bytes.
    const { events, sent } = receiveAll('client', hex('880203e8 810141 890178 830141'));
    assert.deepEqual(events, [{ type: 'close-received', code: 1000, reason: '' }]);
    assert.deepEqual(sent, [{ opcode: Opcode.Close, fin: true, rsv: 0, payload: '03e8' }]);
  });

  test('sendClose twice, data after close, invalid codes: UsageErrors', () => {
    const conn = connection('server');
    for (const code of [1005, 1006, 1015, 999, 1004, 2000, 5000]) {
      assert.throws(() => conn.sendClose(code), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_CODE', String(code));
    }
    assert.equal(conn.state, 'open');
    assert.deepEqual(conn.dataToSend(), []);
    conn.sendClose(1000);
    assert.throws(() => conn.sendClose(1000), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_SENT');
    assert.throws(() => conn.sendText('x'), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_NOT_OPEN');
    assert.throws(() => conn.sendBinary(hex('00')), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_NOT_OPEN');
    assert.throws(() => conn.sendPing(), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_SENT');
    assert.throws(() => conn.sendPong(), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_SENT');
    conn.receiveEof();
    assert.throws(() => conn.sendClose(1000), UsageError);
    assert.throws(() => conn.sendRaw(hex('00')), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSED');
  });

  test('after receiving a close (and echoing it) nothing more may be sent', () => {
    const conn = connection('client');
    conn.receiveData(hex('880203e8'));
    assert.throws(() => conn.sendClose(1000), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_SENT');
    assert.throws(() => conn.sendText('x'), UsageError);
  });

  test('fail(): our own failure sends the code, is not a peer failure', () => {
    const conn = connection('server');
    conn.fail(1008, 'policy');
    assert.deepEqual(conn.events().map(observe), [failed(1008, 'WSW_ERR_INTERNAL')]);
    assert.deepEqual(sentFrames('server', conn.dataToSend()), [{ opcode: Opcode.Close, fin: true, rsv: 0, payload: '03f0' + toHex(utf8('policy')) }]);
    assert.equal(conn.transportCloseRequested, true);
    conn.receiveEof();
    const [closed] = conn.events();
    assert.ok(closed.type === 'closed' && closed.failure === null && closed.code === 1006 && !closed.wasClean);
  });

  test('fail() with a code that may not be sent is a UsageError and changes nothing', () => {
    const conn = connection('server');
    for (const code of [1005, 1006, 1015, 999]) {
      assert.throws(() => conn.fail(code), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_CODE', String(code));
    }
    assert.deepEqual(conn.events(), []);
    assert.deepEqual(conn.dataToSend(), []);
    assert.equal(conn.state, 'open');
    conn.sendText('still open');
    assert.equal(conn.dataToSend().length, 2);
  });

  test('a close in the middle of a fragmented message ends it: the partial message is dropped', () => {
    const { events, sent } = receiveAll('client', hex('010148 8803 03e8 41 80016c'));
    assert.deepEqual(events, [{ type: 'close-received', code: 1000, reason: 'A' }]);
    assert.deepEqual(sent, [{ opcode: Opcode.Close, fin: true, rsv: 0, payload: '03e841' }]);
  });

  test('a 123-byte reason is received whole and echoed whole (a 125-byte close frame)', () => {
    const reason = '€'.repeat(41);
    const server = connection('server');
    server.receiveData(peerFrame('client', Opcode.Close, join([hex('0bb8'), utf8(reason)])));
    assert.deepEqual(server.events().map(observe), [{ type: 'close-received', code: 3000, reason }]);
    assert.equal(toHex(server.dataToSend()), '887d0bb8' + toHex(utf8(reason)));
  });

  test('closeReply "normal": answer any close with 1000 and no reason (Autobahn\'s fuzzer)', () => {
    for (const payload of ['0fa0 6869', '', '03ea']) {
      const server = connection('server', { closeReply: 'normal' });
      server.receiveData(peerFrame('client', Opcode.Close, hex(payload)));
      assert.equal(toHex(server.dataToSend()), '880203e8', payload);
      server.receiveEof();
      const events = server.events();
      const closed = events[events.length - 1];
      assert.ok(closed.type === 'closed' && closed.sent?.code === 1000 && closed.receivedThenSent === true);
    }
  });

  test('sendRawClose: any payload up to 125 bytes, then the usual close state', () => {
    const client = connection('client', { maskKey: fixedMasks('00000000') });
    client.sendRawClose(hex('03e7 ff'));
    assert.equal(toHex(client.dataToSend()), '88830000000003e7ff');
    assert.equal(client.closeExpected(), true);
    assert.throws(() => client.sendRawClose(hex('03e8')), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CLOSE_SENT');
    assert.throws(() => client.sendClose(1000), UsageError);
    client.receiveData(hex('880203e8'));
    client.receiveEof();
    const events = client.events().map(observe);
    assert.deepEqual(events[events.length - 1], { type: 'closed', wasClean: true, code: 1000, reason: '', receivedThenSent: false });
    const server = connection('server');
    server.sendRawClose(hex('03'));
    assert.equal(toHex(server.dataToSend()), '880103');
    // Deliberately unchecked: a conformance case may send an oversized close (16-bit length).
    const oversized = connection('server');
    oversized.sendRawClose(join([hex('03e8'), new Uint8Array(124)]));
    assert.equal(toHex(oversized.dataToSend()[0]), '887e007e');
  });

  test('input after EOF is ignored', () => {
    const conn = connection('client');
    conn.receiveEof();
    conn.events();
    conn.receiveData(hex('810141'));
    conn.receiveEof();
    assert.deepEqual(conn.events(), []);
  });
});

describe('RFC 6455 §5.5.2-3 ping and pong', () => {
  test('auto-pong with the same payload, on by default (client masks, server does not)', () => {
    const client = connection('client', { maskKey: fixedMasks('37fa213d') });
    client.receiveData(hex('890548656c6c6f'));
    assert.deepEqual(client.events().map(observe), [{ type: 'ping', data: '48656c6c6f' }]);
    assert.equal(toHex(client.dataToSend()), '8a8537fa213d7f9f4d5158');
    const server = connection('server');
    server.receiveData(hex('898537fa213d7f9f4d5158'));
    assert.deepEqual(server.events().map(observe), [{ type: 'ping', data: '48656c6c6f' }]);
    assert.equal(toHex(server.dataToSend()), '8a0548656c6c6f');
  });

  test('125-byte and empty pings are echoed exactly', () => {
    const payload = randomBytes(prng(125), 125);
    const server = connection('server');
    server.receiveData(join([peerFrame('client', Opcode.Ping, payload), peerFrame('client', Opcode.Ping, new Uint8Array(0))]));
    assert.equal(toHex(server.dataToSend()), '8a7d' + toHex(payload) + '8a00');
  });

  test('autoPong=false: the ping is an event and nothing is sent', () => {
    const conn = connection('client', { autoPong: false });
    conn.receiveData(hex('890161'));
    assert.deepEqual(conn.events().map(observe), [{ type: 'ping', data: '61' }]);
    assert.deepEqual(conn.dataToSend(), []);
    conn.autoPong = true;
    conn.receiveData(hex('890162'));
    assert.equal(toHex(conn.dataToSend()), '8a810000000062');
  });

  test('holdPongs: while held every ping is an event but only the latest is answered, on release (§5.5.3)', () => {
    const server = connection('server');
    server.holdPongs(true);
    server.receiveData(join([1, 2, 3].map((n) => peerFrame('client', Opcode.Ping, Uint8Array.of(n)))));
    assert.deepEqual(server.events().map(observe), ['01', '02', '03'].map((data) => ({ type: 'ping', data })));
    assert.deepEqual(server.dataToSend(), [], 'nothing written while held');
    assert.equal(server.holdPongs(false), true);
    assert.equal(toHex(server.dataToSend()), '8a0103', 'one pong, for the latest ping');
    assert.equal(server.holdPongs(false), false, 'nothing more to release');
    // After a close, a held pong is dropped: nothing is sent after a close frame.
    server.holdPongs(true);
    server.receiveData(peerFrame('client', Opcode.Ping, Uint8Array.of(4)));
    server.sendClose(1000);
    server.dataToSend();
    assert.equal(server.holdPongs(false), false);
    assert.deepEqual(server.dataToSend(), []);
  });

  test('an unsolicited pong is an event, not an error', () => {
    assert.deepEqual(receiveAll('client', hex('8a03616263 810141')).events, [{ type: 'pong', data: '616263' }, message('A')]);
  });

  test('no pong once our close is sent (deliberate: only while open)', () => {
    const conn = connection('client');
    conn.sendClose(1000);
    conn.dataToSend();
    conn.receiveData(hex('890161'));
    assert.deepEqual(conn.events().map(observe), [{ type: 'ping', data: '61' }]);
    assert.deepEqual(conn.dataToSend(), []);
  });

  test('control payloads over 125 bytes are UsageErrors', () => {
    const conn = connection('server');
    assert.throws(() => conn.sendPing(new Uint8Array(126)), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CONTROL_PAYLOAD');
    assert.throws(() => conn.sendPong(new Uint8Array(126)), UsageError);
    conn.sendPing(new Uint8Array(125));
    assert.equal(toHex(conn.dataToSend()[0]), '897d');
  });
});

describe('Sending messages: fragments and pings between them', () => {
  const hello = utf8('Hello');
  const sent = (conn: Connection) => sentFrames(conn.role, conn.dataToSend());
  const fr = (opcode: number, fin: boolean, payload: string, rsv = 0) => ({ opcode, fin, rsv, payload });

  test('fragments [3]: "Hel" then the rest', () => {
    const conn = connection('server');
    conn.sendMessage(hello, { fragments: [3] });
    assert.equal(toHex(conn.dataToSend()), '010348656c' + '80026c6f');
  });

  test('fragments [1,1,1,1]: five frames, the last takes the rest', () => {
    const conn = connection('server');
    conn.sendMessage(hello, { fragments: [1, 1, 1, 1], binary: true });
    assert.deepEqual(sent(conn), [fr(2, false, '48'), fr(0, false, '65'), fr(0, false, '6c'), fr(0, false, '6c'), fr(0, true, '6f')]);
  });

  test('fragments [0, 5]: an empty first frame', () => {
    const conn = connection('server');
    conn.sendMessage(hello, { fragments: [0, 5] });
    assert.deepEqual(sent(conn), [fr(1, false, ''), fr(0, true, '48656c6c6f')]);
  });

  test('fragment sizes reaching the end stop there; extra sizes are ignored', () => {
    const conn = connection('server');
    conn.sendMessage(hello, { fragments: [2, 3, 4, 5] });
    assert.deepEqual(sent(conn), [fr(1, false, '4865'), fr(0, true, '6c6c6f')]);
    conn.sendMessage(hello, { fragments: [10] });
    assert.deepEqual(sent(conn), [fr(1, true, '48656c6c6f')]);
    conn.sendMessage(new Uint8Array(0), { fragments: [0, 0] });
    assert.deepEqual(sent(conn), [fr(1, true, '')]);
  });

  test('pingsAfter: pings between fragments, never after the last frame', () => {
    const conn = connection('client', { maskKey: fixedMasks('00000000') });
    conn.sendMessage(hello, { fragments: [2, 2], pingsAfter: new Map([[0, utf8('a')], [1, utf8('b')], [2, utf8('c')]]) });
    assert.deepEqual(sent(conn), [fr(1, false, '4865'), fr(9, true, '61'), fr(0, false, '6c6c'), fr(9, true, '62'), fr(0, true, '6f')]);
  });

  test('invalid fragment sizes and ping payloads are refused before anything is written', () => {
    const conn = connection('server');
    for (const fragments of [[-1], [1.5], [2, Number.NaN]]) {
      assert.throws(() => conn.sendMessage(hello, { fragments }), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_FRAGMENT_SIZE');
    }
    assert.throws(() => conn.sendMessage(hello, { fragments: [1, 1], pingsAfter: new Map([[1, new Uint8Array(126)]]) }), (e: unknown) => e instanceof UsageError && e.code === 'WSW_USAGE_CONTROL_PAYLOAD');
    assert.deepEqual(conn.dataToSend(), [], 'no partial message went out');
    conn.sendText('ok');
    assert.equal(toHex(conn.dataToSend()), '81026f6b');
  });

  test('compressed: RSV1 only on the first frame (RFC 7692 §6.1), control frames never', () => {
    const conn = connection('server', { deflate: deflateFor('server') });
    conn.sendMessage(hello, { fragments: [3], pingsAfter: new Map([[0, utf8('p')]]) });
    // RFC 7692 §7.2.3.1: "Hello" compressed is f2 48 cd c9 c9 07 00.
    assert.deepEqual(sent(conn), [fr(1, false, 'f248cd', 4), fr(9, true, '70'), fr(0, true, 'c9c90700')]);
  });

  test('compress: false, and the empty message compressed to a single 00 (RFC 7692 §7.2.3.6)', () => {
    const conn = connection('server', { deflate: deflateFor('server', { serverNoContextTakeover: true }) });
    conn.sendMessage(hello, { compress: false });
    conn.sendBinary(new Uint8Array(0));
    assert.deepEqual(sent(conn), [fr(1, true, '48656c6c6f'), fr(2, true, '00', 4)]);
  });

  test('a refused send does not advance the compression context', () => {
    const conn = connection('server', { deflate: deflateFor('server') });
    assert.throws(() => conn.sendMessage(hello, { fragments: [-1] }), UsageError);
    assert.throws(() => conn.sendMessage(hello, { fragments: [1], pingsAfter: new Map([[0, new Uint8Array(200)]]) }), UsageError);
    conn.sendText('Hello');
    // Still the first message: no back-reference into a "Hello" the peer never saw.
    assert.deepEqual(sent(conn), [fr(1, true, 'f248cdc9c90700', 4)]);
    conn.sendText('Hello');
    // RFC 7692 §7.2.3.2: the second "Hello" with context takeover.
    assert.deepEqual(sent(conn), [fr(1, true, 'f200110000', 4)]);
  });

  test('threshold: short messages go out uncompressed', () => {
    const deflate = new PerMessageDeflate(noDeflateParams, 'server', nodeDeflateCodec, { threshold: 6 });
    const conn = connection('server', { deflate });
    conn.sendText('Hello');
    conn.sendText('Hello!');
    assert.deepEqual(sent(conn).map((f) => f.rsv), [0, 4]);
  });

  test('frame events describe each frame in and out', () => {
    const conn = connection('client', { frameEvents: true, maskKey: fixedMasks('01020304') });
    conn.receiveData(hex('010148 890161 80016c'));
    conn.sendText('A');
    assert.deepEqual(conn.events().map(observe), [
      { type: 'frame-received', opcode: 1, fin: false, rsv: 0, payload: '48' },
      { type: 'frame-received', opcode: 9, fin: true, rsv: 0, payload: '61' },
      { type: 'ping', data: '61' },
      { type: 'frame-sent', opcode: 10, fin: true, rsv: 0, payload: '61' },
      { type: 'frame-received', opcode: 0, fin: true, rsv: 0, payload: '6c' },
      { type: 'message', binary: false, data: '486c' },
      { type: 'frame-sent', opcode: 1, fin: true, rsv: 0, payload: '41' },
    ]);
  });

  test('frame events keep each received frame\'s own masking key', () => {
    const conn = connection('server', { frameEvents: true });
    conn.receiveData(hex('018137fa213d7f 8081aabbccddc6'));
    const masks = conn.events().flatMap((e) => (e.type === 'frame-received' ? [Buffer.from(e.frame.mask!).toString('hex')] : []));
    assert.deepEqual(masks, ['37fa213d', 'aabbccdd']);
  });

  test('bufferedBytes counts what dataToSend() has not drained', () => {
    const conn = connection('server');
    conn.sendBinary(new Uint8Array(300));
    assert.equal(conn.bufferedBytes, 304);
    conn.dataToSend();
    assert.equal(conn.bufferedBytes, 0);
  });
});

describe('RFC 7692 permessage-deflate through a Connection', () => {
  const withDeflate = (role: Role, params = {}) => () => connection(role, { deflate: deflateFor(role, params) });

  test('§7.2.3.1 "Hello" compressed, whole and fragmented', () => {
    assert.deepEqual(receiveAll('client', hex('c107f248cdc9c90700'), withDeflate('client')).events, [message('Hello')]);
    assert.deepEqual(receiveAll('client', hex('4103f248cd 8004c9c90700'), withDeflate('client')).events, [message('Hello')]);
  });

  test('§7.2.3.2 two "Hello"s sharing the LZ77 window', () => {
    assert.deepEqual(receiveAll('client', hex('c107f248cdc9c90700 c105f200110000'), withDeflate('client')).events, [message('Hello'), message('Hello')]);
  });

  test('§7.2.3.2 without context takeover the second message cannot refer back: 1007', () => {
    const { events } = receiveAll('client', hex('c107f248cdc9c90700 c105f200110000'), withDeflate('client', { serverNoContextTakeover: true }));
    assert.deepEqual(events, [message('Hello'), failed(1007, 'WSW_ERR_INVALID_COMPRESSED_DATA')]);
  });

  test('§7.2.3.3 a DEFLATE block with no compression', () => {
    assert.deepEqual(receiveAll('client', hex('c10b0005 00faff48656c6c6f00'), withDeflate('client')).events, [message('Hello')]);
  });

  test('§7.2.3.4 a DEFLATE block with BFINAL set', () => {
    assert.deepEqual(receiveAll('client', hex('c108f348cdc9c9070000'), withDeflate('client')).events, [message('Hello')]);
  });

  test('§7.2.3.5 two DEFLATE blocks in one message', () => {
    assert.deepEqual(receiveAll('client', hex('c10df2480500 0000ffff cac9c90700'), withDeflate('client')).events, [message('Hello')]);
  });

  test('§7.2.3.6 the empty message 00, and an empty payload', () => {
    assert.deepEqual(receiveAll('client', hex('c20100 c100'), withDeflate('client')).events, [{ type: 'message', binary: true, data: '' }, message('')]);
  });

  test('server side: masked compressed frames', () => {
    const wire = peerFrame('client', Opcode.Text, hex('f248cdc9c90700'), { rsv: 4 });
    assert.deepEqual(receiveAll('server', wire, withDeflate('server')).events, [message('Hello')]);
  });

  test('uncompressed messages still pass when deflate is negotiated', () => {
    assert.deepEqual(receiveAll('client', hex('810548656c6c6f c107f248cdc9c90700'), withDeflate('client')).events, [message('Hello'), message('Hello')]);
  });

  test('zip bomb: 10 MiB of zeros against a 1 MiB limit → 1009', () => {
    const bomb = deflateRawSync(new Uint8Array(10 * 1024 * 1024)).subarray();
    const wire = join([hex('c27f'), hex(bomb.length.toString(16).padStart(16, '0')), bomb]);
    const conn = connection('client', { deflate: deflateFor('client'), limits: { maxMessageSize: 1024 * 1024 } });
    conn.receiveData(wire);
    assert.deepEqual(conn.events().map(observe), [failed(1009, 'WSW_ERR_MESSAGE_TOO_BIG')]);
    assert.equal(closeCodeOf(sentFrames('client', conn.dataToSend())[0].payload), 1009);
  });

  test('a message inflating to exactly maxMessageSize is accepted, one byte more is not', () => {
    for (const [size, ok] of [[1000, true], [1001, false]] as const) {
      const compressed = deflateRawSync(new Uint8Array(size), { finishFlush: 2 });
      const body = compressed.subarray(0, compressed.length - 4);
      const conn = connection('client', { deflate: deflateFor('client'), limits: { maxMessageSize: 1000 } });
      conn.receiveData(join([hex('c2'), Uint8Array.of(body.length), body]));
      const events = conn.events().map(observe);
      if (ok) assert.deepEqual(events, [{ type: 'message', binary: true, data: '00'.repeat(size) }]);
      else assert.deepEqual(events, [failed(1009, 'WSW_ERR_MESSAGE_TOO_BIG')]);
    }
  });

  test('corrupt compressed data → 1007', () => {
    assert.deepEqual(receiveAll('client', hex('c101ff'), withDeflate('client')).events, [failed(1007, 'WSW_ERR_INVALID_COMPRESSED_DATA')]);
  });

  test('compressed text inflating to invalid UTF-8 → 1007', () => {
    const compressed = deflateRawSync(hex('cebae1bdb9cf83cebcceb5eda080'), { finishFlush: 2 });
    const body = compressed.subarray(0, compressed.length - 4);
    const wire = join([hex('c1'), Uint8Array.of(body.length), body]);
    assert.deepEqual(receiveAll('client', wire, withDeflate('client')).events, [failed(1007, 'WSW_ERR_INVALID_UTF8')]);
  });

  test('a client and a server exchange compressed messages in both directions, with and without context takeover', () => {
    for (const params of [{}, { serverNoContextTakeover: true, clientNoContextTakeover: true }, { serverMaxWindowBits: 8, clientMaxWindowBits: 9 }]) {
      const { client, server, pump } = pair({ client: { deflate: deflateFor('client', params) }, server: { deflate: deflateFor('server', params) } });
      const random = prng(5);
      const expectedAtServer: Observed[] = [];
      const expectedAtClient: Observed[] = [];
      for (let i = 0; i < 30; i++) {
        const text = 'The quick brown fox '.repeat(1 + Math.floor(random() * 40)) + i;
        client.sendMessage(utf8(text), { fragments: [1 + Math.floor(random() * 50)] });
        expectedAtServer.push(message(text));
        const bin = randomBytes(random, Math.floor(random() * 400));
        server.sendBinary(bin);
        expectedAtClient.push({ type: 'message', binary: true, data: toHex(bin) });
        pump();
      }
      assert.deepEqual(server.events().map(observe), expectedAtServer, JSON.stringify(params));
      assert.deepEqual(client.events().map(observe), expectedAtClient, JSON.stringify(params));
    }
  });
});
