import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import {
  PerMessageDeflate,
  acceptDeflateResponse,
  deflateOffer,
  negotiateDeflate,
  type DeflateOptions,
  type DeflateParams,
} from '../../src/engine/deflate';
import { parseExtensionList, formatExtension, type ExtensionElement } from '../../src/engine/extensions';
import { HandshakeError, ProtocolError } from '../../src/engine/errors';
import { hex, nodeDeflateCodec, noDeflateParams, prng, randomBytes, toHex, utf8 } from './helpers';
import { createNodeDeflateCodec } from '../../src/transport/deflate-codec';

const element = (header: string): ExtensionElement => {
  const [first] = parseExtensionList(header);
  return first;
};
const params = (p: Partial<DeflateParams> = {}): DeflateParams => ({ ...noDeflateParams, ...p });

describe('RFC 7692 §7.1 client offer', () => {
  test('default offer: the bare client_max_window_bits', () => {
    assert.equal(formatExtension(deflateOffer()), 'permessage-deflate; client_max_window_bits');
  });

  test('every parameter', () => {
    const offer = deflateOffer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 });
    assert.equal(formatExtension(offer), 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12');
  });

  test('window bits outside 8..15 in our own options are a RangeError', () => {
    for (const bits of [7, 16, 9.5, Number.NaN]) {
      assert.throws(() => deflateOffer({ serverMaxWindowBits: bits }), RangeError);
      assert.throws(() => deflateOffer({ clientMaxWindowBits: bits }), RangeError);
      assert.throws(() => negotiateDeflate([], { serverMaxWindowBits: bits }), RangeError);
    }
  });
});

describe('RFC 7692 §7.1 server negotiation (negotiateDeflate)', () => {
  /** [offer header, server config, expected response or null when declined] */
  const matrix: [string, DeflateOptions, string | null, Partial<DeflateParams>?][] = [
    ['permessage-deflate', {}, 'permessage-deflate', {}],
    ['permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', {}],
    ['permessage-deflate; client_max_window_bits=10', {}, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['permessage-deflate; client_max_window_bits="10"', {}, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['permessage-deflate; server_max_window_bits=10', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ['permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ['permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ['permessage-deflate', { serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ['permessage-deflate', { clientNoContextTakeover: true }, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ['permessage-deflate', { serverMaxWindowBits: 12 }, 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 12 }],
    ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 12 }, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ['permessage-deflate; server_max_window_bits=14', { serverMaxWindowBits: 12 }, 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 12 }],
    ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 9 }],
    ['permessage-deflate; client_max_window_bits=14', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: true }, 'permessage-deflate', {}],
    // The server wants to limit the client's window but the client did not say it can: decline.
    ['permessage-deflate', { clientMaxWindowBits: 10 }, null],
    [
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8',
      {},
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8',
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8, clientMaxWindowBits: 8 },
    ],
  ];
  for (const [offer, config, response, agreed] of matrix) {
    test(`${offer} with ${JSON.stringify(config)} → ${response ?? 'declined'}`, () => {
      const { accepted, declined } = negotiateDeflate(parseExtensionList(offer), config);
      if (response === null) {
        assert.equal(accepted, null);
        assert.equal(declined.length, 1);
        return;
      }
      assert.ok(accepted);
      assert.equal(formatExtension(accepted.response), response);
      assert.deepEqual(accepted.params, params(agreed));
      assert.deepEqual(declined, []);
    });
  }

  for (let bits = 8; bits <= 15; bits++) {
    test(`window bits ${bits} are accepted in both parameters`, () => {
      const { accepted } = negotiateDeflate(parseExtensionList(`permessage-deflate; server_max_window_bits=${bits}; client_max_window_bits=${bits}`));
      assert.deepEqual(accepted?.params, params({ serverMaxWindowBits: bits, clientMaxWindowBits: bits }));
    });
  }

  const invalidOffers = [
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=08',
    'permessage-deflate; server_max_window_bits=abc',
    'permessage-deflate; server_max_window_bits=-9',
    'permessage-deflate; server_max_window_bits=+9',
    'permessage-deflate; server_max_window_bits=9.0',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; client_max_window_bits=08',
    'permessage-deflate; client_max_window_bits=abc',
    'permessage-deflate; client_max_window_bits="89"',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate; client_no_context_takeover="x"',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; client_no_context_takeover; client_no_context_takeover',
    'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10',
    'permessage-deflate; client_max_window_bits; client_max_window_bits=10',
    'permessage-deflate; foo',
    'permessage-deflate; foo=1',
    'permessage-deflate; Server_No_Context_Takeover',
  ];
  for (const offer of invalidOffers) {
    test(`declined: ${offer}`, () => {
      const { accepted, declined } = negotiateDeflate(parseExtensionList(offer));
      assert.equal(accepted, null);
      assert.equal(declined.length, 1);
    });
  }

  test('the first acceptable offer wins; invalid ones before it are declined with a reason', () => {
    const { accepted, declined } = negotiateDeflate(
      parseExtensionList('x-webkit-deflate-frame, permessage-deflate; foo, permessage-deflate; client_max_window_bits=9, permessage-deflate'),
    );
    assert.equal(formatExtension(accepted!.response), 'permessage-deflate; client_max_window_bits=9');
    assert.deepEqual(declined, ['unknown parameter foo']);
  });

  test('no permessage-deflate offer: nothing accepted, nothing declined', () => {
    assert.deepEqual(negotiateDeflate(parseExtensionList('x-webkit-deflate-frame; no_context_takeover')), { accepted: null, declined: [] });
  });
});

