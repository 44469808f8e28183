/** Section 10, Misc: 10.1.1 sends a message auto-fragmented by the fuzzer and checks its own frame counts too. */
import { Opcode } from '../../engine/constants';
import { repeatOctet } from '../bytes';
import type { CaseDefinition } from '../definition';
import { defineCase, expectOk, normalCloseByMe, textMessage } from './builders';

const LENGTH = 65536;
const FRAGMENT_SIZE = 1300;
const PAYLOAD = repeatOctet(0x2a, LENGTH);

export const autoFragmentationCases: CaseDefinition[] = [
  defineCase({
    id: '10.1.1',
    description: 'Send text message with payload of length 65536 auto-fragmented with <b>autoFragmentSize = 1300</b>.',
    expectation:
      'Receive echo\'ed text message (with payload as sent and transmitted frame counts as expected). Clean close with normal code.',
    expected: expectOk([textMessage(PAYLOAD)]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendMessage(PAYLOAD, { binary: false, fragmentSize: FRAGMENT_SIZE });
      ctx.killAfter(10);
    },
    adjustVerdict(verdict, facts) {
      if (!facts.connectionWasOpen) return { ...verdict, behavior: 'FAILED', result: 'WebSocket connection was never open' };
      // Python dict reprs, as Autobahn prints them.
      const expected = `{0: ${Math.floor(LENGTH / FRAGMENT_SIZE)}, 1: ${LENGTH % FRAGMENT_SIZE > 0 ? 1 : 0}}`;
      const sent = facts.stats.txFramesByOpcode;
      const got = `{0: ${sent.get(Opcode.Continuation) ?? 0}, 1: ${sent.get(Opcode.Text) ?? 0}}`;
      return got === expected ? verdict : { ...verdict, behavior: 'FAILED', result: `Frames transmitted ${got} does not match what we expected ${expected}.` };
    },
  }),
];
