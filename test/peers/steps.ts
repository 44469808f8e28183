// The step language shared by every real-peer client harness (python.ts, ws.ts, chromium.ts),
// plus the helpers that build expected results. Everything here is plain JSON so the same
// steps can be handed to a Python process, to `ws` in-process, or into a browser page.
import { createHash } from 'node:crypto';
import type { TestCert } from './certs';

/**
 * A message payload. `fill` makes `length` deterministic pseudo-random bytes (for text: printable
 * ASCII) from `seed`; the same generator exists in python/client.py and browser/runner.js, so big
 * payloads never travel as JSON. See fillBytes() for the exact algorithm.
 */
export type Payload = { text: string } | { hex: string } | { fill: number; seed?: number };

export type MessageType = 'text' | 'binary';

/** One scripted client action. Steps run in order; every wait is bounded by `timeoutMs`. */
export type Step =
  /** Send one (unfragmented) message. */
  | { op: 'send'; type: MessageType; data: Payload }
  /**
   * Wait until `count` (default 1) more messages have arrived than all earlier expects asked for;
   * `withinMs` bounds this wait alone (default: the run's `timeoutMs`).
   */
  | { op: 'expect'; count?: number; withinMs?: number }
  /** Send a ping and wait for its pong (not available in the browser: recorded as an error there). */
  | { op: 'ping'; data?: Payload }
  /** Start the closing handshake and wait until the connection is closed. No code: an empty close frame. */
  | { op: 'close'; code?: number; reason?: string }
  /** Wait until the peer closes the connection. */
  | { op: 'wait-close' }
  /** Do nothing for `ms` milliseconds. */
  | { op: 'sleep'; ms: number };

/** Permessage-deflate parameters (RFC 7692 §7.1), named as `ws` names them. */
export interface DeflateParams {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** A number 8..15 (a client may offer it without a value only as server_max_window_bits=N). */
  serverMaxWindowBits?: number;
  /** A number 8..15, or `true` for the bare client offer `client_max_window_bits`. */
  clientMaxWindowBits?: number | true;
}

/** Options every client harness understands (the browser ignores what it cannot control: see chromium.ts). */
export interface ClientOptions {
  /** false (default): no permessage-deflate offer; true: the library's default offer; or explicit params. */
  deflate?: boolean | DeflateParams;
  subprotocols?: string[];
  /** PEM of a CA (or the self-signed certificate itself) to trust for wss. */
  ca?: string;
  /** Skip certificate verification for wss. */
  insecure?: boolean;
  /** Largest message the client accepts (default 64 MiB). */
  maxSize?: number;
  /** Bound on each wait: connect, expect, pong, close (default 10 000 ms). */
  timeoutMs?: number;
  /** Messages up to this many bytes are reported with their full `hex` (default 65 536). */
  hexLimit?: number;
}

export interface ReceivedMessage {
  type: MessageType;
  length: number;
  sha256: string;
  /** The payload as lowercase hex, present when length <= hexLimit. */
  hex?: string;
}

export interface CloseResult {
  /** The close code received from the peer: 1005 for an empty close frame, 1006 if none arrived. */
  code: number;
  reason: string;
  /** A close frame was both sent and received. */
  wasClean: boolean;
}

export interface PeerResult {
  peer: 'python' | 'ws' | 'chromium' | 'workbench';
  /** The opening handshake succeeded. */
  opened: boolean;
  /** The negotiated Sec-WebSocket-Extensions value as the client library reports it ('' if none). */
  extensions: string;
  /** The negotiated subprotocol ('' if none). */
  protocol: string;
  messages: ReceivedMessage[];
  /** Payloads (hex) of the pongs that answered our pings, in order. */
  pongs: string[];
  close: CloseResult | null;
  /** Problems, each prefixed with where it happened (`connect:`, `step 3 (expect):`, …). Empty when all went well. */
  errors: string[];
}

/** Options every echo-server harness understands (python.ts, ws.ts). */
export interface EchoServerOptions {
  /** false (default): no permessage-deflate; true: the library's default answer; or explicit params. */
  deflate?: boolean | DeflateParams;
  /** Serve wss with this certificate (from testCert()). */
  tls?: TestCert;
  /** Largest accepted message (default 64 MiB). */
  maxSize?: number;
  /** Subprotocols the server accepts (default none). */
  subprotocols?: string[];
  /** Loopback only: '127.0.0.1' (default) or '::1'. */
  host?: '127.0.0.1' | '::1';
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Bound on start-up and stop (default 10 000 ms). */
  timeoutMs?: number;
}

/** One accepted connection as an echo server saw it. `close` is set once it has ended. */
export interface ServerConnection {
  path: string;
  /** Request headers, names lower-cased. */
  requestHeaders: Record<string, string>;
  /** The Sec-WebSocket-Extensions the server answered with ('' if none). */
  extensions: string;
  protocol: string;
  /** The close code/reason the server received (1005: empty close frame, 1006: none). */
  close?: { code: number; reason: string };
}

