/** Why a connection could not be opened, with a stable code and a message a person can act on. */
import type { HeaderList } from '../engine';

export type ConnectErrorCode =
  | 'WSW_CONNECT_URL'
  | 'WSW_CONNECT_REFUSED'
  | 'WSW_CONNECT_DNS'
  | 'WSW_CONNECT_TLS'
  | 'WSW_CONNECT_TIMEOUT'
  | 'WSW_CONNECT_HANDSHAKE'
  | 'WSW_CONNECT_CLOSED'
  | 'WSW_CONNECT_NETWORK';

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    readonly code: ConnectErrorCode,
    message: string,
    options: { cause?: unknown; response?: { status: number; reason: string; headers: HeaderList } } = {},
  ) {
    super(message, { cause: options.cause });
    this.response = options.response;
  }
  /** For a refused handshake: what the server answered instead of 101. */
  readonly response?: { status: number; reason: string; headers: HeaderList };
}

const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** Maps a socket error during connect to a ConnectError that says what happened. */
export function describeSocketError(error: NodeJS.ErrnoException, where: string): ConnectError {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return new ConnectError('WSW_CONNECT_REFUSED', `connection refused by ${where}: nothing is listening there`, { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return new ConnectError('WSW_CONNECT_DNS', `cannot resolve the host of ${where} (${code})`, { cause: error });
  // What a server that does not speak TLS answers (an HTTP 400, say) reads as a bad TLS record.
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new ConnectError('WSW_CONNECT_TLS', `TLS handshake with ${where} failed: the server answered without TLS (${code}); is it a ws:// port? use ws://, or its wss:// port`, { cause: error });
  }
  if (tlsCodes.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.startsWith('CERT_')) {
    return new ConnectError('WSW_CONNECT_TLS', `TLS handshake with ${where} failed: ${error.message} (${code}); pass --insecure to skip certificate verification, or --ca FILE to trust its certificate`, { cause: error });
  }
  return new ConnectError('WSW_CONNECT_NETWORK', `network error talking to ${where}: ${error.message}${code ? ` (${code})` : ''}`, { cause: error });
}
