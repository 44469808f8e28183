/**
 * permessage-deflate (RFC 7692): parameter negotiation for both sides, and the per-message
 * transform. zlib itself comes in through an injected DeflateCodec so the engine stays I/O-free.
 *
 * Context takeover is carried as a sliding window of the last 2^windowBits uncompressed bytes,
 * handed to the codec as a preset dictionary. Every message ends on a sync-flush boundary
 * (RFC 7692 §7.2.1), so that window is the whole state a streaming zlib would carry over.
 */
import { HandshakeError, ProtocolError } from './errors';
import type { ExtensionElement, ExtensionParam } from './extensions';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** What a client offers or a server is configured to ask for. */
export interface DeflateOptions {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  /** A number, or true for the bare parameter ("I can take any value you choose"). */
  clientMaxWindowBits?: number | true;
  /** zlib compression level (0-9) and memory level (1-9) for our own messages. */
  level?: number;
  memLevel?: number;
  /** Messages shorter than this go out uncompressed. */
  threshold?: number;
}

/** The agreed parameters. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/**
 * Raw DEFLATE (RFC 1951) streams, synchronous, as the engine needs them: a compressor whose
 * output ends each call on a sync flush, and a bounded decompressor. Each keeps its window across
 * calls (context takeover) until reset. node:zlib provides one in src/transport/deflate-codec.ts.
 */
export interface DeflateCodec {
  createCompressor(options: { windowBits: number; level: number; memLevel: number }): RawCompressor;
  createDecompressor(options: { windowBits: number }): RawDecompressor;
}

export interface RawCompressor {
  /** Compresses and sync-flushes: the output ends in 00 00 ff ff. */
  compress(data: Uint8Array): Uint8Array;
  /** Forgets the window (no context takeover). */
  reset(): void;
  close(): void;
}

export interface RawDecompressor {
  /** Inflates; 'too-large' once the output passes maxOutputLength; throws on corrupt data. */
  decompress(data: Uint8Array, maxOutputLength: number): Uint8Array | 'too-large';
  reset(): void;
  close(): void;
}

/** A parsed offer or response; `invalid` names the first bad parameter. */
interface ParsedParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits?: number;
  clientMaxWindowBits?: number | true;
  invalid?: string;
}

/** "8".."15" exactly, as RFC 7692 §7.1.2 spells the values (no sign, no leading zero). */
function parseWindowBits(value: string | true): number | undefined {
  if (value === true || !/^(?:[89]|1[0-5])$/.test(value)) return undefined;
  return Number(value);
}

function parseParams(params: ExtensionParam[]): ParsedParams {
  const out: ParsedParams = { serverNoContextTakeover: false, clientNoContextTakeover: false };
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (seen.has(key)) return { ...out, invalid: `duplicate parameter ${key}` };
    seen.add(key);
    switch (key) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return { ...out, invalid: `${key} takes no value` };
        if (key === 'server_no_context_takeover') out.serverNoContextTakeover = true;
        else out.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = parseWindowBits(value);
        if (bits === undefined) return { ...out, invalid: `${key}=${value === true ? '' : value} is not 8..15` };
        out.serverMaxWindowBits = bits;
        break;
      }
      case 'client_max_window_bits': {
        if (value === true) {
          out.clientMaxWindowBits = true;
          break;
        }
        const bits = parseWindowBits(value);
        if (bits === undefined) return { ...out, invalid: `${key}=${value} is not 8..15` };
        out.clientMaxWindowBits = bits;
        break;
      }
      default:
        return { ...out, invalid: `unknown parameter ${key}` };
    }
  }
  return out;
}

function checkWindowBitsOption(name: string, bits: number | undefined): void {
  if (bits !== undefined && !(Number.isInteger(bits) && bits >= 8 && bits <= 15)) {
    throw new RangeError(`${name} must be an integer from 8 to 15, got ${bits}`);
  }
}

/** The client's offer, e.g. "permessage-deflate; client_max_window_bits". */
export function deflateOffer(options: DeflateOptions = {}): ExtensionElement {
  checkWindowBitsOption('serverMaxWindowBits', options.serverMaxWindowBits);
  if (options.clientMaxWindowBits !== true) checkWindowBitsOption('clientMaxWindowBits', options.clientMaxWindowBits);
  const params: ExtensionParam[] = [];
  if (options.serverNoContextTakeover) params.push(['server_no_context_takeover', true]);
  if (options.clientNoContextTakeover) params.push(['client_no_context_takeover', true]);
  if (options.serverMaxWindowBits !== undefined) params.push(['server_max_window_bits', String(options.serverMaxWindowBits)]);
  // Offer the bare client_max_window_bits by default: it costs nothing and lets the server pick.
  const clientBits = options.clientMaxWindowBits ?? true;
  params.push(['client_max_window_bits', clientBits === true ? true : String(clientBits)]);
  return { name: PERMESSAGE_DEFLATE, params };
}

