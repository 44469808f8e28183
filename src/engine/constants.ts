/** RFC 6455 §5.2 opcodes. 3-7 and 11-15 are reserved. */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;
export type Opcode = number;

export const isControlOpcode = (opcode: number): boolean => (opcode & 0x8) !== 0;
export const isKnownOpcode = (opcode: number): boolean =>
  opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);

/** Registered close codes (RFC 6455 §7.4.1 and the IANA registry). */
export const CloseCode = {
  NormalClosure: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatusReceived: 1005,
  AbnormalClosure: 1006,
  InvalidPayloadData: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
} as const;
export type CloseCode = number;

/** Human names of the registered codes, for pickers and logs. */
export const closeCodeNames: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(CloseCode).map(([name, code]) => [code, name]),
);

/**
 * May this code appear in a close frame on the wire? 1000-1003 and 1007-1014 are registered for
 * use, 3000-4999 are for libraries and applications. 1004-1006 and 1015 are reserved for local
 * use only (RFC 6455 §7.4.1), everything else below 3000 is unassigned or out of range.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** The GUID of RFC 6455 §1.3, appended to Sec-WebSocket-Key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
