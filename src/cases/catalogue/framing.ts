/** Section 1, Framing: text (1.1.x) and binary (1.2.x) messages across the payload-length encodings. */
import { Opcode } from '../../engine/constants';
import { repeatOctet } from '../bytes';
import type { CaseDefinition } from '../definition';
import { binaryMessage, defineCase, expectOk, normalCloseByMe, textMessage } from './builders';

/** Payload lengths around the 7-bit / 16-bit / 64-bit length encodings; the last one is also sent in chops. */
const SIZES: readonly { length: number; chopSize?: number }[] = [
  { length: 0 },
  { length: 125 },
  { length: 126 },
  { length: 127 },
  { length: 128 },
  { length: 65535 },
  { length: 65536 },
  { length: 65536, chopSize: 997 },
];

function sizedMessageCases(subsection: number, kind: 'text' | 'binary'): CaseDefinition[] {
  const binary = kind === 'binary';
  return SIZES.map(({ length, chopSize }, i) => {
    const payload = repeatOctet(binary ? 0xfe : 0x2a /* '*' */, length);
    const description =
      length === 0
        ? `Send ${kind} message with payload 0.`
        : `Send ${kind} message message with payload of length ${length}.` + (chopSize ? ` Sent out data in chops of ${chopSize} octets.` : '');
    return defineCase({
      id: `1.${subsection}.${i + 1}`,
      description,
      expectation: `Receive echo'ed ${kind} message (with ${length === 0 ? 'empty payload' : 'payload as sent'}). Clean close with normal code.`,
      expected: expectOk([binary ? binaryMessage(payload) : textMessage(payload)]),
      expectedClose: normalCloseByMe,
      start(ctx) {
        ctx.sendFrame({ opcode: binary ? Opcode.Binary : Opcode.Text, payload, chopSize });
        ctx.killAfter(length > 128 ? 10 : 1);
      },
    });
  });
}

export const framingCases: CaseDefinition[] = [...sizedMessageCases(1, 'text'), ...sizedMessageCases(2, 'binary')];
