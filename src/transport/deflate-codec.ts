/**
 * node:zlib behind the engine's DeflateCodec: synchronous raw-deflate streams that keep their
 * window between messages.
 *
 * Node has no public synchronous streaming zlib: its *Sync functions start a fresh stream each
 * call. So a stream's native handle is driven the way node:zlib's own zlibBufferSync drives it
 * (handle.writeSync + _writeState, the same on Node 20 to 24). Where that handle is missing, each
 * message runs through the public *Sync functions with the last 2^windowBits bytes of the
 * direction's history as a preset dictionary: exactly the state a stream keeps between
 * sync-flushed messages, at about ten times the cost for small messages.
 */
import * as zlib from 'node:zlib';
import { allocFilled, copyBytes, type DeflateCodec, type RawCompressor, type RawDecompressor } from '../engine';

const SYNC_FLUSH = zlib.constants.Z_SYNC_FLUSH;
const OUTPUT_CHUNK = 64 * 1024;
/**
 * Where zlib writes the first output of every call. Calls are synchronous, so one buffer serves
 * all streams: a message of a few bytes then neither costs nor keeps alive a 64 KiB buffer.
 */
let scratch = Buffer.allocUnsafeSlow(OUTPUT_CHUNK);

/** The `produced` bytes zlib wrote into `out`, in a buffer the caller may keep. */
function takeOutput(out: Buffer, produced: number): Uint8Array {
  if (out !== scratch) return out.subarray(0, produced);
  if (produced === OUTPUT_CHUNK) {
    // Full: hand it over whole rather than copy it, and write into a new one from now on.
    scratch = Buffer.allocUnsafeSlow(OUTPUT_CHUNK);
    return out;
  }
  return copyOut(out.subarray(0, produced));
}

/** A copy of `bytes` in a buffer the size of them (cut from a pool, see engine/buffers.ts). */
function copyOut(bytes: Uint8Array): Uint8Array {
  const copy = allocFilled(bytes.length);
  copy.set(bytes);
  return copy;
}

/** `out` when it fills its buffer, else a copy: zlib's *Sync results can be views of a 16 KiB chunk. */
const ownBuffer = (out: Buffer): Uint8Array => (out.length === out.buffer.byteLength ? out : copyOut(out));

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void;
  onerror: (message: string, errno: number) => void;
}
type ZlibStream = zlib.DeflateRaw & { _handle?: ZlibHandle; _writeState?: Uint32Array };

/**
 * A zlib stream driven synchronously through its native handle, or null when Node lacks one.
 * `leftover` is how much input zlib did not take: after a block with BFINAL set the stream has
 * ended and takes nothing more.
 */
type SyncRun = (input: Uint8Array, maxOutput: number) => { output: Uint8Array | 'too-large'; leftover: number };

function syncStream(stream: ZlibStream): SyncRun | null {
  const handle = stream._handle;
  const state = stream._writeState;
  if (!handle || typeof handle.writeSync !== 'function' || !(state instanceof Uint32Array)) return null;
  let failure: Error | null = null;
  // zlib reports errors through this callback during writeSync; keep them synchronous.
  handle.onerror = (message: string) => {
    failure = new Error(message);
  };
  return (input, maxOutput) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let inOffset = 0;
    let inLength = input.length;
    for (;;) {
      // Outputs past the first (over 64 KiB in all) get buffers of their own.
      const out = chunks.length === 0 ? scratch : Buffer.allocUnsafe(OUTPUT_CHUNK);
      handle.writeSync(SYNC_FLUSH, input, inOffset, inLength, out, 0, OUTPUT_CHUNK);
      if (failure) {
        const error: Error = failure;
        failure = null;
        throw error;
      }
      const outLeft = state[0];
      const inLeft = state[1];
      const produced = OUTPUT_CHUNK - outLeft;
      if (produced > 0) {
        chunks.push(takeOutput(out, produced));
        total += produced;
        if (total > maxOutput) return { output: 'too-large', leftover: 0 };
      }
      inOffset += inLength - inLeft;
      inLength = inLeft;
      // A full output buffer means zlib has more to give for this input.
      if (outLeft !== 0) break;
    }
    return { output: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total), leftover: inLength };
  };
}

/**
 * The last `size` bytes of output. Outputs shorter than the window are kept by reference; of a
 * longer one only its last `size` bytes are copied, so a connection holds at most about two
 * windows, never a whole (up to maxMessageSize) message between messages.
 */
