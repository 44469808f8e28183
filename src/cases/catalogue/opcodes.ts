/** Section 4, Opcodes: reserved non-control (3-7, 4.1.x) and control (11-15, 4.2.x) opcodes must fail the connection. */
import { CloseCode, Opcode } from '../../engine/constants';
import { EMPTY, utf8 } from '../bytes';
import type { CaseDefinition } from '../definition';
import { defineCase, expectOk, expectOkOrNonStrict, peerFails, textMessage } from './builders';

const HELLO = utf8('Hello, world!');

/** The five variants each subsection runs, on its five reserved opcodes in turn. */
const VARIANTS: readonly { payload: 'none' | 'reserved' | 'hello'; afterGoodMessage: boolean; chopSize?: number }[] = [
  { payload: 'none', afterGoodMessage: false },
  { payload: 'reserved', afterGoodMessage: false },
  { payload: 'none', afterGoodMessage: true },
  { payload: 'hello', afterGoodMessage: true },
  { payload: 'hello', afterGoodMessage: true, chopSize: 1 },
];

function reservedOpcodeCases(subsection: number, kind: 'non-control' | 'control', firstOpcode: number): CaseDefinition[] {
  return VARIANTS.map(({ payload: payloadKind, afterGoodMessage, chopSize }, i) => {
    const opcode = firstOpcode + i;
    const payload = payloadKind === 'none' ? EMPTY : payloadKind === 'reserved' ? utf8('reserved opcode payload') : HELLO;
    const frame = `frame with reserved ${kind} <b>Opcode = ${opcode}</b>${payloadKind === 'none' ? '' : ' and non-empty payload'}`;
    const id = `4.${subsection}.${i + 1}`;
    if (!afterGoodMessage) {
      return defineCase({
        id,
        description: `Send ${frame}.`,
        expectation: 'The connection is failed immediately.',
        expected: expectOk([]),
        expectedClose: peerFails(CloseCode.ProtocolError),
        start(ctx) {
          ctx.sendFrame({ opcode, payload });
          ctx.killAfter(1);
        },
      });
    }
    return defineCase({
      id,
      description: `Send small text message, then send ${frame}, then send Ping.`,
      expectation:
        'Echo for first message is received, but then connection is failed immediately, since reserved opcode frame is used. A Pong is not received.',
      expected: expectOkOrNonStrict([textMessage(HELLO)], []),
      expectedClose: peerFails(CloseCode.ProtocolError),
      start(ctx) {
        ctx.sendFrame({ opcode: Opcode.Text, payload: HELLO, chopSize });
        ctx.sendFrame({ opcode, payload, chopSize });
        ctx.sendFrame({ opcode: Opcode.Ping, chopSize });
        ctx.killAfter(1);
      },
    });
  });
}

export const opcodeCases: CaseDefinition[] = [...reservedOpcodeCases(1, 'non-control', 3), ...reservedOpcodeCases(2, 'control', 11)];
