import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { markerLine, octetsLines, pySeconds, rxFrameLines, txFrameLines, type TxFrameFields } from '../../../src/wire/log-lines';

const text = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const INDENT = ' '.repeat(15);

const REQUEST =
  'GET /wss HTTP/1.1\r\nUser-Agent: AutobahnTestSuite/25.10.1-0.10.9\r\nHost: 127.0.0.1:8889\r\nUpgrade: WebSocket\r\n' +
  'Connection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nSec-WebSocket-Key: 3jYmgt+O4alYyyTL5WpvoQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n\r\n';

function txFrame(overrides: Partial<TxFrameFields>): TxFrameFields {
  return { opcode: 1, fin: true, rsv: 0, payloadLen: 0, mask: null, payloadRepeatLen: null, chopSize: null, sync: false, payload: new Uint8Array(0), ...overrides };
}

describe('octetsLines', () => {
  test("the seed's handshake: 100 hex characters, then the continuation and \" ...\"", () => {
    assert.deepEqual(octetsLines(0, 'TX', text(REQUEST)), [
      '000 TX OCTETS: 474554202f77737320485454502f312e310d0a557365722d4167656e743a204175746f6261686e5465737453756974652f32',
      INDENT + '352e31302e312d302e31302e390d ...',
    ]);
  });

  test('a short write on one line', () => {
    assert.deepEqual(octetsLines(9, 'RX', hex('8a09706f6e676d65203121')), ['009 RX OCTETS: 8a09706f6e676d65203121']);
  });

  test('no octets, no line (the number is still used up by the caller)', () => {
    assert.deepEqual(octetsLines(3, 'TX', new Uint8Array(0)), []);
  });

  test('numbers past 999 widen', () => {
    assert.deepEqual(octetsLines(1000, 'TX', hex('00')), ['1000 TX OCTETS: 00']);
  });
});

describe('frame lines', () => {
  test('a TX frame as in the seed', () => {
    const frame = txFrame({ fin: false, payloadLen: 9, mask: hex('be6e52c6'), sync: true, payload: text('fragment1') });
    assert.deepEqual(txFrameLines(2, frame), [
      '002 TX FRAME : OPCODE=1, FIN=False, RSV=0, PAYLOAD-LEN=9, MASK=be6e52c6, PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=True',
      INDENT + 'fragment1',
    ]);
  });

  test("the seed's close frame shows its payload as 0x03e8", () => {
    const frame = txFrame({ opcode: 8, payloadLen: 2, mask: hex('2f0f5753'), payload: hex('03e8') });
    assert.deepEqual(txFrameLines(25, frame), [
      '025 TX FRAME : OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=2, MASK=2f0f5753, PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False',
      INDENT + '0x03e8',
    ]);
  });

  test('repeat length and chop size when set; an empty payload prints no payload line', () => {
    const frame = txFrame({ opcode: 2, rsv: 5, payloadLen: 1, payloadRepeatLen: 65536, chopSize: 997, payload: text('*') });
    assert.deepEqual(txFrameLines(4, frame)[0], '004 TX FRAME : OPCODE=2, FIN=True, RSV=5, PAYLOAD-LEN=1, MASK=None, PAYLOAD-REPEAT-LEN=65536, CHOPSIZE=997, SYNC=False');
    assert.deepEqual(txFrameLines(4, txFrame({})).length, 1);
  });

  test('an RX frame as in the seed, and a masked one', () => {
    assert.deepEqual(rxFrameLines(10, { opcode: 10, fin: true, rsv: 0, payloadLen: 9, masked: false, mask: null, payload: text('pongme 1!') }), [
      '010 RX FRAME : OPCODE=10, FIN=True, RSV=0, PAYLOAD-LEN=9, MASKED=False, MASK=None',
      INDENT + 'pongme 1!',
    ]);
    assert.equal(
      rxFrameLines(7, { opcode: 1, fin: true, rsv: 0, payloadLen: 0, masked: true, mask: hex('37fa213d'), payload: new Uint8Array(0) })[0],
      '007 RX FRAME : OPCODE=1, FIN=True, RSV=0, PAYLOAD-LEN=0, MASKED=True, MASK=37fa213d',
    );
  });

  test('a long binary payload wraps like octets, under the frame', () => {
    const lines = txFrameLines(0, txFrame({ opcode: 2, payloadLen: 100, payload: new Uint8Array(100).fill(0xff) }));
    assert.deepEqual(lines.slice(1), [INDENT + '0x' + 'ff'.repeat(49), INDENT + 'ff'.repeat(15) + ' ...']);
  });
});

test('marker lines and Python\'s %f', () => {
  assert.equal(markerLine(6, `DELAY ${pySeconds(1)} sec for TAG None`), '006 DELAY 1.000000 sec for TAG None');
  assert.equal(pySeconds(0.25), '0.250000');
});
