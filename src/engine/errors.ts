/**
 * Two kinds of error, as in h11: the peer broke the protocol (ProtocolError, carrying the close
 * code to send), or the caller used the API wrong (UsageError). Handshake failures carry the HTTP
 * status to answer with (server side) or the response that was refused (client side).
 */

/** Stable identifiers for every protocol fault, for tests, logs and reports. */
export type ProtocolErrorCode =
  | 'WSW_ERR_RESERVED_OPCODE'
  | 'WSW_ERR_RESERVED_RSV'
  | 'WSW_ERR_CONTROL_FRAME_TOO_LONG'
  | 'WSW_ERR_CONTROL_FRAME_FRAGMENTED'
  | 'WSW_ERR_MASK_REQUIRED'
  | 'WSW_ERR_MASK_FORBIDDEN'
  | 'WSW_ERR_LENGTH_TOP_BIT'
  | 'WSW_ERR_LENGTH_NOT_MINIMAL'
  | 'WSW_ERR_UNEXPECTED_CONTINUATION'
  | 'WSW_ERR_EXPECTED_CONTINUATION'
  | 'WSW_ERR_INVALID_UTF8'
  | 'WSW_ERR_INVALID_CLOSE_PAYLOAD'
  | 'WSW_ERR_INVALID_CLOSE_CODE'
  | 'WSW_ERR_FRAME_TOO_BIG'
  | 'WSW_ERR_MESSAGE_TOO_BIG'
  | 'WSW_ERR_TOO_MANY_FRAGMENTS'
  | 'WSW_ERR_INVALID_COMPRESSED_DATA'
  | 'WSW_ERR_INTERNAL';

/** The frame a fault was found in, as far as its header had been read (length null: not read, or not a number). */
export interface RejectedFrame {
  opcode: number;
  fin: boolean;
  rsv: number;
  masked: boolean;
  length: number | null;
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /**
   * The frame that broke the protocol, when the fault was in one (a message-level fault, found
   * after its last frame was logged, has none): it never completes, so no frame event shows it.
   */
  frame?: RejectedFrame;
  constructor(
    /** The close code to send when failing the connection (1002, 1007, 1009, 1011). */
    readonly closeCode: number,
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type HandshakeErrorCode =
  | 'WSW_HS_INCOMPLETE'
  | 'WSW_HS_HEAD_TOO_LARGE'
  | 'WSW_HS_TOO_MANY_HEADERS'
  | 'WSW_HS_MALFORMED'
  | 'WSW_HS_METHOD'
  | 'WSW_HS_HTTP_VERSION'
  | 'WSW_HS_UPGRADE'
  | 'WSW_HS_CONNECTION'
  | 'WSW_HS_VERSION'
  | 'WSW_HS_KEY'
  | 'WSW_HS_STATUS'
  | 'WSW_HS_ACCEPT'
  | 'WSW_HS_SUBPROTOCOL'
  | 'WSW_HS_EXTENSION'
  | 'WSW_HS_DUPLICATE_HEADER';

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  constructor(
    readonly code: HandshakeErrorCode,
    message: string,
    /** Server side: the HTTP status to answer with. */
    readonly status = 400,
    /** Client side: the status line and headers of the refused response, for the user. */
    readonly response?: { status: number; reason: string; headers: [string, string][] },
  ) {
    super(message);
  }
}
