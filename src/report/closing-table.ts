/** The "Closing Behavior" table: each closing fact with Autobahn's description of it. */
import type { CloseFacts } from '../cases/result';

const DESCRIPTIONS: ReadonlyArray<readonly [keyof CloseFacts, string]> = [
  ['isServer', 'True, iff I (the fuzzer) am a server, and the peer is a client.'],
  ['closedByMe', 'True, iff I have initiated closing handshake (that is, did send close first).'],
  ['failedByMe', 'True, iff I have failed the WS connection (i.e. due to protocol error). Failing can be either by initiating closing handshake or brutal drop TCP.'],
  ['droppedByMe', 'True, iff I dropped the TCP connection.'],
  ['wasClean', 'True, iff full WebSocket closing handshake was performed (close frame sent and received) _and_ the server dropped the TCP (which is its responsibility).'],
  ['wasNotCleanReason', 'When wasClean == False, the reason what happened.'],
  ['wasServerConnectionDropTimeout', "When we are a client, and we expected the server to drop the TCP, but that didn't happen in time, this gets True."],
  ['wasOpenHandshakeTimeout', 'When performing the opening handshake, but the peer did not finish in time, this gets True.'],
  ['wasCloseHandshakeTimeout', 'When we initiated a closing handshake, but the peer did not respond in time, this gets True.'],
  ['localCloseCode', 'The close code I sent in close frame (if any).'],
  ['localCloseReason', 'The close reason I sent in close frame (if any).'],
  ['remoteCloseCode', 'The close code the peer sent me in close frame (if any).'],
  ['remoteCloseReason', 'The close reason the peer sent me in close frame (if any).'],
];

export interface ClosingRow {
  key: string;
  /** The value as Python's str() prints it: True/False/None, numbers, text as is. */
  value: string;
  description: string;
}

export function closingRows(facts: CloseFacts): ClosingRow[] {
  return DESCRIPTIONS.map(([key, description]) => ({ key, value: pyValue(facts[key]), description }));
}

function pyValue(value: boolean | number | string | null): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}
