/** Section 5, Fragmentation. */
import { CloseCode, Opcode } from '../../engine/constants';
import { utf8 } from '../bytes';
import type { FrameSpec } from '../context';
import type { CaseDefinition } from '../definition';
import { defineCase, expectOk, expectOkOrNonStrict, normalCloseByMe, peerFails, pong, protocolErrorCase, textMessage } from './builders';

/** How the octets of each frame go onto the wire. */
type Transmission = Pick<FrameSpec, 'sync' | 'chopSize'>;
const ONE_CHOP: Transmission = {};
const FRAME_WISE: Transmission = { sync: true };
const OCTET_WISE: Transmission = { chopSize: 1 };

const fragment = (n: number) => utf8(`fragment${n}`);
const PING_PAYLOAD = utf8('ping payload');
const NOTHING_TO_CONTINUE = 'The connection is failed immediately, since there is no message to continue.';

function fragmentedControlCase(id: string, name: string, opcode: number): CaseDefinition {
  return protocolErrorCase(id, `Send ${name} fragmented into 2 fragments.`, 'Connection is failed immediately, since control message MUST NOT be fragmented.', [
    { opcode, fin: false, payload: fragment(1) },
    { opcode: Opcode.Continuation, fin: true, payload: fragment(2) },
  ]);
}

/** A text message in two fragments, optionally with a ping between them. */
function twoFragmentsCase(id: string, description: string, withPing: boolean, transmission: Transmission): CaseDefinition {
  const message = textMessage(utf8('fragment1fragment2'));
  return defineCase({
    id,
    description,
    expectation: withPing ? 'A pong is received, then the message is echo\'ed back to us.' : 'Message is processed and echo\'ed back to us.',
    expected: expectOk(withPing ? [pong(PING_PAYLOAD), message] : [message]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Text, fin: false, payload: fragment(1), ...transmission });
      if (withPing) ctx.sendFrame({ opcode: Opcode.Ping, fin: true, payload: PING_PAYLOAD, ...transmission });
      ctx.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: fragment(2), ...transmission });
      ctx.closeAfter(1);
    },
  });
}

/** A continuation frame with nothing to continue, then a text message. */
function strayContinuationCase(id: string, fin: boolean, transmission: Transmission, sentIn: string): CaseDefinition {
  return protocolErrorCase(
    id,
    `Send unfragmented Text Message after Continuation Frame with FIN = ${fin}, where there is nothing to continue, sent in ${sentIn}.`,
    NOTHING_TO_CONTINUE,
    [
      { opcode: Opcode.Continuation, fin, payload: utf8('non-continuation payload'), ...transmission },
      { opcode: Opcode.Text, fin: true, payload: utf8('Hello, world!'), ...transmission },
    ],
  );
}

/** A stray continuation frame, then a text message in two fragments; repeated twice. */
function repeatedStrayContinuationCase(id: string, fin: boolean): CaseDefinition {
  const round: FrameSpec[] = [
    { opcode: Opcode.Continuation, fin, payload: fragment(1) },
    { opcode: Opcode.Text, fin: false, payload: fragment(2) },
    { opcode: Opcode.Continuation, fin: true, payload: fragment(3) },
  ];
  return protocolErrorCase(
    id,
    `Repeated 2x: Continuation Frame with FIN = ${fin} (where there is nothing to continue), then text Message fragmented into 2 fragments.`,
    NOTHING_TO_CONTINUE,
    [...round, ...round],
  );
}

/** Five text fragments with two pings between them and a 1 s pause in the middle: pongs must not wait for the message. */
function pingsWithinMessageCase(id: string, description: string, expectation: string, sync: boolean): CaseDefinition {
  const pings = [utf8('pongme 1!'), utf8('pongme 2!')];
  return defineCase({
    id,
    description,
    expectation,
    expected: expectOk([pong(pings[0]), pong(pings[1]), textMessage(utf8('fragment1fragment2fragment3fragment4fragment5'))]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Text, fin: false, payload: fragment(1), sync });
      ctx.sendFrame({ opcode: Opcode.Continuation, fin: false, payload: fragment(2), sync });
      ctx.sendFrame({ opcode: Opcode.Ping, fin: true, payload: pings[0], sync });
      ctx.continueLater(1, () => {
        ctx.sendFrame({ opcode: Opcode.Continuation, fin: false, payload: fragment(3), sync });
        ctx.sendFrame({ opcode: Opcode.Continuation, fin: false, payload: fragment(4), sync });
        ctx.sendFrame({ opcode: Opcode.Ping, fin: true, payload: pings[1], sync });
        ctx.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: fragment(5), sync });
        ctx.closeAfter(1);
      });
    },
  });
}

