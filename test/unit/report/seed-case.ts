/**
 * The CaseResult behind ../shared/reference/autobahn-case-5.20-report.txt, rebuilt from the
 * seed's own data: handshake text, wire log octets and masks, closing facts. Stats are counted
 * from the wire log with src/wire's counters, so the seed's tables check those too.
 */
import { join } from 'node:path';
import type { CaseResult, ObservedEvent, WireLogEntry } from '../../../src/cases/result';
import { countFrame, countOctets, emptyWireCounters } from '../../../src/wire/stats';

/** A copy of ../shared/reference/autobahn-case-5.20-report.txt (no final newline, as there). */
export const SEED_PATH = join(__dirname, 'fixtures', 'autobahn-case-5.20-report.txt');
export const AUTOBAHN_BANNER = ['Autobahn WebSocket Testsuite Report', 'Autobahn WebSocket'] as const;

const text = (s: string) => new TextEncoder().encode(s);
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

export const HTTP_REQUEST =
  'GET /wss HTTP/1.1\r\nUser-Agent: AutobahnTestSuite/25.10.1-0.10.9\r\nHost: 127.0.0.1:8889\r\nUpgrade: WebSocket\r\n' +
  'Connection: Upgrade\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nSec-WebSocket-Key: 3jYmgt+O4alYyyTL5WpvoQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n\r\n';
export const HTTP_RESPONSE =
  'HTTP/1.1 101 Switching Protocols\r\nDate: Fri, 05 Dec 2025 02:31:14 GMT\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-Websocket-Accept: x+UBH366tW0TbWrWpGkhMvIq5bs=\r\n\r\n';

/** A masked 9-octet frame the fuzzer sent with SYNC = True. */
function txFrame(opcode: number, fin: boolean, mask: string, payload: string): WireLogEntry {
  return { kind: 'tx-frame', opcode, fin, rsv: 0, payloadLen: 9, mask: hex(mask), payloadRepeatLen: null, chopSize: null, sync: true, payload: text(payload) };
}

function rxFrame(opcode: number, payload: string): WireLogEntry {
  return { kind: 'rx-frame', opcode, fin: true, rsv: 0, payloadLen: payload.length, masked: false, mask: null, payload: text(payload) };
}

const tx = (data: Uint8Array, sync = true): WireLogEntry => ({ kind: 'tx-octets', data, sync });
const rx = (data: Uint8Array): WireLogEntry => ({ kind: 'rx-octets', data });

export const SEED_WIRE_LOG: WireLogEntry[] = [
  tx(text(HTTP_REQUEST), false),
  rx(text(HTTP_RESPONSE)),
  txFrame(1, false, 'be6e52c6', 'fragment1'),
  tx(hex('0189be6e52c6d81c33a1d30b3cb28f')),
  txFrame(0, false, '6abb748e', 'fragment2'),
  txFrame(9, true, 'ddf1bc65', 'pongme 1!'),
  { kind: 'delay', seconds: 1, tag: null },
  tx(hex('00896abb748e0cc915e907de1afa58')),
  tx(hex('8989ddf1bc65ad9ed202b0949c54fc')),
  rx(hex('8a09706f6e676d65203121')),
  rxFrame(10, 'pongme 1!'),
  { kind: 'delay-timeout', tag: null },
  txFrame(0, false, '9c0521a4', 'fragment3'),
  tx(hex('00899c0521a4fa7740c3f1604fd0af')),
  txFrame(0, false, '5c1fc1f7', 'fragment4'),
  txFrame(9, true, 'fe80cb4a', 'pongme 2!'),
  txFrame(0, true, '453d0c2d', 'fragment5'),
  { kind: 'close-connection-after', seconds: 1 },
  tx(hex('00895c1fc1f73a6da090317aaf8368')),
  tx(hex('8989fe80cb4a8eefa52d93e5eb78df')),
  tx(hex('8089453d0c2d234f6d4a2858625970')),
  rx(hex('8a09706f6e676d65203221')),
  rxFrame(10, 'pongme 2!'),
  rx(hex('812d667261676d656e7431667261676d656e7432667261676d656e7433667261676d656e7434667261676d656e7435')),
  rxFrame(1, 'fragment1fragment2fragment3fragment4fragment5'),
  { kind: 'tx-frame', opcode: 8, fin: true, rsv: 0, payloadLen: 2, mask: hex('2f0f5753'), payloadRepeatLen: null, chopSize: null, sync: false, payload: hex('03e8') },
  tx(hex('88822f0f57532ce7'), false),
  { kind: 'tcp-dropped-by-peer' },
];

function statsOf(log: WireLogEntry[]) {
  const counters = emptyWireCounters();
  for (const entry of log) {
    if (entry.kind === 'tx-octets') countOctets(counters, 'tx', entry.data.length);
    if (entry.kind === 'rx-octets') countOctets(counters, 'rx', entry.data.length);
    if (entry.kind === 'tx-frame') countFrame(counters, 'tx', entry.opcode);
    if (entry.kind === 'rx-frame') countFrame(counters, 'rx', entry.opcode);
  }
  return counters;
}

const pong = (payload: string): ObservedEvent => ({ type: 'pong', payload: text(payload) });
const message = (payload: string): ObservedEvent => ({ type: 'message', payload: text(payload), binary: false });

export function seedCase(): CaseResult {
  const events = [pong('pongme 1!'), pong('pongme 2!'), message('fragment1fragment2fragment3fragment4fragment5')];
  return {
    agent: 'websock secure server',
    caseId: '5.20',
    caseNumber: 64,
    description:
      'Same as Case 5.19, but send all frames with SYNC = True. Note, this does not change the octets sent in any way, only how the stream is chopped up on the wire.',
    expectation: 'Same as Case 5.19. Implementations must be agnostic to how octet stream is chopped up on wire (must be TCP clean).',
    expected: { OK: events },
    expectedClose: { closedByMe: true, closeCode: [1000], requireClean: true },
    observed: events,
    behavior: 'OK',
    result: 'Actual events match at least one expected.',
    behaviorClose: 'UNCLEAN',
    resultClose: 'The spec requires the connection to be failed cleanly here',
    closeFacts: {
      isServer: false,
      closedByMe: true,
      failedByMe: false,
      droppedByMe: false,
      wasClean: false,
      wasNotCleanReason: 'peer dropped the TCP connection without previous WebSocket closing handshake',
      wasServerConnectionDropTimeout: false,
      wasOpenHandshakeTimeout: false,
      wasCloseHandshakeTimeout: false,
      localCloseCode: 1000,
      localCloseReason: null,
      remoteCloseCode: null,
      remoteCloseReason: null,
    },
    httpRequest: HTTP_REQUEST,
    httpResponse: HTTP_RESPONSE,
    stats: statsOf(SEED_WIRE_LOG),
    wireLog: SEED_WIRE_LOG,
    started: '2025-12-05T02:31:14.655Z',
    durationMs: 1003,
    reportfile: 'websock_secure_server_case_5_20.json',
    reportTime: false,
    reportCompressionRatio: false,
  };
}