describe('RFC 7692 §7.1 client check of the response (acceptDeflateResponse)', () => {
  const accept = (response: string, offer: DeflateOptions | string = {}) =>
    acceptDeflateResponse(element(response), typeof offer === 'string' ? element(offer) : deflateOffer(offer));
  const rejects = (response: string, offer: DeflateOptions | string = {}) =>
    assert.throws(() => accept(response, offer), (e: unknown) => e instanceof HandshakeError && e.code === 'WSW_HS_EXTENSION', `${response} for ${JSON.stringify(offer)}`);

  test('plain acceptance', () => {
    assert.deepEqual(accept('permessage-deflate'), params());
  });

  test('each parameter the server may add', () => {
    assert.deepEqual(accept('permessage-deflate; server_no_context_takeover'), params({ serverNoContextTakeover: true }));
    assert.deepEqual(accept('permessage-deflate; client_no_context_takeover'), params({ clientNoContextTakeover: true }));
    assert.deepEqual(accept('permessage-deflate; server_max_window_bits=12'), params({ serverMaxWindowBits: 12 }));
    assert.deepEqual(accept('permessage-deflate; client_max_window_bits=10'), params({ clientMaxWindowBits: 10 }));
    for (let bits = 8; bits <= 15; bits++) {
      assert.deepEqual(accept(`permessage-deflate; server_max_window_bits=${bits}; client_max_window_bits=${bits}`), params({ serverMaxWindowBits: bits, clientMaxWindowBits: bits }));
    }
  });

  test('offered limits are honoured', () => {
    assert.deepEqual(accept('permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }), params({ serverNoContextTakeover: true }));
    assert.deepEqual(accept('permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 10 }), params({ serverMaxWindowBits: 9 }));
    assert.deepEqual(accept('permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }), params({ serverMaxWindowBits: 10 }));
    assert.deepEqual(accept('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }), params({ clientMaxWindowBits: 9 }));
    // §7.1.1.2: offering client_no_context_takeover binds the client even if the response omits it.
    assert.deepEqual(accept('permessage-deflate', { clientNoContextTakeover: true }), params({ clientNoContextTakeover: true }));
    // No value in the response: the client keeps to the limit it offered itself.
    assert.deepEqual(accept('permessage-deflate', { clientMaxWindowBits: 10 }), params({ clientMaxWindowBits: 10 }));
  });

  test('responses that break the offer are refused', () => {
    rejects('permessage-deflate', { serverNoContextTakeover: true });
    rejects('permessage-deflate', { serverMaxWindowBits: 10 });
    rejects('permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 10 });
    rejects('permessage-deflate; client_max_window_bits=11', { clientMaxWindowBits: 10 });
    rejects('permessage-deflate; client_max_window_bits=10', 'permessage-deflate');
    rejects('permessage-deflate; client_max_window_bits');
  });

  for (const bad of [
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=08',
    'permessage-deflate; server_max_window_bits=abc',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; client_max_window_bits=16',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; client_max_window_bits=10; client_max_window_bits=10',
    'permessage-deflate; foo',
  ]) {
    test(`invalid response refused: ${bad}`, () => rejects(bad));
  }
});

/** Strips the 00 00 ff ff that a sync flush ends with (RFC 7692 §7.2.1). */
const withoutTail = (data: Uint8Array): Uint8Array => {
  assert.equal(toHex(data.subarray(data.length - 4)), '0000ffff');
  return data.subarray(0, data.length - 4);
};

describe('RFC 7692 §7.2.3 examples (PerMessageDeflate with node:zlib)', () => {
  test('§7.2.3.1 "Hello" compresses to f2 48 cd c9 c9 07 00 and back', () => {
    const server = new PerMessageDeflate(params(), 'server', nodeDeflateCodec);
    assert.equal(toHex(server.compress(utf8('Hello'))), 'f248cdc9c90700');
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    assert.equal(toHex(client.decompress(hex('f248cdc9c90700'), 1000)), toHex(utf8('Hello')));
  });

  test('§7.2.3.2 with context takeover the second "Hello" is f2 00 11 00 00', () => {
    const server = new PerMessageDeflate(params(), 'server', nodeDeflateCodec);
    assert.equal(toHex(server.compress(utf8('Hello'))), 'f248cdc9c90700');
    assert.equal(toHex(server.compress(utf8('Hello'))), 'f200110000');
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    assert.equal(toHex(client.decompress(hex('f248cdc9c90700'), 1000)), '48656c6c6f');
    assert.equal(toHex(client.decompress(hex('f200110000'), 1000)), '48656c6c6f');
  });

  test('no context takeover: each side only resets the direction it was told to', () => {
    const server = new PerMessageDeflate(params({ serverNoContextTakeover: true }), 'server', nodeDeflateCodec);
    assert.equal(toHex(server.compress(utf8('Hello'))), 'f248cdc9c90700');
    assert.equal(toHex(server.compress(utf8('Hello'))), 'f248cdc9c90700');
    const client = new PerMessageDeflate(params({ serverNoContextTakeover: true }), 'client', nodeDeflateCodec);
    assert.equal(toHex(client.compress(utf8('Hello'))), 'f248cdc9c90700');
    assert.equal(toHex(client.compress(utf8('Hello'))), 'f200110000');
    client.decompress(hex('f248cdc9c90700'), 1000);
    assert.throws(() => client.decompress(hex('f200110000'), 1000), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1007 && e.code === 'WSW_ERR_INVALID_COMPRESSED_DATA');
    const clientNoTakeover = new PerMessageDeflate(params({ clientNoContextTakeover: true }), 'client', nodeDeflateCodec);
    clientNoTakeover.compress(utf8('Hello'));
    assert.equal(toHex(clientNoTakeover.compress(utf8('Hello'))), 'f248cdc9c90700');
  });

  test('§7.2.3.3 a block with no compression: 00 05 00 fa ff 48 65 6c 6c 6f 00', () => {
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    assert.equal(toHex(client.decompress(hex('000500faff48656c6c6f00'), 1000)), '48656c6c6f');
  });

  test('§7.2.3.4 a block with BFINAL set: f3 48 cd c9 c9 07 00 00', () => {
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    assert.equal(toHex(client.decompress(hex('f348cdc9c9070000'), 1000)), '48656c6c6f');
    // The context still carries over to the next message.
    assert.equal(toHex(client.decompress(hex('f200110000'), 1000)), '48656c6c6f');
  });

  test('§7.2.3.4 then no context takeover: after a BFINAL message the next one starts from an empty window', () => {
    const server = new PerMessageDeflate(params({ clientNoContextTakeover: true }), 'server', nodeDeflateCodec);
    assert.equal(toHex(server.decompress(hex('f348cdc9c9070000'), 1000)), '48656c6c6f');
    // "Hello" again as a back-reference into the last message: invalid with an empty window.
    assert.throws(() => server.decompress(hex('f200110000'), 1000), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1007);
    const fresh = new PerMessageDeflate(params({ clientNoContextTakeover: true }), 'server', nodeDeflateCodec);
    fresh.decompress(hex('f348cdc9c9070000'), 1000);
    assert.equal(toHex(fresh.decompress(hex('f248cdc9c90700'), 1000)), '48656c6c6f', 'a self-contained message still inflates');
  });

  test('a message whose final stored block the appended 00 00 ff ff completes ends the stream exactly: the next message still inflates', () => {
    // 01 = BFINAL, stored; with the tail: LEN 0000, NLEN ffff. Nothing is left over to show that
    // the stream ended (found by a differential fuzz against ws, which loses it too).
    for (const codec of [nodeDeflateCodec, createNodeDeflateCodec({ streaming: false })]) {
      const client = new PerMessageDeflate(params(), 'client', codec);
      assert.equal(client.decompress(hex('01'), 1000).length, 0);
      assert.equal(toHex(client.decompress(hex('f248cdc9c90700'), 1000)), '48656c6c6f');
      assert.throws(() => client.decompress(hex('deadbeef'), 1000), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1007, 'garbage after it still fails');
    }
  });

  test('§7.2.3.5 two DEFLATE blocks: f2 48 05 00 00 00 ff ff ca c9 c9 07 00', () => {
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    assert.equal(toHex(client.decompress(hex('f24805000000ffffcac9c90700'), 1000)), '48656c6c6f');
  });

  test('§7.2.3.6 the empty message is a single 00; an empty payload also inflates to nothing', () => {
    const server = new PerMessageDeflate(params(), 'server', nodeDeflateCodec);
    assert.equal(toHex(server.compress(new Uint8Array(0))), '00');
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    assert.equal(client.decompress(hex('00'), 1000).length, 0);
    assert.equal(client.decompress(new Uint8Array(0), 1000).length, 0);
  });

  test('inflation is bounded: exactly maxSize passes, more is 1009 (a zip bomb stops early)', () => {
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    const thousand = withoutTail(zlib.deflateRawSync(new Uint8Array(1000), { finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    assert.equal(client.decompress(thousand, 1000).length, 1000);
    assert.throws(() => client.decompress(thousand, 999), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1009 && e.code === 'WSW_ERR_MESSAGE_TOO_BIG');
    const bomb = zlib.deflateRawSync(new Uint8Array(64 * 1024 * 1024));
    assert.throws(() => client.decompress(bomb, 1024 * 1024), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1009);
  });

  test('corrupt data is 1007', () => {
    const client = new PerMessageDeflate(params(), 'client', nodeDeflateCodec);
    for (const bad of ['ff', '07', 'f248cdc9c907ff', '0005 00fbff48656c6c6f']) {
      assert.throws(() => client.decompress(hex(bad), 1000), (e: unknown) => e instanceof ProtocolError && e.closeCode === 1007 && e.code === 'WSW_ERR_INVALID_COMPRESSED_DATA', bad);
    }
  });
});

/** A streaming peer as ws and browsers have it: one zlib stream per direction, sync-flushed per message. */
class StreamingPeer {
  private deflater: zlib.DeflateRaw | null = null;
  private inflater: zlib.InflateRaw | null = null;
  constructor(
    private readonly windowBits: number,
    private readonly takeover: boolean,
  ) {}

  async deflate(message: Uint8Array): Promise<Uint8Array> {
    if (!this.deflater || !this.takeover) this.deflater = zlib.createDeflateRaw({ windowBits: this.windowBits });
    return withoutTail(await StreamingPeer.run(this.deflater, message));
  }

  async inflate(compressed: Uint8Array): Promise<Uint8Array> {
    if (!this.inflater || !this.takeover) this.inflater = zlib.createInflateRaw({ windowBits: this.windowBits });
    return StreamingPeer.run(this.inflater, Buffer.concat([compressed, hex('0000ffff')]));
  }

  private static run(stream: zlib.DeflateRaw | zlib.InflateRaw, input: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const onData = (chunk: Buffer) => chunks.push(chunk);
      stream.on('data', onData);
      stream.once('error', reject);
      stream.write(input);
      stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        stream.off('data', onData);
        stream.off('error', reject);
        resolve(Uint8Array.from(Buffer.concat(chunks)));
      });
    });
  }
}

/** Messages with repetition within and across messages, at distances near every window size. */
function messages(seed: number, count: number): Uint8Array[] {
  const random = prng(seed);
  const vocabulary = Array.from({ length: 40 }, () => randomBytes(random, 3 + Math.floor(random() * 20)));
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const size = [0, 1, 50, 200, 300, 600, 3000, 40000][Math.floor(random() * 8)];
    const parts: Uint8Array[] = [];
    let length = 0;
    while (length < size) {
      const part = random() < 0.1 ? randomBytes(random, 1 + Math.floor(random() * 30)) : vocabulary[Math.floor(random() * vocabulary.length)];
      parts.push(part);
      length += part.length;
    }
    out.push(Uint8Array.from(Buffer.concat(parts)).subarray(0, size));
  }
  return out;
}

describe('Interop with a streaming zlib peer (context takeover across messages)', () => {
  for (let bits = 8; bits <= 15; bits++) {
    for (const takeover of [true, false]) {
      test(`window bits ${bits}, ${takeover ? 'with' : 'without'} context takeover, both directions`, async () => {
        const agreed = params({ serverMaxWindowBits: bits, clientMaxWindowBits: bits, serverNoContextTakeover: !takeover, clientNoContextTakeover: !takeover });
        const ours = new PerMessageDeflate(agreed, 'server', nodeDeflateCodec);
        const peer = new StreamingPeer(bits, takeover);
        for (const [i, message] of messages(bits * 2 + (takeover ? 1 : 0), 40).entries()) {
          // We compress, a streaming inflater with the negotiated window reads it.
          const fromUs = ours.compress(message);
          assert.ok(Buffer.from(await peer.inflate(fromUs)).equals(Buffer.from(message)), `our message ${i} (${message.length} bytes)`);
          // A streaming deflater compresses, we read it.
          const fromPeer = await peer.deflate(message);
          assert.ok(Buffer.from(ours.decompress(fromPeer, 1 << 20)).equals(Buffer.from(message)), `peer message ${i} (${message.length} bytes)`);
        }
      });
    }
  }
});
