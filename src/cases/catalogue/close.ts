/** Section 7, Close Handling: the fuzzer closes in odd ways; the peer must answer with a clean, correct close. */
import { CloseCode, Opcode } from '../../engine/constants';
import { hexBytes, repeatOctet, utf8 } from '../bytes';
import type { CloseSpec, FrameSpec } from '../context';
import type { CaseDefinition, ExpectedClose, VerdictAdjustment } from '../definition';
import type { ObservedEvent } from '../result';
import { defineCase, expectOk, expectOkOrNonStrict, normalCloseByMe, textMessage } from './builders';

const { NormalClosure, ProtocolError, InvalidPayloadData } = CloseCode;
const HELLO_WORLD = utf8('Hello World!');
const closeByMe = (closeCode: number[], requireClean: boolean): ExpectedClose => ({ closedByMe: true, closeCode, requireClean });

/** In these cases a wrong close code from the peer fails the case itself, with the closing sentence. */
const wrongCodeFailsCase: VerdictAdjustment = (verdict) =>
  verdict.behaviorClose === 'WRONG CODE' ? { ...verdict, behavior: 'FAILED', result: verdict.resultClose } : verdict;

/** What the fuzzer sends, in order: frames, and its closing handshake start. */
type Step = { frame: FrameSpec } | { close: CloseSpec };

function closeCase(
  id: string,
  description: string,
  expectation: string,
  expectedClose: ExpectedClose,
  steps: readonly Step[],
  options: { suppressClose?: boolean; expectedEvents?: readonly ObservedEvent[]; localCloseReasonAsHex?: boolean } = {},
): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation,
    expected: expectOk(options.expectedEvents ?? []),
    expectedClose,
    suppressClose: options.suppressClose ?? true,
    localCloseReasonAsHex: options.localCloseReasonAsHex,
    adjustVerdict: wrongCodeFailsCase,
    start(ctx) {
      for (const step of steps) {
        if ('frame' in step) ctx.sendFrame(step.frame);
        else ctx.sendClose(step.close);
      }
      ctx.killAfter(1);
    },
  });
}

const closeNormally: Step = { close: { code: NormalClosure } };

const basicCases: CaseDefinition[] = [
  closeCase(
    '7.1.1',
    'Send a message followed by a close frame',
    'Echoed message followed by clean close with normal code.',
    normalCloseByMe,
    // The close follows automatically once the echo arrived.
    [{ frame: { opcode: Opcode.Text, payload: HELLO_WORLD } }],
    { suppressClose: false, expectedEvents: [textMessage(HELLO_WORLD)] },
  ),
  closeCase('7.1.2', 'Send two close frames', 'Clean close with normal code. Second close frame ignored.', normalCloseByMe, [
    closeNormally,
    { frame: { opcode: Opcode.Close } },
  ]),
  closeCase('7.1.3', 'Send a ping after close message', 'Clean close with normal code, no pong.', normalCloseByMe, [
    closeNormally,
    { frame: { opcode: Opcode.Ping } },
  ]),
  closeCase('7.1.4', 'Send text message after sending a close frame.', 'Clean close with normal code. Text message ignored.', normalCloseByMe, [
    closeNormally,
    { frame: { opcode: Opcode.Text, payload: HELLO_WORLD } },
  ]),
  closeCase('7.1.5', 'Send message fragment1 followed by close then fragment', 'Clean close with normal code.', normalCloseByMe, [
    { frame: { opcode: Opcode.Text, fin: false, payload: utf8('fragment1') } },
    closeNormally,
    { frame: { opcode: Opcode.Continuation, fin: true, payload: utf8('fragment2') } },
  ]),
  defineCase({
    id: '7.1.6',
    description: 'Send 256K message followed by close then a ping',
    expectation:
      'Case outcome depends on implementation defined close behavior. Message and close frame are sent back to back. If the close frame is processed before the text message write is complete (as can happen in asynchronous processing models) the close frame is processed first and the text message may not be received or may only be partially received.',
    expected: expectOkOrNonStrict([textMessage(HELLO_WORLD)], []),
    expectedClose: normalCloseByMe,
    suppressClose: true,
    adjustVerdict: (verdict) => ({
      ...verdict,
      result:
        verdict.behavior === 'OK'
          ? 'Text message was processed before close.'
          : verdict.behavior === 'NON-STRICT'
            ? 'Close was processed before text message could be returned.'
            : verdict.result,
      behavior: 'INFORMATIONAL',
      behaviorClose: 'INFORMATIONAL',
    }),
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Text, payload: utf8('BAsd7&jh23'), payloadRepeatLength: 256 * 1024 });
      ctx.sendFrame({ opcode: Opcode.Text, payload: HELLO_WORLD });
      ctx.sendClose({ code: NormalClosure });
      ctx.sendFrame({ opcode: Opcode.Ping });
      ctx.killAfter(1);
    },
  }),
];