function failResponse(why: string): never {
  throw new HandshakeError('WSW_HS_EXTENSION', `server's permessage-deflate response is invalid: ${why}`);
}

/** A response's parameters, well-formed ones only (known, single, valid values; bits with a value). */
function parseResponseParams(response: ExtensionElement): ParsedParams {
  const got = parseParams(response.params);
  if (got.invalid) failResponse(got.invalid);
  if (got.clientMaxWindowBits === true) failResponse('client_max_window_bits needs a value in a response');
  return got;
}

/** Client side: checks the server's answer to our offer (RFC 7692 §7.1) and returns the agreement. */
export function acceptDeflateResponse(response: ExtensionElement, offered: ExtensionElement): DeflateParams {
  const got = parseResponseParams(response);
  const offer = parseParams(offered.params);
  if (got.clientMaxWindowBits !== undefined && offer.clientMaxWindowBits === undefined) failResponse('client_max_window_bits was not offered');
  if (typeof offer.clientMaxWindowBits === 'number' && typeof got.clientMaxWindowBits === 'number' && got.clientMaxWindowBits > offer.clientMaxWindowBits) {
    failResponse(`client_max_window_bits=${got.clientMaxWindowBits} exceeds the offered ${offer.clientMaxWindowBits}`);
  }
  if (offer.serverNoContextTakeover && !got.serverNoContextTakeover) failResponse('server_no_context_takeover was requested but not agreed');
  if (offer.serverMaxWindowBits !== undefined) {
    if (got.serverMaxWindowBits === undefined) failResponse('server_max_window_bits was requested but not agreed');
    else if (got.serverMaxWindowBits > offer.serverMaxWindowBits) failResponse(`server_max_window_bits=${got.serverMaxWindowBits} exceeds the offered ${offer.serverMaxWindowBits}`);
  }
  return {
    serverNoContextTakeover: got.serverNoContextTakeover,
    // §7.1.1.2: offering client_no_context_takeover promises not to use context takeover,
    // whether or not the server's response repeats it.
    clientNoContextTakeover: got.clientNoContextTakeover || offer.clientNoContextTakeover,
    serverMaxWindowBits: got.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: typeof got.clientMaxWindowBits === 'number' ? got.clientMaxWindowBits : typeof offer.clientMaxWindowBits === 'number' ? offer.clientMaxWindowBits : 15,
  };
}

/**
 * The agreement a well-formed response states, whatever the offer asked for: what Autobahn's
 * fuzzer accepts (its 12.x/13.x cases run on any well-formed answer), so the conformance runner
 * gives its verdicts. A client proper checks the answer against its offer (acceptDeflateResponse).
 */
export function deflateResponseAsStated(response: ExtensionElement): DeflateParams {
  const got = parseResponseParams(response);
  return {
    serverNoContextTakeover: got.serverNoContextTakeover,
    clientNoContextTakeover: got.clientNoContextTakeover,
    serverMaxWindowBits: got.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: typeof got.clientMaxWindowBits === 'number' ? got.clientMaxWindowBits : 15,
  };
}

export interface DeflateNegotiation {
  params: DeflateParams;
  /** The element for the server's Sec-WebSocket-Extensions response header. */
  response: ExtensionElement;
}

/**
 * Server side: takes the first acceptable permessage-deflate offer (RFC 7692 §5: offers are in
 * order of preference). Offers with unknown, duplicate or invalid parameters are declined, as
 * §7.1 requires; `declined` says why, for logs.
 */
export function negotiateDeflate(offers: ExtensionElement[], config: DeflateOptions = {}): { accepted: DeflateNegotiation | null; declined: string[] } {
  checkWindowBitsOption('serverMaxWindowBits', config.serverMaxWindowBits);
  if (config.clientMaxWindowBits !== true) checkWindowBitsOption('clientMaxWindowBits', config.clientMaxWindowBits);
  const declined: string[] = [];
  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const asked = parseParams(offer.params);
    if (asked.invalid) {
      declined.push(asked.invalid);
      continue;
    }
    const configClientBits = typeof config.clientMaxWindowBits === 'number' ? config.clientMaxWindowBits : undefined;
    if (configClientBits !== undefined && asked.clientMaxWindowBits === undefined) {
      declined.push('client_max_window_bits is required by the server but was not offered');
      continue;
    }
    const params: DeflateParams = {
      serverNoContextTakeover: asked.serverNoContextTakeover || !!config.serverNoContextTakeover,
      clientNoContextTakeover: asked.clientNoContextTakeover || !!config.clientNoContextTakeover,
      serverMaxWindowBits: Math.min(asked.serverMaxWindowBits ?? 15, config.serverMaxWindowBits ?? 15),
      clientMaxWindowBits: Math.min(typeof asked.clientMaxWindowBits === 'number' ? asked.clientMaxWindowBits : 15, configClientBits ?? 15),
    };
    const response: ExtensionParam[] = [];
    if (params.serverNoContextTakeover) response.push(['server_no_context_takeover', true]);
    if (params.clientNoContextTakeover) response.push(['client_no_context_takeover', true]);
    if (asked.serverMaxWindowBits !== undefined || config.serverMaxWindowBits !== undefined) response.push(['server_max_window_bits', String(params.serverMaxWindowBits)]);
    if (asked.clientMaxWindowBits !== undefined && (typeof asked.clientMaxWindowBits === 'number' || configClientBits !== undefined)) {
      response.push(['client_max_window_bits', String(params.clientMaxWindowBits)]);
    }
    return { accepted: { params, response: { name: PERMESSAGE_DEFLATE, params: response } }, declined };
  }
  return { accepted: null, declined };
}

