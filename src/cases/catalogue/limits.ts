/** Section 9, Limits/Performance: big messages, many fragments, small chops, and round trips. Cases judge themselves. */
import { CloseCode, Opcode } from '../../engine/constants';
import { hexBytes, pyBool, repeatOctet, utf8 } from '../bytes';
import type { CaseContext, CaseHandlers } from '../context';
import type { CaseDefinition } from '../definition';
import { defineCase, normalCloseByMe } from './builders';

const KIB = 1024;
const MIB = 1024 * 1024;
const TEXT_UNIT = utf8('BAsd7&jh23');
const BINARY_UNIT = hexBytes('00fe23faf0');

type Kind = 'text' | 'binary';

interface EchoCheck {
  kind: Kind;
  length: number;
  waitSeconds: number;
  /** Autobahn's 9.4.x sentence says "got binary" where it means "got text"; kept for matching reports. */
  wrongTypeSentence?: string;
}

/**
 * The shared script of 9.1-9.6: switch the wire log off, send, and close after `waitSeconds`
 * unless the echo arrives first; the echo's type and length decide the verdict.
 */
function oneEchoCase(id: string, description: string, expectation: string, check: EchoCheck, send: (ctx: CaseContext) => void): CaseDefinition {
  const { kind, length, waitSeconds } = check;
  const other = kind === 'text' ? 'binary' : 'text';
  return defineCase({
    id,
    description,
    expectation,
    expectedClose: normalCloseByMe,
    reportTime: true,
    start(ctx): CaseHandlers {
      ctx.setWireLog(false, { marker: false });
      ctx.setBehavior('FAILED', `Did not receive message within ${waitSeconds} seconds.`);
      send(ctx);
      ctx.closeAfter(waitSeconds);
      return {
        onMessage(payload, binary) {
          if (binary !== (kind === 'binary')) {
            ctx.setBehavior('FAILED', check.wrongTypeSentence ?? `Expected ${kind} message with payload, but got ${other}.`);
          } else if (payload.length !== length) {
            ctx.setBehavior('FAILED', `Expected ${kind} message with payload of length ${length}, but got ${payload.length}.`);
          } else {
            ctx.setBehavior('OK', `Received ${kind} message of length ${payload.length}.`);
          }
          ctx.setWireLog(true, { marker: false });
          ctx.sendClose({ code: CloseCode.NormalClosure });
        },
      };
    },
  });
}

const opcodeOf = (kind: Kind) => (kind === 'text' ? Opcode.Text : Opcode.Binary);
const unitOf = (kind: Kind) => (kind === 'text' ? TEXT_UNIT : BINARY_UNIT);

/** 9.1 / 9.2: one frame of increasing size. */
function bigMessageCases(subsection: number, kind: Kind, sizes: readonly { label: string; length: number; waitSeconds: number }[]): CaseDefinition[] {
  return sizes.map(({ label, length, waitSeconds }, i) =>
    oneEchoCase(
      `9.${subsection}.${i + 1}`,
      `Send ${kind} message message with payload of length ${label}.`,
      `Receive echo'ed ${kind} message (with payload as sent).`,
      { kind, length, waitSeconds },
      (ctx) => ctx.sendFrame({ opcode: opcodeOf(kind), payload: unitOf(kind), payloadRepeatLength: length }),
    ),
  );
}

/** 9.3 / 9.4: a 4 MiB message in fragments of increasing size. */
function fragmentedMessageCases(subsection: number, kind: Kind, firstOctet: number, wrongTypeSentence?: string): CaseDefinition[] {
  const fragments: readonly [number, string][] = [
    [64, '64'],
    [256, '256'],
    [KIB, '1k'],
    [4 * KIB, '4k'],
    [16 * KIB, '16k'],
    [64 * KIB, '64k'],
    [256 * KIB, '256k'],
    [MIB, '1M'],
    [4 * MIB, '4M'],
  ];
  return fragments.map(([fragmentSize, label], i) => {
    // Autobahn's 9.3.9 says 8M; the message is 4M like the others.
    const totalLabel = kind === 'text' && fragmentSize === 4 * MIB ? '8M' : '4M';
    // Autobahn's 9.4.1 sends 0xfe octets, 9.4.2-9.4.9 and all of 9.3 send '*'.
    const octet = i === 0 ? firstOctet : 0x2a;
    return oneEchoCase(
      `9.${subsection}.${i + 1}`,
      `Send fragmented ${kind} message message with message payload of length 4 * 2**20 (${totalLabel}). Sent out in fragments of ${label}.`,
      `Receive echo'ed ${kind} message (with payload as sent).`,
      { kind, length: 4 * MIB, waitSeconds: 100, wrongTypeSentence },
      (ctx) => ctx.sendMessage(repeatOctet(octet, 4 * MIB), { binary: kind === 'binary', fragmentSize }),
    );
  });
}

