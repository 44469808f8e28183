/**
 * Sections 12 and 13, WebSocket Compression: 1000 permessage-deflate messages echoed one after
 * the other, over five payload corpora (12.x) and seven negotiation variants (13.x), each at 18
 * message/fragment sizes. Cases judge themselves; without deflate negotiated they are UNIMPLEMENTED.
 */
import { createHash } from 'node:crypto';
import { CloseCode } from '../../engine/constants';
import { concatBytes, pyBool, toHex, utf8 } from '../bytes';
import type { CaseHandlers } from '../context';
import { CORPORA, loadCorpus, type Corpus, type CorpusInfo } from '../corpus';
import { deflateOffer, type DeflateAcceptRule, type DeflateOffer, type DeflateSetup } from '../deflate';
import type { CaseDefinition } from '../definition';
import { defineCase, normalCloseByMe } from './builders';

const MESSAGE_COUNT = 1000;

/** Autobahn's MSG_SIZES: message length, seconds before the case gives up, auto-fragment size (0: none). */
const MESSAGE_SIZES: readonly { length: number; waitSeconds: number; fragmentSize: number }[] = [
  ...[16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072].map((length) => ({
    length,
    waitSeconds: length <= 64 ? 60 : length === 256 ? 120 : length === 1024 ? 240 : 480,
    fragmentSize: 0,
  })),
  ...[8192, 16384, 32768, 65536, 131072].map((length) => ({ length, waitSeconds: 480, fragmentSize: 256 })),
  ...[1024, 4096, 32768].map((fragmentSize) => ({ length: 131072, waitSeconds: 480, fragmentSize })),
];

/**
 * Successive messages of `length` units (octets, or characters of a text corpus) cut from the
 * corpus, wrapping around at its end.
 */
function messageSource(corpus: Corpus, length: number): () => Uint8Array {
  const total = corpus.text?.length ?? corpus.octets.length;
  const cut = (start: number, end: number) => (corpus.text === undefined ? corpus.octets.subarray(start, end) : utf8(corpus.text.slice(start, end)));
  let from = 0;
  return () => {
    const to = (from + length) % total;
    const message = to > from ? cut(from, to) : concatBytes(cut(from, total), cut(0, to));
    from = to;
    return message;
  };
}

const sha1 = (octets: Uint8Array) => createHash('sha1').update(octets).digest();

/**
 * Characters in a text message (Autobahn decodes before comparing lengths), octets in a binary one.
 * The engine has validated the text, so its code points are exactly the octets that do not
 * continue a sequence (10xxxxxx); counting them avoids decoding 131 MB per case.
 */
function messageLength(payload: Uint8Array, binary: boolean): number {
  if (binary) return payload.length;
  let continuations = 0;
  for (let i = 0; i < payload.length; i++) if ((payload[i] & 0xc0) === 0x80) continuations++;
  return payload.length - continuations;
}

function compressionCase(id: string, description: string, info: CorpusInfo, size: (typeof MESSAGE_SIZES)[number], deflate: DeflateSetup): CaseDefinition {
  const { length, waitSeconds, fragmentSize } = size;
  return defineCase({
    id,
    description,
    expectation: `Receive echo'ed messages (with payload as sent). Timeout case after ${waitSeconds} secs.`,
    expectedClose: normalCloseByMe,
    reportTime: true,
    reportCompressionRatio: true,
    deflate,
    start(ctx): CaseHandlers {
      ctx.setWireLog(false, { marker: true });
      if (!ctx.deflateActive()) {
        ctx.setBehavior('UNIMPLEMENTED');
        ctx.sendClose({ code: CloseCode.NormalClosure });
        return {};
      }
      ctx.setBehavior('FAILED', `Case did not finish within ${waitSeconds} seconds.`);
      ctx.closeAfter(waitSeconds);

      const nextMessage = messageSource(loadCorpus(info), length);
      let sent = 0;
      // Compared octet by octet; the SHA-1s Autobahn compares are computed for the report only.
      let expected: Uint8Array = new Uint8Array(0);
      const sendOne = () => {
        const message = nextMessage();
        expected = message;
        ctx.sendMessage(message, { binary: info.binary, fragmentSize: fragmentSize || undefined });
        sent++;
      };
      const fail = (result: string) => {
        ctx.setBehavior('FAILED', result);
        ctx.setWireLog(true, { marker: true });
        ctx.sendClose({ code: CloseCode.NormalClosure });
      };
      sendOne();
      return {
        onMessage(payload, binary) {
          const receivedLength = messageLength(payload, info.binary);
          if (binary !== info.binary) {
            fail(`Echo'ed message type differs from what I sent (got binary ${pyBool(binary)}, expected binary ${pyBool(info.binary)}).`);
          } else if (receivedLength !== length) {
            fail(`Echo'ed message length differs from what I sent (got length ${receivedLength}, expected length ${length}).`);
          } else if (!Buffer.from(payload.buffer, payload.byteOffset, payload.length).equals(expected)) {
            fail(`Echo'ed message contents differs from what I sent (got SHA1 ${toHex(sha1(payload))}, expected SHA1 ${toHex(sha1(expected))}).`);
          } else if (sent < MESSAGE_COUNT) {
            sendOne();
          } else {
            ctx.setBehavior('OK', 'Ok, received all echo\'ed messages in time.');
            ctx.captureTrafficStats();
            ctx.setWireLog(true, { marker: true });
            ctx.sendClose({ code: CloseCode.NormalClosure });
          }
        },
      };
    },
  });
}

