/** Section 3, Reserved Bits: RSV set without a negotiated extension must fail the connection. */
import { CloseCode, Opcode } from '../../engine/constants';
import { hexBytes, utf8 } from '../bytes';
import type { FrameSpec } from '../context';
import type { CaseDefinition } from '../definition';
import { defineCase, expectOkOrNonStrict, peerFails, protocolErrorCase, textMessage } from './builders';

const HELLO = utf8('Hello, world!');
const FAIL_SINCE_RSV =
  'Echo for first message is received, but then connection is failed immediately, since RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received.';
const FAIL_IMMEDIATELY = 'The connection is failed immediately, since RSV must be 0.';

/** One frame with RSV bits set. */
const singleFrameCase = (id: string, description: string, expectation: string, frame: FrameSpec) => protocolErrorCase(id, description, expectation, [frame]);

/** A good text message, the same with RSV set, then a ping: only the first echo may come back. */
function afterGoodMessageCase(id: string, description: string, rsv: number, transmission: Pick<FrameSpec, 'sync' | 'chopSize'>): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation: FAIL_SINCE_RSV,
    expected: expectOkOrNonStrict([textMessage(HELLO)], []),
    expectedClose: peerFails(CloseCode.ProtocolError),
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Text, payload: HELLO, ...transmission });
      ctx.sendFrame({ opcode: Opcode.Text, payload: HELLO, rsv, ...transmission });
      ctx.sendFrame({ opcode: Opcode.Ping, ...transmission });
      ctx.killAfter(1);
    },
  });
}

export const reservedBitsCases: CaseDefinition[] = [
  singleFrameCase(
    '3.1',
    'Send small text message with <b>RSV = 1</b>.',
    'The connection is failed immediately (1002/protocol error), since RSV must be 0, when no extension defining RSV meaning has been negotiated.',
    { opcode: Opcode.Text, payload: HELLO, rsv: 1 },
  ),
  afterGoodMessageCase('3.2', 'Send small text message, then send again with <b>RSV = 2</b>, then send Ping.', 2, {}),
  afterGoodMessageCase(
    '3.3',
    'Send small text message, then send again with <b>RSV = 3</b>, then send Ping. Octets are sent in frame-wise chops. Octets are sent in octet-wise chops.',
    3,
    { sync: true },
  ),
  afterGoodMessageCase(
    '3.4',
    'Send small text message, then send again with <b>RSV = 4</b>, then send Ping. Octets are sent in octet-wise chops.',
    4,
    { chopSize: 1 },
  ),
  singleFrameCase('3.5', 'Send small binary message with <b>RSV = 5</b>.', FAIL_IMMEDIATELY, {
    opcode: Opcode.Binary,
    payload: hexBytes('00fffefdfcfb00ff'),
    rsv: 5,
  }),
  // Autobahn's 3.6 says "Ping" but sends a binary frame; the facts are kept.
  singleFrameCase('3.6', 'Send Ping with <b>RSV = 6</b>.', FAIL_IMMEDIATELY, { opcode: Opcode.Binary, payload: HELLO, rsv: 6 }),
  singleFrameCase('3.7', 'Send Close with <b>RSV = 7</b>.', FAIL_IMMEDIATELY, { opcode: Opcode.Close, rsv: 7 }),
];