/** 9.5 / 9.6: a 1 MiB frame written in chops of increasing size. */
function choppedMessageCases(subsection: number, kind: Kind): CaseDefinition[] {
  return [64, 128, 256, 512, 1024, 2048].map((chopSize, i) =>
    oneEchoCase(
      `9.${subsection}.${i + 1}`,
      `Send ${kind} message message with payload of length 1 * 2**20 (1M). Sent out data in chops of ${chopSize} octets.`,
      // Autobahn's 9.6.2-9.6.6 say "text" in the expectation of a binary case.
      `Receive echo'ed ${kind === 'binary' && i > 0 ? 'text' : kind} message (with payload as sent).`,
      { kind, length: MIB, waitSeconds: 1000 },
      (ctx) => ctx.sendFrame({ opcode: opcodeOf(kind), payload: unitOf(kind), payloadRepeatLength: MIB, chopSize }),
    ),
  );
}

/** 9.7 / 9.8: 1000 messages one after the other, each sent when the previous echo arrived. */
function roundTripCases(subsection: number, kind: Kind): CaseDefinition[] {
  const binary = kind === 'binary';
  const count = 1000;
  const sizes: readonly [number, number][] = [
    [0, 60],
    [16, 60],
    [64, 60],
    [256, 120],
    [1024, 240],
    [4096, 480],
  ];
  return sizes.map(([length, waitSeconds], i) =>
    defineCase({
      id: `9.${subsection}.${i + 1}`,
      description: `Send ${count} ${kind} messages of payload size ${length} to measure implementation/network RTT (round trip time) / latency.`,
      expectation: `Receive echo'ed ${kind} messages (with payload as sent). Timeout case after ${waitSeconds} secs.`,
      expectedClose: normalCloseByMe,
      reportTime: true,
      start(ctx): CaseHandlers {
        let sent = 0;
        const sendOne = () => {
          ctx.sendFrame({ opcode: binary ? Opcode.Binary : Opcode.Text, payload: Uint8Array.of(binary ? 0xfe : 0x2a), payloadRepeatLength: length });
          sent++;
        };
        const finish = (behavior: 'OK' | 'FAILED', result: string) => {
          ctx.setBehavior(behavior, result);
          ctx.setWireLog(true, { marker: true });
          ctx.sendClose({ code: CloseCode.NormalClosure });
        };
        ctx.setWireLog(false, { marker: true });
        ctx.setBehavior('FAILED', `Case did not finish within ${waitSeconds} seconds.`);
        ctx.closeAfter(waitSeconds);
        sendOne();
        return {
          onMessage(payload, isBinary) {
            if (isBinary !== binary || payload.length !== length) {
              finish(
                'FAILED',
                `Echo'ed message type or length differs from what I sent (got binary = ${pyBool(isBinary)}, payload length = ${payload.length}).`,
              );
            } else if (sent < count) sendOne();
            else finish('OK', 'Ok, received all echo\'ed messages in time.');
          },
        };
      },
    }),
  );
}

export const limitsCases: CaseDefinition[] = [
  ...bigMessageCases(1, 'text', [
    { label: '64 * 2**10 (64k)', length: 64 * KIB, waitSeconds: 10 },
    { label: '256 * 2**10 (256k)', length: 256 * KIB, waitSeconds: 10 },
    { label: '1 * 2**20 (1M)', length: MIB, waitSeconds: 100 },
    { label: '4 * 2**20 (4M)', length: 4 * MIB, waitSeconds: 100 },
    { label: '8 * 2**20 (8M)', length: 8 * MIB, waitSeconds: 100 },
    { label: '16 * 2**20 (16M)', length: 16 * MIB, waitSeconds: 100 },
  ]),
  ...bigMessageCases(2, 'binary', [
    { label: '64 * 2**10 (64k)', length: 64 * KIB, waitSeconds: 10 },
    { label: '256 * 2**10 (256k)', length: 256 * KIB, waitSeconds: 10 },
    { label: '1 * 2**20 (1M)', length: MIB, waitSeconds: 10 },
    { label: '4 * 2**20 (4M)', length: 4 * MIB, waitSeconds: 10 },
    // Autobahn's label says 16M; the message is 8M.
    { label: '8 * 2**20 (16M)', length: 8 * MIB, waitSeconds: 100 },
    { label: '16 * 2**20 (16M)', length: 16 * MIB, waitSeconds: 100 },
  ]),
  ...fragmentedMessageCases(3, 'text', 0x2a),
  ...fragmentedMessageCases(4, 'binary', 0xfe, 'Expected binary message with payload, but got binary.'),
  ...choppedMessageCases(5, 'text'),
  ...choppedMessageCases(6, 'binary'),
  ...roundTripCases(7, 'text'),
  ...roundTripCases(8, 'binary'),
];