const corpusTitle = (info: CorpusInfo) => `${info.description} (${info.binary ? 'binary' : 'utf8'}, ${info.size} bytes)`;

/** 12.x: Autobahn's default offer (and, as a server, accepting any offer as is). */
const DEFAULT_DEFLATE: DeflateSetup = {
  clientOffers: [deflateOffer()],
  serverAcceptRules: [{ requestNoContextTakeover: false, requestMaxWindowBits: 0 }],
};

const payloadCases = CORPORA.flatMap((info, c) =>
  MESSAGE_SIZES.map((size, i) =>
    compressionCase(
      `12.${c + 1}.${i + 1}`,
      `Send ${MESSAGE_COUNT} compressed messages each of payload size ${size.length}, auto-fragment to ${size.fragmentSize} octets. Use default permessage-deflate offer.`,
      info,
      size,
      DEFAULT_DEFLATE,
    ),
  ),
);

/** Python's repr of Autobahn's (requestNoContextTakeover, requestMaxWindowBits) pairs. */
const pairs = (items: readonly DeflateAcceptRule[]) =>
  `[${items.map((item) => `(${pyBool(item.requestNoContextTakeover)}, ${item.requestMaxWindowBits})`).join(', ')}]`;

const request = (requestNoContextTakeover: boolean, requestMaxWindowBits: number): DeflateAcceptRule => ({
  requestNoContextTakeover,
  requestMaxWindowBits,
});

/**
 * Autobahn's DEFLATE_PARAMS: the offers a client makes (each asks for these parameters), and as
 * a server the rules of its accept1..accept7, which ask the client for the same.
 */
const PARAMETER_VARIANTS: readonly { offers: DeflateOffer[]; acceptRules: DeflateAcceptRule[] }[] = [
  [request(false, 0)],
  [request(true, 0)],
  [request(false, 9)],
  [request(false, 15)],
  [request(true, 9)],
  [request(true, 15)],
  [request(true, 9), request(true, 0), request(false, 0)],
].map((requests) => ({ offers: requests.map((asked) => deflateOffer(asked)), acceptRules: requests }));

const JSON_CORPUS = CORPORA[0];

const parameterCases = PARAMETER_VARIANTS.flatMap(({ offers, acceptRules }, v) =>
  MESSAGE_SIZES.map((size, i) =>
    compressionCase(
      `13.${v + 1}.${i + 1}`,
      `Send ${MESSAGE_COUNT} compressed messages each of payload size ${size.length}, auto-fragment to ${size.fragmentSize} octets. Use permessage-deflate client offers (requestNoContextTakeover, requestMaxWindowBits): ${pairs(offers)}`,
      JSON_CORPUS,
      size,
      { clientOffers: offers, serverAcceptRules: acceptRules },
    ),
  ),
);

export const compressionCases: CaseDefinition[] = [...payloadCases, ...parameterCases];

/** Subsection titles (Autobahn's CaseSubCategories for 12.x and 13.x). */
export const compressionSubsectionTitles: [string, string][] = [
  ...CORPORA.map((info, c): [string, string] => [`12.${c + 1}`, corpusTitle(info)]),
  ...PARAMETER_VARIANTS.map(({ offers, acceptRules }, v): [string, string] => [
    `13.${v + 1}`,
    `${corpusTitle(JSON_CORPUS)} - client offers (requestNoContextTakeover, requestMaxWindowBits): ${pairs(offers)} / server accept (requestNoContextTakeover, requestMaxWindowBits): ${pairs(acceptRules)}`,
  ]),
];
