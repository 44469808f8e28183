/** node:zlib behind the engine's DeflateCodec interface (synchronous, bounded inflation). */
import * as zlib from 'node:zlib';
import type { DeflateCodec } from '../engine';

const SYNC_FLUSH = zlib.constants.Z_SYNC_FLUSH;

export const nodeDeflateCodec: DeflateCodec = {
  deflateRaw(data, { windowBits, level, memLevel, dictionary }) {
    return zlib.deflateRawSync(data, { windowBits, level, memLevel, dictionary, finishFlush: SYNC_FLUSH });
  },
  inflateRaw(data, { windowBits, dictionary, maxOutputLength }) {
    try {
      // maxOutputLength must be >= 1 for zlib; a 0 limit still lets an empty message through.
      return zlib.inflateRawSync(data, { windowBits, dictionary, maxOutputLength: Math.max(1, maxOutputLength), finishFlush: SYNC_FLUSH });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too-large';
      throw error;
    }
  },
};
