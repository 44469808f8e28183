/** Small builders the catalogue files share: defaults for a definition, expected events, closing expectations. */
import { CloseCode } from '../../engine/constants';
import type { CaseContext, CaseHandlers, FrameSpec } from '../context';
import type { CaseDefinition, ExpectedClose, ExpectedEvents } from '../definition';
import type { ObservedEvent } from '../result';

type Optional = 'expected' | 'suppressClose' | 'reportTime' | 'reportCompressionRatio' | 'localCloseReasonAsHex';

export type CaseSpec = Omit<CaseDefinition, Optional | 'start'> &
  Partial<Pick<CaseDefinition, Optional>> & {
    /** Cases that don't react may return nothing. */
    start(ctx: CaseContext): CaseHandlers | void;
  };

export function defineCase(spec: CaseSpec): CaseDefinition {
  const { start, ...rest } = spec;
  return {
    ...rest,
    expected: spec.expected ?? {},
    suppressClose: spec.suppressClose ?? false,
    reportTime: spec.reportTime ?? false,
    reportCompressionRatio: spec.reportCompressionRatio ?? false,
    localCloseReasonAsHex: spec.localCloseReasonAsHex ?? false,
    start: (ctx) => start(ctx) ?? {},
  };
}

export const textMessage = (payload: Uint8Array): ObservedEvent => ({ type: 'message', payload, binary: false });
export const binaryMessage = (payload: Uint8Array): ObservedEvent => ({ type: 'message', payload, binary: true });
export const pong = (payload: Uint8Array): ObservedEvent => ({ type: 'pong', payload });
export const timeout = (tag: string): ObservedEvent => ({ type: 'timeout', tag });

export const expectOk = (events: readonly ObservedEvent[]): ExpectedEvents => ({ OK: events });

/** NON-STRICT first: the order Autobahn's Python 2 dict iterated and printed these two keys in. */
export const expectOkOrNonStrict = (ok: readonly ObservedEvent[], nonStrict: readonly ObservedEvent[]): ExpectedEvents => ({
  'NON-STRICT': nonStrict,
  OK: ok,
});

/** We close with 1000 once the expected events arrived; the peer must answer cleanly. */
export const normalCloseByMe: ExpectedClose = { closedByMe: true, closeCode: [CloseCode.NormalClosure], requireClean: true };

/** The peer must fail the connection, with this code or none; dropping TCP is fine. */
export function peerFails(code: number): ExpectedClose {
  return { closedByMe: false, closeCode: [code], requireClean: false };
}

/** 6.x: the peer must fail on invalid UTF-8 (1007); if it does not, the case FAILS. */
export const peerFailsOnInvalidUtf8: ExpectedClose = {
  closedByMe: false,
  closeCode: [CloseCode.InvalidPayloadData],
  requireClean: false,
  closedByWrongEndpointIsFatal: true,
};

/** Frames that must make the peer fail the connection with 1002, and nothing else. */
export function protocolErrorCase(id: string, description: string, expectation: string, frames: readonly FrameSpec[]): CaseDefinition {
  return defineCase({
    id,
    description,
    expectation,
    expected: expectOk([]),
    expectedClose: peerFails(CloseCode.ProtocolError),
    start(ctx) {
      for (const frame of frames) ctx.sendFrame(frame);
      ctx.killAfter(1);
    },
  });
}
