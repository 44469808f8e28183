/**
 * permessage-deflate inflation through a Connection that negotiated it: compressed messages made
 * by a real peer's compressor (with every window size and context-takeover setting, both roles),
 * whose compressed bytes are then mutated, truncated or replaced by random bytes, plus zip bombs
 * far past the message limit. Invariant: events, or one failure with 1002 (framing), 1007 (corrupt
 * data or bad UTF-8) or 1009 (too large), never another exception; no message past the limit.
 *
 * Input layout: byte 0 = role (bit 0) and no-context-takeover flags (bits 1, 2); byte 1 = server
 * window bits; byte 2 = client window bits; the rest is the wire stream from the peer.
 */
import { PerMessageDeflate, type ConnectionOptions, type DeflateParams, type Role } from '../../../src/engine';
import { nodeDeflateCodec } from '../../../src/transport/deflate-codec';
import type { FuzzTarget } from '../harness';
import { concat, mutate } from '../mutate';
import { Rng, chunking, hashBytes, split } from '../random';
import { FIXED_MASK, frameBytes, pieces, randomUtf8 } from './gen';
import { drive, outcome, sameTranscript } from './drive';

/** Small, so that bombs and big messages hit it quickly. */
const limits = { maxMessageSize: 64 * 1024, maxFrameSize: 64 * 1024, maxFragments: 64 };

function decodeHeader(input: Uint8Array): { role: Role; params: DeflateParams } {
  const bits = (b: number | undefined) => 8 + ((b ?? 0) % 8);
  return {
    role: (input[0] ?? 0) & 1 ? 'client' : 'server',
    params: {
      serverNoContextTakeover: ((input[0] ?? 0) & 2) !== 0,
      clientNoContextTakeover: ((input[0] ?? 0) & 4) !== 0,
      serverMaxWindowBits: bits(input[1]),
      clientMaxWindowBits: bits(input[2]),
    },
  };
}

const bombCache = new Map<number, Uint8Array>();

/**
 * Zeros far past the message limit, compressed (a few kB on the wire). Big bombs are copies of
 * one sync-flushed MiB: each copy ends byte-aligned on a non-final block, so they concatenate
 * into one valid stream. The smallest window, so that every receiver can inflate them.
 */
function bomb(rng: Rng): Uint8Array {
  const size = rng.pick([limits.maxMessageSize + 1, 8 << 20, 32 << 20]);
  let compressed = bombCache.get(size);
  if (!compressed) {
    // A fresh compressor per unit: each one is a self-contained, sync-flushed block sequence.
    const deflateZeros = (n: number) => {
      const compressor = nodeDeflateCodec.createCompressor({ windowBits: 9, level: 9, memLevel: 9 });
      const out = compressor.compress(new Uint8Array(n));
      compressor.close();
      return out;
    };
    let stream: Uint8Array;
    if (size < 1 << 20) stream = deflateZeros(size);
    else {
      const unit = deflateZeros(1 << 20);
      stream = concat(...new Array<Uint8Array>(size >> 20).fill(unit));
    }
    compressed = stream.subarray(0, stream.length - 4); // RFC 7692 §7.2.1: drop 00 00 ff ff
    bombCache.set(size, compressed);
  }
  return compressed;
}

function message(rng: Rng): { data: Uint8Array; binary: boolean } {
  const binary = rng.chance(0.4);
  if (!binary) return { data: randomUtf8(rng, rng.chance(0.05) ? 40000 : 500), binary };
  const kind = rng.int(0, 2);
  if (kind === 0) return { data: rng.bytes(rng.size(2000)), binary };
  // Repetitive data compresses well and exercises back-references into the history.
  const unit = rng.bytes(rng.int(1, 40));
  const data = new Uint8Array(rng.size(kind === 1 ? 5000 : 100_000));
  for (let i = 0; i < data.length; i++) data[i] = unit[i % unit.length];
  return { data, binary };
}

export const deflateTarget: FuzzTarget = {
  name: 'deflate',
  generate(rng) {
    const header = Uint8Array.of(rng.int(0, 255), rng.int(0, 7), rng.int(0, 7));
    const { role, params } = decodeHeader(header);
    const masked = role === 'server';
    // The peer compresses with the other role's parameters.
    const sender = new PerMessageDeflate(params, role === 'server' ? 'client' : 'server', nodeDeflateCodec, { level: rng.int(0, 9), memLevel: rng.int(1, 9) });
    const frames: Uint8Array[] = [];
    const corrupt = rng.int(0, 3); // 0: none, 1: mutate compressed payloads, 2: random payloads, 3: mutate the whole stream
    for (let i = rng.int(1, 6); i > 0; i--) {
      if (rng.chance(0.1)) {
        frames.push(frameBytes(rng, { opcode: 0x9, payload: rng.bytes(rng.int(0, 20)) }, masked));
        continue;
      }
      let payload: Uint8Array;
      let binary = true;
      let compressed = true;
      if (rng.chance(0.08)) payload = bomb(rng);
      else {
        const m = message(rng);
        binary = m.binary;
        compressed = rng.chance(0.85);
        payload = compressed ? sender.compress(m.data) : m.data;
      }
      if (compressed && corrupt === 1 && rng.chance(0.5)) payload = rng.chance(0.2) ? payload.slice(0, rng.int(0, payload.length)) : mutate(rng, payload, rng.int(1, 3));
      if (compressed && corrupt === 2 && rng.chance(0.5)) payload = rng.bytes(rng.size(3000));
      const parts = rng.chance(0.6) ? [payload] : pieces(rng, payload, 5);
      parts.forEach((part, index) => {
        // RSV1 on the first frame only (rarely on a continuation, which is a 1002).
        const rsv = compressed && (index === 0 || rng.chance(0.02)) ? 0b100 : 0;
        frames.push(frameBytes(rng, { opcode: index === 0 ? (binary ? 0x2 : 0x1) : 0x0, payload: part, fin: index === parts.length - 1, rsv }, masked));
      });
    }
    let stream = concat(...frames);
    if (corrupt === 3) stream = mutate(rng, stream, rng.int(1, 4));
    return concat(header, stream);
  },
  check(input) {
    const { role, params } = decodeHeader(input);
    const stream = input.subarray(3);
    const whole = drive(connectionOptions(input), split(stream, [stream.length]), codes);
    const rng = new Rng(hashBytes(input));
    const sizes = chunking(rng, stream.length);
    sameTranscript(whole, drive(connectionOptions(input), split(stream, sizes), codes), `${role} deflate ${JSON.stringify(params)}, chunks ${sizes.slice(0, 20).join(',')}`);
  },
  outcomes(input) {
    return { [decodeHeader(input).role]: outcome(drive(connectionOptions(input), [input.subarray(3)], codes)) };
  },
};

const codes = [1002, 1007, 1009];

/** A fresh connection that negotiated what the input's header says. */
function connectionOptions(input: Uint8Array): ConnectionOptions {
  const { role, params } = decodeHeader(input);
  return { role, limits, deflate: new PerMessageDeflate(params, role, nodeDeflateCodec), maskKey: () => FIXED_MASK.slice() };
}