const payloadLengthCases: CaseDefinition[] = [
  closeCase(
    '7.3.1',
    'Send a close frame with payload length 0 (no close code, no close reason)',
    'Clean close with normal code.',
    normalCloseByMe,
    [{ close: {} }],
  ),
  closeCase('7.3.2', 'Send a close frame with payload length 1', 'Clean close with protocol error or drop TCP.', closeByMe([ProtocolError], false), [
    { close: { reason: utf8('a') } },
  ]),
  closeCase('7.3.3', 'Send a close frame with payload length 2 (regular close with a code)', 'Clean close with normal code.', normalCloseByMe, [closeNormally]),
  closeCase('7.3.4', 'Send a close frame with close code and close reason', 'Clean close with normal code.', normalCloseByMe, [
    { close: { code: NormalClosure, reason: HELLO_WORLD } },
  ]),
  closeCase(
    '7.3.5',
    'Send a close frame with close code and close reason of maximum length (123)',
    'Clean close with normal code.',
    normalCloseByMe,
    [{ close: { code: NormalClosure, reason: repeatOctet(0x2a, 123) } }],
  ),
  closeCase(
    '7.3.6',
    'Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets',
    'Clean close with protocol error code or dropped TCP connection.',
    closeByMe([ProtocolError], false),
    [{ close: { code: NormalClosure, reason: repeatOctet(0x2a, 124) } }],
  ),
];

const invalidReasonCase = closeCase(
  '7.5.1',
  'Send a close frame with invalid UTF8 payload',
  'Clean close with protocol error or invalid utf8 code or dropped TCP.',
  closeByMe([ProtocolError, InvalidPayloadData], false),
  [{ close: { code: NormalClosure, reason: hexBytes('cebae1bdb9cf83cebcceb5eda080656469746564') } }],
  { localCloseReasonAsHex: true },
);

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999];

const validCodeCases = VALID_CODES.map((code, i) =>
  closeCase(`7.7.${i + 1}`, `Send close with valid close code ${code}`, 'Clean close with normal or echoed code', closeByMe([NormalClosure, code], true), [
    { close: { code } },
  ], { suppressClose: false }),
);

const invalidCodeCases = INVALID_CODES.map((code, i) =>
  closeCase(
    `7.9.${i + 1}`,
    `Send close with invalid close code ${code}`,
    'Clean close with protocol error code or drop TCP',
    closeByMe([ProtocolError], false),
    [{ close: { code } }],
    { suppressClose: false },
  ),
);

/** 7.13.x: codes outside 0-4999 (on the wire as 2 octets); whatever happens is only informational. */
const informationalCodeCases = [5000, 65535].map((code, i) =>
  defineCase({
    id: `7.13.${i + 1}`,
    description: `Send close with close code ${code}`,
    expectation: 'Actual events are undefined by the spec.',
    expected: expectOk([]),
    expectedClose: closeByMe([NormalClosure, code, ProtocolError], false),
    suppressClose: true,
    adjustVerdict: (verdict) => ({
      ...verdict,
      behavior: 'INFORMATIONAL',
      behaviorClose: 'INFORMATIONAL',
      result: 'Actual events are undefined by the spec.',
    }),
    start(ctx) {
      ctx.sendClose({ code });
      ctx.killAfter(1);
    },
  }),
);

export const closeCases: CaseDefinition[] = [
  ...basicCases,
  ...payloadLengthCases,
  invalidReasonCase,
  ...validCodeCases,
  ...invalidCodeCases,
  ...informationalCodeCases,
];
