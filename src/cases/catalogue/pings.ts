/** Section 2, Pings/Pongs. */
import { CloseCode, Opcode } from '../../engine/constants';
import { EMPTY, hexBytes, repeatOctet, utf8 } from '../bytes';
import type { CaseDefinition } from '../definition';
import { defineCase, expectOk, normalCloseByMe, peerFails, pong } from './builders';

const PONG_ECHOED = 'Pong with payload echo\'ed is sent in reply to Ping. Clean close with normal code.';
const TEN_PONGS =
  'Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code.';

/** A single ping whose pong must echo the payload. */
function pingCase(id: string, description: string, payload: Uint8Array, options: { chopSize?: number; closeAfter: number; expectation?: string }): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation: options.expectation ?? PONG_ECHOED,
    expected: expectOk([pong(payload)]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Ping, payload, chopSize: options.chopSize });
      ctx.closeAfter(options.closeAfter);
    },
  });
}

/** Ten pings with payloads "payload-0".."payload-9", answered by ten pongs in order. */
function tenPingsCase(id: string, description: string, chopSize: number | undefined): CaseDefinition {
  const payloads = Array.from({ length: 10 }, (_, i) => utf8(`payload-${i}`));
  return defineCase({
    id,
    description,
    expectation: TEN_PONGS,
    expected: expectOk(payloads.map(pong)),
    expectedClose: normalCloseByMe,
    start(ctx) {
      for (const payload of payloads) ctx.sendFrame({ opcode: Opcode.Ping, payload, chopSize });
      ctx.closeAfter(3);
    },
  });
}

/** An unsolicited pong must not be answered. */
function unsolicitedPongCase(id: string, description: string, payload: Uint8Array): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation: 'Nothing.',
    expected: expectOk([]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Pong, payload });
      ctx.sendClose({ code: CloseCode.NormalClosure });
      ctx.closeAfter(1);
    },
  });
}

export const pingCases: CaseDefinition[] = [
  pingCase('2.1', 'Send ping without payload.', EMPTY, {
    closeAfter: 1,
    expectation: 'Pong (with empty payload) is sent in reply to Ping. Clean close with normal code.',
  }),
  pingCase('2.2', 'Send ping with small text payload.', utf8('Hello, world!'), { closeAfter: 1 }),
  pingCase('2.3', 'Send ping with small binary (non UTF-8) payload.', hexBytes('00fffefdfcfb00ff'), { closeAfter: 1 }),
  pingCase('2.4', 'Send ping with binary payload of 125 octets.', repeatOctet(0xfe, 125), { closeAfter: 1 }),
  defineCase({
    id: '2.5',
    description: 'Send ping with binary payload of 126 octets.',
    expectation:
      'Connection is failed immediately (1002/Protocol Error), since control frames are only allowed to have payload up to and including 125 octets..',
    expected: expectOk([]),
    expectedClose: peerFails(CloseCode.ProtocolError),
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Ping, payload: repeatOctet(0xfe, 126) });
      ctx.killAfter(1);
    },
  }),
  pingCase('2.6', 'Send ping with binary payload of 125 octets, send in octet-wise chops.', repeatOctet(0xfe, 125), {
    chopSize: 1,
    closeAfter: 2,
    expectation: 'Pong with payload echo\'ed is sent in reply to Ping. Implementations must be TCP clean. Clean close with normal code.',
  }),
  unsolicitedPongCase('2.7', 'Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.', EMPTY),
  unsolicitedPongCase(
    '2.8',
    'Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.',
    utf8('unsolicited pong payload'),
  ),
  defineCase({
    id: '2.9',
    description: 'Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.',
    expectation: 'Nothing in reply to own Pong, but Pong with payload echo\'ed in reply to Ping. Clean close with normal code.',
    expected: expectOk([pong(utf8('ping payload'))]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Pong, payload: utf8('unsolicited pong payload') });
      ctx.sendFrame({ opcode: Opcode.Ping, payload: utf8('ping payload') });
      ctx.closeAfter(1);
    },
  }),
  tenPingsCase('2.10', 'Send 10 Pings with payload.', undefined),
  tenPingsCase('2.11', 'Send 10 Pings with payload. Send out octets in octet-wise chops.', 1),
];
