/**
 * The per-case JSON, with the field names and shapes of Autobahn's per-case report file, so
 * tools reading those keep working. Bytes appear as Autobahn stores them, which keeps files small
 * for the 16 MiB cases:
 * - payloads in "expected", "received" and wire log frames are log previews: UTF-8 text when the
 *   first 64 octets decode, else "0x" + hex; longer than 60 octets: cut at 64 plus " ...";
 * - wire log octets are lowercase hex, shortened the same way, next to their full length.
 * Wire log entries are Autobahn's tuples: ["RO", [len, hex]], ["TO", [len, hex], sync],
 * ["TF", [len, preview], opcode, fin, rsv, maskHex, repeatLen, chopSize, sync],
 * ["RF", [len, preview], opcode, fin, rsv, masked, maskHex], ["CT", seconds, tag], ["CTE", tag],
 * ["KL", seconds], ["KLE"], ["TI", seconds], ["TIE"], ["WLM", enabled]. Autobahn keeps no entry
 * for the TCP drop (it is `droppedByMe`), so neither do we. "trafficStats" is Autobahn's, ratios
 * and overheads included, or null where the case did not capture it (all but 12.x/13.x). "case"
 * is the case's place in the whole catalogue, as Autobahn numbers it.
 */
import type { ExpectedClose } from '../cases/definition';
import { compressionRatios, type CaseResult, type ObservedEvent, type TrafficStats, type WireLogEntry } from '../cases/result';
import { hexPreview, payloadPreview, toHex } from '../wire/log-preview';
import { formatJson, jsonObject, type JsonValue } from './json-format';
import { wirelogEnabledAtEnd } from './wire-log';

export function caseResultJson(result: CaseResult): string {
  const facts = result.closeFacts;
  return formatJson({
    agent: result.agent,
    behavior: result.behavior,
    behaviorClose: result.behaviorClose,
    case: result.caseNumber,
    closedByMe: facts.closedByMe,
    createStats: true,
    createWirelog: wirelogEnabledAtEnd(result.wireLog),
    description: result.description,
    droppedByMe: facts.droppedByMe,
    duration: result.durationMs,
    expectation: result.expectation,
    expected: jsonObject(Object.entries(result.expected).map(([key, events]) => [key, (events ?? []).map(eventJson)])),
    expectedClose: expectedCloseJson(result.expectedClose),
    failedByMe: facts.failedByMe,
    httpRequest: result.httpRequest,
    httpResponse: result.httpResponse,
    id: result.caseId,
    isServer: facts.isServer,
    localCloseCode: facts.localCloseCode,
    localCloseReason: facts.localCloseReason,
    received: result.observed.map(eventJson),
    remoteCloseCode: facts.remoteCloseCode,
    remoteCloseReason: facts.remoteCloseReason,
    reportCompressionRatio: result.reportCompressionRatio,
    reportTime: result.reportTime,
    result: result.result,
    resultClose: result.resultClose,
    rxFrameStats: countsJson(result.stats.rxFramesByOpcode),
    rxOctetStats: countsJson(result.stats.rxOctetsByChopSize),
    started: result.started,
    trafficStats: result.trafficStats ? trafficStatsJson(result.trafficStats) : null,
    txFrameStats: countsJson(result.stats.txFramesByOpcode),
    txOctetStats: countsJson(result.stats.txOctetsByChopSize),
    wasClean: facts.wasClean,
    wasCloseHandshakeTimeout: facts.wasCloseHandshakeTimeout,
    wasNotCleanReason: facts.wasNotCleanReason,
    wasOpenHandshakeTimeout: facts.wasOpenHandshakeTimeout,
    wasServerConnectionDropTimeout: facts.wasServerConnectionDropTimeout,
    wirelog: result.wireLog.flatMap(wirelogJson),
  });
}