class RecentOutput {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  constructor(private readonly size: number) {}
  add(data: Uint8Array): void {
    if (data.length === 0) return;
    if (data.length >= this.size) {
      this.parts = [copyBytes(data.subarray(data.length - this.size))];
      this.bytes = this.size;
      return;
    }
    this.parts.push(data);
    this.bytes += data.length;
    while (this.parts.length > 1 && this.bytes - this.parts[0].length >= this.size) this.bytes -= this.parts.shift()!.length;
  }
  window(): Buffer {
    const all = Buffer.concat(this.parts, this.bytes);
    return all.subarray(Math.max(0, all.length - this.size));
  }
  clear(): void {
    this.parts = [];
    this.bytes = 0;
  }
}

/** The last `size` bytes of a direction's uncompressed data (the fallback's dictionary). */
class History {
  private bytes = new Uint8Array(0);
  constructor(private readonly size: number) {}
  get dictionary(): Uint8Array | undefined {
    return this.bytes.length ? this.bytes : undefined;
  }
  append(data: Uint8Array): void {
    if (data.length >= this.size) {
      this.bytes = copyBytes(data.subarray(data.length - this.size));
      return;
    }
    const keep = Math.min(this.bytes.length, this.size - data.length);
    const next = new Uint8Array(keep + data.length);
    next.set(this.bytes.subarray(this.bytes.length - keep));
    next.set(data, keep);
    this.bytes = next;
  }
  clear(): void {
    this.bytes = new Uint8Array(0);
  }
}

function tooLarge(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

export function createNodeDeflateCodec(options: { streaming?: boolean } = {}): DeflateCodec {
  const streaming = options.streaming ?? true;
  return {
    createCompressor({ windowBits, level, memLevel }): RawCompressor {
      const stream = zlib.createDeflateRaw({ windowBits, level, memLevel }) as ZlibStream;
      const run = streaming ? syncStream(stream) : null;
      if (run) {
        return { compress: (data) => run(data, Infinity).output as Uint8Array, reset: () => stream.reset(), close: () => stream.close() };
      }
      stream.close();
      const history = new History(1 << windowBits);
      return {
        compress(data) {
          const out = zlib.deflateRawSync(data, { windowBits, level, memLevel, dictionary: history.dictionary, finishFlush: SYNC_FLUSH });
          history.append(data);
          return ownBuffer(out);
        },
        reset: () => history.clear(),
        close: () => history.clear(),
      };
    },
    createDecompressor({ windowBits }): RawDecompressor {
      let stream = zlib.createInflateRaw({ windowBits }) as unknown as ZlibStream;
      let run = streaming ? syncStream(stream) : null;
      if (run) {
        // RFC 7692 §7.2.3.4 lets a peer end a message with a BFINAL block; the next message then
        // continues with the same window, so a fresh inflater is primed with it.
        const recent = new RecentOutput(1 << windowBits);
        const replace = (dictionary?: Buffer) => {
          stream.close();
          stream = zlib.createInflateRaw({ windowBits, dictionary }) as unknown as ZlibStream;
          run = syncStream(stream);
          primed = dictionary !== undefined;
        };
        let primed = false;
        return {
          decompress(data, max) {
            let { output, leftover } = run!(data, max);
            // Nothing taken: the last message ended its stream exactly (a final stored block that
            // the appended 00 00 ff ff completes), which no leftover showed. Go on with a fresh one.
            if (output !== 'too-large' && output.length === 0 && data.length > 0 && leftover === data.length) {
              replace(recent.window());
              ({ output, leftover } = run!(data, max));
            }
            if (output === 'too-large') return output;
            recent.add(output);
            if (leftover > 0) replace(recent.window());
            return output;
          },
          reset() {
            recent.clear();
            // zlib's reset() puts back the dictionary a stream was made with: a primed inflater
            // would keep the old window where no context takeover was agreed.
            if (primed) replace();
            else stream.reset();
          },
          close: () => stream.close(),
        };
      }
      stream.close();
      const history = new History(1 << windowBits);
      return {
        decompress(data, maxOutputLength) {
          let out: Buffer;
          try {
            // zlib needs a limit of at least 1; the caller checks the real limit below.
            out = zlib.inflateRawSync(data, { windowBits, dictionary: history.dictionary, maxOutputLength: Math.max(1, maxOutputLength), finishFlush: SYNC_FLUSH });
          } catch (error) {
            if (tooLarge(error)) return 'too-large';
            throw error;
          }
          if (out.length > maxOutputLength) return 'too-large';
          history.append(out);
          return ownBuffer(out);
        },
        reset: () => history.clear(),
        close: () => history.clear(),
      };
    },
  };
}

/** The codec the transport uses: streaming through zlib's handle where Node has it. */
export const nodeDeflateCodec: DeflateCodec = createNodeDeflateCodec();
