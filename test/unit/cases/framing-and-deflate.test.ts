import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptDeflateOffer,
  acceptanceExtensionString,
  deflateOffer,
  offerExtensionString,
} from '../../../src/cases/deflate';
import { caseById } from '../../../src/cases/catalogue/index';
import { messageFrames } from '../../../src/cases/fragment';

const summary = (payload: Uint8Array, framing: Parameters<typeof messageFrames>[1]) =>
  messageFrames(payload, framing).map((frame) => `${frame.opcode}/${frame.fin ? 'fin' : '-'}/rsv${frame.rsv}/${frame.payload?.length}`);

describe('messageFrames (Autobahn sendMessageHybi)', () => {
  test('fits in one frame', () => {
    assert.deepEqual(summary(new Uint8Array(10), { binary: false, compressed: false }), ['1/fin/rsv0/10']);
    assert.deepEqual(summary(new Uint8Array(10), { binary: true, fragmentSize: 10, compressed: false }), ['2/fin/rsv0/10']);
  });

  test('fragments with a short last frame', () => {
    assert.deepEqual(summary(new Uint8Array(25), { binary: false, fragmentSize: 10, compressed: false }), ['1/-/rsv0/10', '0/-/rsv0/10', '0/fin/rsv0/5']);
  });

  test('an exact multiple ends with an extra empty FIN frame, as Autobahn sends it', () => {
    assert.deepEqual(summary(new Uint8Array(30), { binary: false, fragmentSize: 10, compressed: false }), [
      '1/-/rsv0/10',
      '0/-/rsv0/10',
      '0/-/rsv0/10',
      '0/fin/rsv0/0',
    ]);
  });

  test('compressed: RSV1 on the first frame only', () => {
    assert.deepEqual(summary(new Uint8Array(5), { binary: true, fragmentSize: 2, compressed: true }), ['2/-/rsv4/2', '0/-/rsv0/2', '0/fin/rsv0/1']);
  });

  test('10.1.1 makes one text frame and 50 continuation frames', () => {
    const frames = messageFrames(new Uint8Array(65536), { binary: false, fragmentSize: 1300, compressed: false });
    assert.deepEqual([frames.filter((f) => f.opcode === 1).length, frames.filter((f) => f.opcode === 0).length], [1, 50]);
  });
});

describe('permessage-deflate negotiation facts', () => {
  test('offer strings as Autobahn writes them', () => {
    assert.equal(offerExtensionString(deflateOffer()), 'permessage-deflate; client_no_context_takeover; client_max_window_bits');
    assert.equal(
      offerExtensionString(deflateOffer({ requestNoContextTakeover: true, requestMaxWindowBits: 9 })),
      'permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=9',
    );
  });

  test('13.7: the first rule that an offer supports wins', () => {
    const setup = caseById('13.7.1')?.deflate;
    assert.ok(setup);
    assert.equal(setup.clientOffers.length, 3);
    const modest = { acceptNoContextTakeover: true, acceptMaxWindowBits: false, requestNoContextTakeover: false, requestMaxWindowBits: 0 };
    const accepted = acceptDeflateOffer(setup.serverAcceptRules, [modest]);
    assert.deepEqual(accepted && { noContext: accepted.requestNoContextTakeover, bits: accepted.requestMaxWindowBits }, { noContext: true, bits: 0 });
    assert.equal(accepted && acceptanceExtensionString(accepted), 'permessage-deflate; client_no_context_takeover');
  });

  test('13.3 declines a client that cannot take a window size', () => {
    const setup = caseById('13.3.1')?.deflate;
    assert.ok(setup);
    const noWindowBits = { acceptNoContextTakeover: true, acceptMaxWindowBits: false, requestNoContextTakeover: false, requestMaxWindowBits: 0 };
    assert.equal(acceptDeflateOffer(setup.serverAcceptRules, [noWindowBits]), null);
    const accepted = acceptDeflateOffer(setup.serverAcceptRules, setup.clientOffers);
    assert.equal(
      accepted && acceptanceExtensionString(accepted),
      'permessage-deflate; server_max_window_bits=9; client_max_window_bits=9',
    );
  });

  test('12.x accepts any offer as it is', () => {
    const setup = caseById('12.4.2')?.deflate;
    assert.ok(setup);
    assert.deepEqual(setup.clientOffers, [deflateOffer()]);
    const accepted = acceptDeflateOffer(setup.serverAcceptRules, [deflateOffer({ requestMaxWindowBits: 10 })]);
    assert.equal(accepted && acceptanceExtensionString(accepted), 'permessage-deflate; server_max_window_bits=10');
  });
});