export const fragmentationCases: CaseDefinition[] = [
  fragmentedControlCase('5.1', 'Ping', Opcode.Ping),
  fragmentedControlCase('5.2', 'Pong', Opcode.Pong),
  twoFragmentsCase('5.3', 'Send text Message fragmented into 2 fragments.', false, ONE_CHOP),
  twoFragmentsCase('5.4', 'Send text Message fragmented into 2 fragments, octets are sent in frame-wise chops.', false, FRAME_WISE),
  twoFragmentsCase('5.5', 'Send text Message fragmented into 2 fragments, octets are sent in octet-wise chops.', false, OCTET_WISE),
  twoFragmentsCase('5.6', 'Send text Message fragmented into 2 fragments, one ping with payload in-between.', true, ONE_CHOP),
  twoFragmentsCase(
    '5.7',
    'Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in frame-wise chops.',
    true,
    FRAME_WISE,
  ),
  twoFragmentsCase(
    '5.8',
    'Send text Message fragmented into 2 fragments, one ping with payload in-between. Octets are sent in octet-wise chops.',
    true,
    OCTET_WISE,
  ),
  strayContinuationCase('5.9', true, ONE_CHOP, 'one chop'),
  strayContinuationCase('5.10', true, FRAME_WISE, 'per-frame chops'),
  strayContinuationCase('5.11', true, OCTET_WISE, 'octet-wise chops'),
  strayContinuationCase('5.12', false, ONE_CHOP, 'one chop'),
  strayContinuationCase('5.13', false, FRAME_WISE, 'per-frame chops'),
  strayContinuationCase('5.14', false, OCTET_WISE, 'octet-wise chops'),
  defineCase({
    id: '5.15',
    description:
      'Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.',
    expectation: NOTHING_TO_CONTINUE,
    expected: expectOkOrNonStrict([textMessage(utf8('fragment1fragment2'))], []),
    expectedClose: peerFails(CloseCode.ProtocolError),
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Text, fin: false, payload: fragment(1) });
      ctx.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: fragment(2) });
      ctx.sendFrame({ opcode: Opcode.Continuation, fin: false, payload: fragment(3) });
      ctx.sendFrame({ opcode: Opcode.Text, fin: true, payload: fragment(4) });
      ctx.killAfter(1);
    },
  }),
  repeatedStrayContinuationCase('5.16', false),
  repeatedStrayContinuationCase('5.17', true),
  protocolErrorCase(
    '5.18',
    'Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.',
    'The connection is failed immediately, since all data frames after the initial data frame must have opcode 0.',
    [
      { opcode: Opcode.Text, fin: false, payload: fragment(1) },
      { opcode: Opcode.Text, fin: true, payload: fragment(2) },
    ],
  ),
  pingsWithinMessageCase(
    '5.19',
    `A fragmented text message is sent in multiple frames. After
   sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s,
   then we send 2 more text fragments, another Ping and then the final text fragment.
   Everything is legal.`,
    `The peer immediately answers the first Ping before
   it has received the last text message fragment. The peer pong's back the Ping's
   payload exactly, and echo's the payload of the fragmented message back to us.`,
    false,
  ),
  pingsWithinMessageCase(
    '5.20',
    `Same as Case 5.19, but send all frames with SYNC = True.
   Note, this does not change the octets sent in any way, only how the stream
   is chopped up on the wire.`,
    `Same as Case 5.19. Implementations must be agnostic to how
   octet stream is chopped up on wire (must be TCP clean).`,
    true,
  ),
];