/** A running echo server: text back as text, binary back as binary. */
export interface EchoServer {
  url: string;
  port: number;
  /** Connections so far, in order of arrival (a live array). */
  connections: ServerConnection[];
  /** Stops the server (and its process); resolves when it is gone. */
  stop(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_HEX_LIMIT = 65_536;
export const DEFAULT_MAX_SIZE = 64 * 1024 * 1024;

/** Period of the fill generator: longer than deflate's 32 KiB window, prime. */
export const FILL_PERIOD = 65_521;

/**
 * Deterministic bytes: an LCG (x = x * 1103515245 + 12345 mod 2^31, starting from `seed`, byte =
 * bits 16..23) fills one block of min(length, 65 521) bytes, which repeats to `length`. For text,
 * each byte b becomes the ASCII character 0x20 + b % 95.
 */
export function fillBytes(length: number, seed = 1, text = false): Uint8Array {
  const out = new Uint8Array(length);
  const block = Math.min(length, FILL_PERIOD);
  let x = seed & 0x7fffffff;
  for (let i = 0; i < block; i++) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    const b = (x >>> 16) & 0xff;
    out[i] = text ? 0x20 + (b % 95) : b;
  }
  for (let i = block; i < length; i += block) out.copyWithin(i, 0, Math.min(block, length - i));
  return out;
}

export function payloadBytes(type: MessageType, data: Payload): Uint8Array {
  if ('text' in data) return new TextEncoder().encode(data.text);
  if ('hex' in data) return new Uint8Array(Buffer.from(data.hex, 'hex'));
  return fillBytes(data.fill, data.seed ?? 1, type === 'text');
}

/** What a harness reports for a message of these bytes. */
export function describeMessage(type: MessageType, bytes: Uint8Array, hexLimit = DEFAULT_HEX_LIMIT): ReceivedMessage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const message: ReceivedMessage = { type, length: buf.length, sha256: createHash('sha256').update(buf).digest('hex') };
  if (buf.length <= hexLimit) message.hex = buf.toString('hex');
  return message;
}

/** The messages an echo peer sends back for the `send` steps, in order. */
export function expectedEchoes(steps: readonly Step[], hexLimit = DEFAULT_HEX_LIMIT): ReceivedMessage[] {
  return steps.flatMap((s) => (s.op === 'send' ? [describeMessage(s.type, payloadBytes(s.type, s.data), hexLimit)] : []));
}

/** `send` then `expect`: one round trip through an echo peer. */
export function echo(type: MessageType, data: Payload): Step[] {
  return [{ op: 'send', type, data }, { op: 'expect' }];
}

/** Payload as hex (for `pongs`). */
export function payloadHex(data: Payload | undefined, type: MessageType = 'binary'): string {
  return data ? Buffer.from(payloadBytes(type, data)).toString('hex') : '';
}

/** Validates steps before they are handed to a peer, so a typo fails loudly in Node. */
export function checkSteps(steps: readonly Step[]): void {
  steps.forEach((s, i) => {
    const ops = ['send', 'expect', 'ping', 'close', 'wait-close', 'sleep'];
    if (!ops.includes(s.op)) throw new TypeError(`step ${i}: unknown op ${JSON.stringify((s as { op: unknown }).op)}`);
    if (s.op === 'send' && s.type !== 'text' && s.type !== 'binary') throw new TypeError(`step ${i}: send type must be text or binary`);
    if (s.op === 'close' && s.code === undefined && s.reason !== undefined) throw new TypeError(`step ${i}: a close reason needs a code`);
  });
}

/** ws://HOST:PORT/ with IPv6 hosts bracketed. */
export function urlFor(scheme: 'ws' | 'wss' | 'http' | 'https', host: string, port: number, path = '/'): string {
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
}

/** The steps without `ping` (for the browser, whose WebSocket API cannot send one). */
export function withoutPings(steps: readonly Step[]): Step[] {
  return steps.filter((s) => s.op !== 'ping');
}

/**
 * The exact PeerResult a client should report after running `steps` against an echo peer: every
 * send echoed, every ping answered with its payload, and the close it started answered with the
 * same code and reason (1005 for an empty close frame).
 */
export function expectedEchoResult(
  peer: PeerResult['peer'],
  steps: readonly Step[],
  negotiated: { extensions?: string; protocol?: string; hexLimit?: number } = {},
): PeerResult {
  const close = [...steps].reverse().find((s) => s.op === 'close');
  return {
    peer,
    opened: true,
    extensions: negotiated.extensions ?? '',
    protocol: negotiated.protocol ?? '',
    messages: expectedEchoes(steps, negotiated.hexLimit),
    pongs: steps.flatMap((s) => (s.op === 'ping' ? [payloadHex(s.data)] : [])),
    close: { code: close?.op === 'close' ? (close.code ?? 1005) : 1000, reason: close?.op === 'close' ? (close.reason ?? '') : '', wasClean: true },
    errors: [],
  };
}

/** Waits (bounded) until the server has seen `count` connections end; returns their records. */
export async function waitForClosed(server: EchoServer, count: number, timeoutMs = 5000): Promise<ServerConnection[]> {
  const deadline = Date.now() + timeoutMs;
  while (server.connections.filter((c) => c.close).length < count) {
    if (Date.now() > deadline) throw new Error(`server saw ${server.connections.filter((c) => c.close).length} of ${count} connections close within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return server.connections;
}
