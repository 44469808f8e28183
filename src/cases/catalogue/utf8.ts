/** Section 6, UTF-8 Handling: valid text must be echoed, invalid text must fail the connection (1007), fast. */
import { Opcode } from '../../engine/constants';
import { EMPTY, concatBytes, hexBytes, toHex, utf8 } from '../bytes';
import type { CaseContext } from '../context';
import type { CaseDefinition } from '../definition';
import { defineCase, expectOk, expectOkOrNonStrict, normalCloseByMe, peerFailsOnInvalidUtf8, textMessage, timeout } from './builders';
import { utf8SequenceGroups } from './utf8-sequences';

const ECHOED = 'The message is echo\'ed back to us.';
const NOT_VALID = 'The connection is failed immediately, since the payload is not valid UTF-8.';
const GREETING = 'Hello-µ@ßöäüàá-UTF-8!!';
const KOSME = hexBytes('cebae1bdb9cf83cebcceb5');
/** κόσμε, a UTF-16 surrogate (invalid at its second octet, the 12th of the message), "edited". */
const WITH_SURROGATE = concatBytes(KOSME, hexBytes('eda080'), utf8('edited'));
/** κόσμε, 0x110000 in the UTF-8 integer scheme (out of range at its second octet, the 12th), "edited". */
const OUT_OF_RANGE = { part1: KOSME, part2: hexBytes('f4908080'), part3: utf8('edited') };
const OUT_OF_RANGE_ALL = concatBytes(OUT_OF_RANGE.part1, OUT_OF_RANGE.part2, OUT_OF_RANGE.part3);

function emptyFragmentsCase(id: string, description: string, expectation: string, fragments: readonly Uint8Array[]): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation,
    expected: expectOk([textMessage(concatBytes(...fragments))]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      fragments.forEach((payload, i) =>
        ctx.sendFrame({ opcode: i === 0 ? Opcode.Text : Opcode.Continuation, fin: i === fragments.length - 1, payload }),
      );
      ctx.closeAfter(1);
    },
  });
}

function validMessageCase(id: string, description: string, payload: Uint8Array, fragmentSize?: number): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation: ECHOED,
    expected: expectOk([textMessage(payload)]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendMessage(payload, { binary: false, fragmentSize });
      ctx.closeAfter(1);
    },
  });
}

function invalidMessageCase(id: string, description: string, fragmentSize?: number): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation: NOT_VALID,
    expected: expectOk([]),
    expectedClose: peerFailsOnInvalidUtf8,
    start(ctx) {
      ctx.sendMessage(WITH_SURROGATE, { binary: false, fragmentSize });
      ctx.killAfter(1);
    },
  });
}

/** Sends the three parts of one message, pausing 1 s (tags "A", "B") between them. */
type ThreeParts = (ctx: CaseContext, part: 1 | 2 | 3) => void;

/**
 * 6.4.x: an invalid message in three parts with pauses. A peer that fails fast closes during the
 * first pause after the bad part, so only timeout "A" is seen (OK); one that waits for the whole
 * message also sees "B" (NON-STRICT). Each pause records its timeout only if still open.
 */
function failFastCase(id: string, description: string, unit: 'frame' | 'chop', sendPart: ThreeParts): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation: `The first ${unit} is accepted, we expect to timeout on the first wait. The 2nd ${unit} should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8.`,
    expected: expectOkOrNonStrict([timeout('A')], [timeout('A'), timeout('B')]),
    expectedClose: peerFailsOnInvalidUtf8,
    start(ctx) {
      sendPart(ctx, 1);
      ctx.continueLater(
        1,
        () => {
          if (!ctx.isOpen()) return;
          ctx.recordEvent(timeout('A'));
          sendPart(ctx, 2);
          ctx.continueLater(
            1,
            () => {
              if (!ctx.isOpen()) return;
              ctx.recordEvent(timeout('B'));
              sendPart(ctx, 3);
              ctx.killAfter(1);
            },
            'B',
          );
        },
        'A',
      );
    },
  });
}

/** The three parts as three frames of one message. */
function inFrames(parts: readonly Uint8Array[]): ThreeParts {
  return (ctx, part) =>
    ctx.sendFrame({ opcode: part === 1 ? Opcode.Text : Opcode.Continuation, fin: part === 3, payload: parts[part - 1] });
}

/** The three parts as chops of one frame; an empty final frame ends the message (Autobahn's `endMessage`). */
function inChopsOfOneFrame(parts: readonly Uint8Array[]): ThreeParts {
  return (ctx, part) => {
    if (part === 1) ctx.beginFrame({ opcode: Opcode.Text, fin: false, payloadLength: concatBytes(...parts).length });
    ctx.sendFrameData(parts[part - 1]);
    if (part === 3) ctx.sendFrame({ opcode: Opcode.Continuation, fin: true });
  };
}

const partsList = (parts: readonly string[]) => `\n<br><br>MESSAGE PARTS:<br>\n${parts.map((hex, i) => `PART${i + 1} = ${hex}<br>\n`).join('')}`;
/** Split right after the octet that makes the message invalid (the 13th). */
const SPLIT_AT_BAD_OCTET = [OUT_OF_RANGE_ALL.slice(0, 12), OUT_OF_RANGE_ALL.slice(12, 13), OUT_OF_RANGE_ALL.slice(13)];
const SPLIT_BY_PARTS = [OUT_OF_RANGE.part1, OUT_OF_RANGE.part2, OUT_OF_RANGE.part3];
const ON_CODE_POINTS = 'resulting in frames ending on positions which are not code point ends.<br><br>MESSAGE:<br>';

