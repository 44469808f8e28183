// Both ways the node:zlib codec can work (streaming through zlib's handle, and the
// preset-dictionary fallback) against an independent streaming zlib peer (zlib.createDeflateRaw /
// createInflateRaw with Z_SYNC_FLUSH), across messages, with and without context takeover.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { PerMessageDeflate, ProtocolError, type DeflateParams } from '../../src/engine';
import { createNodeDeflateCodec } from '../../src/transport/deflate-codec';

const SYNC = zlib.constants.Z_SYNC_FLUSH;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** ArrayBuffer bytes still reachable after full collections. */
function heldBytes(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/** A streaming zlib peer: what ws or a browser runs on the other side. */
function streamingPeer(windowBits: number, takeover: boolean) {
  const deflater = zlib.createDeflateRaw({ windowBits });
  const inflater = zlib.createInflateRaw({ windowBits });
  const run = (stream: zlib.DeflateRaw | zlib.InflateRaw, data: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (c: Buffer) => chunks.push(c);
      stream.on('data', onData);
      stream.once('error', reject);
      stream.write(data);
      stream.flush(SYNC, () => {
        stream.off('data', onData);
        resolve(Buffer.concat(chunks));
      });
    });
  return {
    async compress(message: Buffer) {
      const out = await run(deflater, message);
      if (!takeover) deflater.reset();
      return out.subarray(0, out.length - 4);
    },
    inflate: (compressed: Uint8Array) => run(inflater, Buffer.concat([compressed, TAIL])),
    close() {
      deflater.close();
      inflater.close();
    },
  };
}

const params = (p: Partial<DeflateParams> = {}): DeflateParams => ({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15, ...p });
const messages = [
  Buffer.from('Hello, permessage-deflate! '.repeat(30)),
  Buffer.from('Hello, permessage-deflate! '.repeat(31)),
  Buffer.alloc(0),
  Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251)),
  Buffer.from('Hello, permessage-deflate! again'),
];

for (const streaming of [true, false]) {
  describe(`node deflate codec (${streaming ? 'zlib handle' : 'preset-dictionary fallback'})`, () => {
    const codec = createNodeDeflateCodec({ streaming });
    for (const bits of [9, 12, 15]) {
      for (const takeover of [true, false]) {
        test(`window ${bits}, ${takeover ? 'context takeover' : 'no context takeover'}: both directions match a streaming zlib`, async () => {
          const p = params({ serverMaxWindowBits: bits, clientMaxWindowBits: bits, serverNoContextTakeover: !takeover, clientNoContextTakeover: !takeover });
          const ours = new PerMessageDeflate(p, 'server', codec);
          const peer = streamingPeer(bits, takeover);
          try {
            const sizes: number[] = [];
            for (const m of messages) {
              // Our compressed messages inflate in the peer's one long-lived stream...
              const compressed = ours.compress(m);
              sizes.push(compressed.length);
              assert.ok(Buffer.from(await peer.inflate(compressed)).equals(m));
              // ...and the peer's, with its context carried over, inflate in ours.
              assert.ok(Buffer.from(ours.decompress(await peer.compress(m), 1 << 20)).equals(m));
            }
            // With takeover the second message reuses the first: far smaller than alone.
            if (takeover) assert.ok(sizes[1] < sizes[0] / 2, `sizes ${sizes}`);
            else assert.ok(sizes[1] >= sizes[0], `sizes ${sizes}`);
          } finally {
            ours.close();
            peer.close();
          }
        });
      }
    }

    test('between messages only the window is kept, not the last message (16 MiB each way)', () => {
      const size = 16 * 1024 * 1024;
      const compressed = zlib.deflateRawSync(Buffer.alloc(size), { finishFlush: SYNC }).subarray(0, -4);
      const ours = new PerMessageDeflate(params(), 'server', codec);
      const before = heldBytes();
      // in a function of its own: the caller's frame must not hold the messages itself
      const run = () => {
        assert.equal(ours.decompress(compressed, size).length, size);
        assert.ok(ours.compress(Buffer.alloc(size)).length < size / 100);
      };
      run();
      const held = heldBytes() - before;
      assert.ok(held < 2 * 1024 * 1024, `${held} bytes held after the messages were dropped`);
      ours.close();
    });

    test('every output is the caller\'s to keep: later ones, in any stream, leave it as it was', () => {
      // Sizes around the 64 KiB that zlib writes per call: under it (copied out of the shared
      // first-output buffer), exactly it (handed over whole), and past it (several calls).
      const sizes = [1, 100, 4096, 65535, 65536, 65537, 200_000];
      const inputs = sizes.map((size, i) => Buffer.from(Array.from({ length: size }, (_, j) => (j * (i + 3) * 7919) % 251)));
      const a = new PerMessageDeflate(params(), 'client', codec);
      const b = new PerMessageDeflate(params({ serverNoContextTakeover: true }), 'server', codec);
      const inflater = new PerMessageDeflate(params(), 'server', codec);
      const compressed = inputs.map((m, i) => (i % 2 ? a : b).compress(m));
      const copies = compressed.map((c) => Buffer.from(c));
      const inflated = compressed.map((c, i) => (i % 2 ? inflater : new PerMessageDeflate(params(), 'client', codec)).decompress(c, 1 << 20));
      inflated.forEach((m, i) => {
        assert.ok(Buffer.from(m as Uint8Array).equals(inputs[i]), `message of ${sizes[i]} bytes changed`);
        // Holds its own bytes, not a 64 KiB buffer for a few of them.
        if (sizes[i] < 4096) assert.ok((m as Uint8Array).buffer.byteLength <= Buffer.poolSize, `${sizes[i]} bytes in a ${(m as Uint8Array).buffer.byteLength}-byte buffer`);
      });
      compressed.forEach((c, i) => assert.ok(Buffer.from(c).equals(copies[i]), `compressed message ${i} changed`));
      for (const d of [a, b, inflater]) d.close();
    });

    test('a zip bomb stops at the limit with 1009; corrupt data is 1007', () => {
      const bomb = zlib.deflateRawSync(Buffer.alloc(8 * 1024 * 1024), { finishFlush: SYNC }).subarray(0, -4);
      const ours = new PerMessageDeflate(params(), 'server', codec);
      assert.throws(() => ours.decompress(bomb, 1024 * 1024), (e: ProtocolError) => e.closeCode === 1009);
      const other = new PerMessageDeflate(params(), 'server', codec);
      assert.throws(() => other.decompress(Buffer.from('ffffffff', 'hex'), 1024), (e: ProtocolError) => e.closeCode === 1007);
      ours.close();
      other.close();
    });
  });
}