const SYNC_TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/**
 * The negotiated extension at work on one connection. "local" is what we send, "remote" what
 * the peer sends: a server compresses with the server_* parameters, a client with client_*.
 * The zlib streams are made on first use, so idle connections cost no zlib memory.
 */
export class PerMessageDeflate {
  private readonly localBits: number;
  private readonly remoteBits: number;
  private readonly localTakeover: boolean;
  private readonly remoteTakeover: boolean;
  private readonly level: number;
  private readonly memLevel: number;
  readonly threshold: number;
  private compressor: RawCompressor | null = null;
  private decompressor: RawDecompressor | null = null;

  constructor(
    readonly params: DeflateParams,
    role: 'client' | 'server',
    private readonly codec: DeflateCodec,
    options: Pick<DeflateOptions, 'level' | 'memLevel' | 'threshold'> = {},
  ) {
    const server = role === 'server';
    // zlib cannot deflate with an 8-bit window and uses 9; its longest match distance (250)
    // still fits a 256-byte window, so peers that inflate with 8 bits decode it.
    this.localBits = Math.max(9, server ? params.serverMaxWindowBits : params.clientMaxWindowBits);
    // A larger window than the peer's is always safe when inflating.
    this.remoteBits = Math.max(9, server ? params.clientMaxWindowBits : params.serverMaxWindowBits);
    this.localTakeover = !(server ? params.serverNoContextTakeover : params.clientNoContextTakeover);
    this.remoteTakeover = !(server ? params.clientNoContextTakeover : params.serverNoContextTakeover);
    this.level = options.level ?? 6;
    this.memLevel = options.memLevel ?? 8;
    this.threshold = options.threshold ?? 0;
  }

  /** Compresses one whole message (RFC 7692 §7.2.1: the trailing 00 00 ff ff removed). */
  compress(message: Uint8Array): Uint8Array {
    this.compressor ??= this.codec.createCompressor({ windowBits: this.localBits, level: this.level, memLevel: this.memLevel });
    const out = this.compressor.compress(message);
    if (!this.localTakeover) this.compressor.reset();
    const end = endsWithSyncTail(out) ? out.length - 4 : out.length;
    // An empty message compresses to nothing but the tail; RFC 7692 §7.2.3.6 sends one 0x00.
    return end === 0 ? Uint8Array.of(0x00) : out.subarray(0, end);
  }

  /** Inflates one whole message (§7.2.2: the tail appended); 1009 past `maxSize`, 1007 if corrupt. */
  decompress(compressed: Uint8Array, maxSize: number): Uint8Array {
    this.decompressor ??= this.codec.createDecompressor({ windowBits: this.remoteBits });
    const input = new Uint8Array(compressed.length + 4);
    input.set(compressed);
    input.set(SYNC_TAIL, compressed.length);
    let out: Uint8Array | 'too-large';
    try {
      out = this.decompressor.decompress(input, maxSize);
    } catch (error) {
      throw new ProtocolError(1007, 'WSW_ERR_INVALID_COMPRESSED_DATA', `invalid compressed data: ${(error as Error).message}`);
    }
    if (out === 'too-large') throw new ProtocolError(1009, 'WSW_ERR_MESSAGE_TOO_BIG', `inflated message exceeds the limit of ${maxSize} bytes`);
    if (!this.remoteTakeover) this.decompressor.reset();
    return out;
  }

  /** Frees the zlib streams (the connection has ended). */
  close(): void {
    this.compressor?.close();
    this.decompressor?.close();
    this.compressor = this.decompressor = null;
  }
}

function endsWithSyncTail(data: Uint8Array): boolean {
  const n = data.length;
  return n >= 4 && data[n - 4] === 0 && data[n - 3] === 0 && data[n - 2] === 0xff && data[n - 1] === 0xff;
}