const fixedCases: CaseDefinition[] = [
  emptyFragmentsCase('6.1.1', 'Send text message of length 0.', 'A message is echo\'ed back to us (with empty payload).', [EMPTY]),
  emptyFragmentsCase('6.1.2', 'Send fragmented text message, 3 fragments each of length 0.', 'A message is echo\'ed back to us (with empty payload).', [
    EMPTY,
    EMPTY,
    EMPTY,
  ]),
  emptyFragmentsCase(
    '6.1.3',
    'Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.',
    'A message is echo\'ed back to us (with payload = payload of middle fragment).',
    [EMPTY, utf8('middle frame payload'), EMPTY],
  ),
  validMessageCase('6.2.1', `Send a valid UTF-8 text message in one fragment.<br><br>MESSAGE:<br>${GREETING}<br>${toHex(utf8(GREETING))}`, utf8(GREETING)),
  defineCase({
    id: '6.2.2',
    description: `Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.<br><br>MESSAGE FRAGMENT 1:<br>Hello-µ@ßöä<br>${toHex(utf8('Hello-µ@ßöä'))}<br><br>MESSAGE FRAGMENT 2:<br>üàá-UTF-8!!<br>${toHex(utf8('üàá-UTF-8!!'))}`,
    expectation: ECHOED,
    expected: expectOk([textMessage(utf8(GREETING))]),
    expectedClose: normalCloseByMe,
    start(ctx) {
      ctx.sendFrame({ opcode: Opcode.Text, fin: false, payload: utf8('Hello-µ@ßöä') });
      ctx.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: utf8('üàá-UTF-8!!') });
      ctx.closeAfter(1);
    },
  }),
  validMessageCase('6.2.3', `Send a valid UTF-8 text message in fragments of 1 octet, ${ON_CODE_POINTS}${GREETING}<br>${toHex(utf8(GREETING))}`, utf8(GREETING), 1),
  validMessageCase('6.2.4', `Send a valid UTF-8 text message in fragments of 1 octet, ${ON_CODE_POINTS}${new TextDecoder().decode(KOSME)}<br>${toHex(KOSME)}`, KOSME, 1),
  invalidMessageCase('6.3.1', `Send invalid UTF-8 text message unfragmented.<br><br>MESSAGE:<br>${toHex(WITH_SURROGATE)}`),
  invalidMessageCase('6.3.2', `Send invalid UTF-8 text message in fragments of 1 octet, ${ON_CODE_POINTS}${toHex(WITH_SURROGATE)}`, 1),
  failFastCase(
    '6.4.1',
    `Send invalid UTF-8 text message in 3 fragments (frames).
First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest.
Note that PART1 and PART3 are valid UTF-8 in themselves, PART2 is a 0x110000 encoded as in the UTF-8 integer encoding scheme, but the codepoint is invalid (out of range).` +
      partsList(SPLIT_BY_PARTS.map(toHex)),
    'frame',
    inFrames(SPLIT_BY_PARTS),
  ),
  failFastCase(
    '6.4.2',
    'Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid.' +
      partsList(SPLIT_AT_BAD_OCTET.map(toHex)),
    'frame',
    inFrames(SPLIT_AT_BAD_OCTET),
  ),
  failFastCase(
    '6.4.3',
    'Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame.' + partsList(SPLIT_BY_PARTS.map(toHex)),
    'chop',
    inChopsOfOneFrame(SPLIT_BY_PARTS),
  ),
  failFastCase(
    '6.4.4',
    // Autobahn prints PART3 empty here (it slices the wrong string); the octets sent are right.
    'Same as Case 6.4.2, but we send message not in 3 frames, but in 3 chops of the same message frame.' +
      partsList([toHex(SPLIT_AT_BAD_OCTET[0]), toHex(SPLIT_AT_BAD_OCTET[1]), '']),
    'chop',
    inChopsOfOneFrame(SPLIT_AT_BAD_OCTET),
  ),
];

/** 6.5.x-6.23.x: one unfragmented text message per test sequence. */
function sequenceCases(): CaseDefinition[] {
  return utf8SequenceGroups().flatMap(({ sequences }, g) =>
    sequences.map(({ valid, bytes }, i) =>
      defineCase({
        id: `6.${g + 5}.${i + 1}`,
        description: `Send a text message with payload which is ${valid ? '' : 'not '}valid UTF-8 in one fragment.<br><br>Payload: 0x${toHex(bytes)}`,
        expectation: valid ? ECHOED : NOT_VALID,
        expected: expectOk(valid ? [textMessage(bytes)] : []),
        expectedClose: valid ? normalCloseByMe : peerFailsOnInvalidUtf8,
        start(ctx) {
          ctx.sendMessage(bytes, { binary: false });
          ctx.killAfter(0.5);
        },
      }),
    ),
  );
}

export const utf8Cases: CaseDefinition[] = [...fixedCases, ...sequenceCases()];