/** Autobahn's expectedClose dict (formatJson sorts its keys, as Python's json.dumps(sort_keys=True)). */
function expectedCloseJson(close: ExpectedClose): JsonValue {
  const { closedByMe, closeCode, requireClean, closedByWrongEndpointIsFatal } = close;
  return { closeCode: [...closeCode], closedByMe, requireClean, ...(closedByWrongEndpointIsFatal === undefined ? {} : { closedByWrongEndpointIsFatal }) };
}

function eventJson(event: ObservedEvent): JsonValue {
  switch (event.type) {
    case 'message':
      return ['message', payloadPreview(event.payload).value, event.binary];
    case 'ping':
    case 'pong':
      return [event.type, payloadPreview(event.payload).value];
    case 'timeout':
      return ['timeout', event.tag];
  }
}

/** Autobahn's TrafficStats.__json__(): the counters, compression ratios and framing overheads. */
function trafficStatsJson(stats: TrafficStats): JsonValue {
  const { incoming, outgoing } = compressionRatios(stats);
  const overhead = (wire: number, payload: number) => (payload > 0 ? (wire - payload) / payload : null);
  return jsonObject([
    ['incomingCompressionRatio', incoming],
    ['incomingOctetsAppLevel', stats.incomingOctetsAppLevel],
    ['incomingOctetsWebSocketLevel', stats.incomingOctetsWebSocketLevel],
    ['incomingOctetsWireLevel', stats.incomingOctetsWireLevel],
    ['incomingWebSocketFrames', stats.incomingWebSocketFrames],
    ['incomingWebSocketMessages', stats.incomingWebSocketMessages],
    ['incomingWebSocketOverhead', overhead(stats.incomingOctetsWireLevel, stats.incomingOctetsWebSocketLevel)],
    ['outgoingCompressionRatio', outgoing],
    ['outgoingOctetsAppLevel', stats.outgoingOctetsAppLevel],
    ['outgoingOctetsWebSocketLevel', stats.outgoingOctetsWebSocketLevel],
    ['outgoingOctetsWireLevel', stats.outgoingOctetsWireLevel],
    ['outgoingWebSocketFrames', stats.outgoingWebSocketFrames],
    ['outgoingWebSocketMessages', stats.outgoingWebSocketMessages],
    ['outgoingWebSocketOverhead', overhead(stats.outgoingOctetsWireLevel, stats.outgoingOctetsWebSocketLevel)],
    ['preopenIncomingOctetsWireLevel', stats.preopenIncomingOctetsWireLevel],
    ['preopenOutgoingOctetsWireLevel', stats.preopenOutgoingOctetsWireLevel],
  ]);
}

function countsJson(counts: Map<number, number>): JsonValue {
  return jsonObject([...counts].map(([key, count]) => [String(key), count]));
}

function wirelogJson(entry: WireLogEntry): JsonValue[] {
  switch (entry.kind) {
    case 'rx-octets':
      return [['RO', [entry.data.length, hexPreview(entry.data)]]];
    case 'tx-octets':
      return [['TO', [entry.data.length, hexPreview(entry.data)], entry.sync ?? false]];
    case 'tx-frame':
      return [['TF', [entry.payloadLen, payloadPreview(entry.payload).value], entry.opcode, entry.fin, entry.rsv, maskJson(entry.mask), entry.payloadRepeatLen, entry.chopSize, entry.sync]];
    case 'rx-frame':
      return [['RF', [entry.payloadLen, payloadPreview(entry.payload).value], entry.opcode, entry.fin, entry.rsv, entry.masked, maskJson(entry.mask)]];
    case 'delay':
      return [['CT', entry.seconds, entry.tag]];
    case 'delay-timeout':
      return [['CTE', entry.tag]];
    case 'kill-after':
      return [['KL', entry.seconds]];
    case 'failing-connection':
      return [['KLE']];
    case 'close-connection-after':
      return [['TI', entry.seconds]];
    case 'closing-connection':
      return [['TIE']];
    case 'wirelog-mode':
      return [['WLM', entry.enabled]];
    case 'tcp-dropped-by-me':
    case 'tcp-dropped-by-peer':
      return [];
  }
}

function maskJson(mask: Uint8Array | null): string | null {
  return mask ? toHex(mask) : null;
}
