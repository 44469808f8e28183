/** ws:// and wss:// URLs (RFC 6455 §3), checked before any socket is opened. */
import { ConnectError } from './errors';

export interface WebSocketTarget {
  secure: boolean;
  /** Host name or IP address without IPv6 brackets, for connect(). */
  host: string;
  port: number;
  /** Path and query, the request target. */
  path: string;
  /** Host header value: the port only when it is not the scheme's default. */
  hostHeader: string;
}

export function parseWebSocketUrl(text: string): WebSocketTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConnectError('WSW_CONNECT_URL', `not a URL: ${JSON.stringify(text)} (expected ws://host[:port]/path or wss://…)`);
  }
  const scheme = url.protocol;
  if (scheme !== 'ws:' && scheme !== 'wss:') {
    throw new ConnectError('WSW_CONNECT_URL', `unsupported scheme ${JSON.stringify(scheme)} in ${text}: use ws:// or wss://`);
  }
  if (url.hash) throw new ConnectError('WSW_CONNECT_URL', `a WebSocket URL has no fragment (${url.hash}) (RFC 6455 §3)`);
  if (!url.hostname) throw new ConnectError('WSW_CONNECT_URL', `no host in ${text}`);
  const secure = scheme === 'wss:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { secure, host, port, path: (url.pathname || '/') + url.search, hostHeader: url.host };
}
