/**
 * permessage-deflate negotiation for 12.x and 13.x, with the parameters of Autobahn's
 * `PerMessageDeflateOffer` / `PerMessageDeflateOfferAccept` (autobahn/websocket/compress_deflate.py
 * 0.10.9). Only the case facts live here; compressing is the engine's job.
 */

/** What a client offers. */
export interface DeflateOffer {
  /** The client accepts `client_no_context_takeover` from the server. */
  acceptNoContextTakeover: boolean;
  /** The client accepts `client_max_window_bits` from the server. */
  acceptMaxWindowBits: boolean;
  /** The client asks for `server_no_context_takeover`. */
  requestNoContextTakeover: boolean;
  /** The client asks for `server_max_window_bits=N` (8-15); 0 = not asked. */
  requestMaxWindowBits: number;
}

/** What a server asks of the client when it accepts an offer. */
export interface DeflateAcceptRule {
  requestNoContextTakeover: boolean;
  /** 0 = not asked. */
  requestMaxWindowBits: number;
}

export interface DeflateAcceptance extends DeflateAcceptRule {
  offer: DeflateOffer;
}

export interface DeflateSetup {
  /** Offered in this order when we are the client. */
  clientOffers: readonly DeflateOffer[];
  /** When we are the server: tried in order against the client's offers (see `acceptDeflateOffer`). */
  serverAcceptRules: readonly DeflateAcceptRule[];
}

/** Autobahn's `PerMessageDeflateOffer()` defaults. */
export function deflateOffer(request: Partial<Pick<DeflateOffer, 'requestNoContextTakeover' | 'requestMaxWindowBits'>> = {}): DeflateOffer {
  return {
    acceptNoContextTakeover: true,
    acceptMaxWindowBits: true,
    requestNoContextTakeover: request.requestNoContextTakeover ?? false,
    requestMaxWindowBits: request.requestMaxWindowBits ?? 0,
  };
}

/** The Sec-WebSocket-Extensions element for an offer, exactly as Autobahn writes it. */
export function offerExtensionString(offer: DeflateOffer): string {
  let text = 'permessage-deflate';
  if (offer.acceptNoContextTakeover) text += '; client_no_context_takeover';
  if (offer.acceptMaxWindowBits) text += '; client_max_window_bits';
  if (offer.requestNoContextTakeover) text += '; server_no_context_takeover';
  if (offer.requestMaxWindowBits !== 0) text += `; server_max_window_bits=${offer.requestMaxWindowBits}`;
  return text;
}

/** The Sec-WebSocket-Extensions element a server answers with, exactly as Autobahn writes it. */
export function acceptanceExtensionString(acceptance: DeflateAcceptance): string {
  let text = 'permessage-deflate';
  if (acceptance.offer.requestNoContextTakeover) text += '; server_no_context_takeover';
  if (acceptance.offer.requestMaxWindowBits !== 0) text += `; server_max_window_bits=${acceptance.offer.requestMaxWindowBits}`;
  if (acceptance.requestNoContextTakeover) text += '; client_no_context_takeover';
  if (acceptance.requestMaxWindowBits !== 0) text += `; client_max_window_bits=${acceptance.requestMaxWindowBits}`;
  return text;
}

/**
 * The server side of Autobahn's `accept1`..`accept7`: for each rule in order, the first offer that
 * supports what the rule asks for is accepted with it; null declines (no extension).
 */
export function acceptDeflateOffer(rules: readonly DeflateAcceptRule[], offers: readonly DeflateOffer[]): DeflateAcceptance | null {
  for (const rule of rules) {
    const offer = offers.find(
      (candidate) =>
        (!rule.requestNoContextTakeover || candidate.acceptNoContextTakeover) &&
        (rule.requestMaxWindowBits === 0 || candidate.acceptMaxWindowBits),
    );
    if (offer) return { offer, ...rule };
  }
  return null;
}
