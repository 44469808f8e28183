/**
 * The "Expected:" and "Observed:" lines of a case report: Python 2 reprs of Autobahn's event
 * tuples after its `cleanBin` (payloads replaced by their log previews), e.g.
 * {'OK': [('pong', u'pongme 1!'), ('message', u'abc', False)]}. A payload that decodes shows as
 * u'…' (every non-ASCII character escaped, as Python 2 does), one that does not as '0x…'.
 * Dict keys keep their insertion order, as on the PyPy the Autobahn image runs.
 */
import type { ExpectationKey, ObservedEvent } from '../cases/result';
import { payloadPreview } from '../wire/log-preview';

/** Autobahn's MAX_CASE_PICKLE_LEN: longer reprs are cut and end in " ...". */
const MAX_REPR_LENGTH = 1000;

export function expectedRepr(expected: Partial<Record<ExpectationKey, readonly ObservedEvent[]>>): string {
  const items = Object.entries(expected).map(([key, events]) => `${pyStr(key)}: ${eventsRepr(events ?? [])}`);
  return limitString(`{${items.join(', ')}}`, MAX_REPR_LENGTH);
}

export function observedRepr(observed: readonly ObservedEvent[]): string {
  return limitString(eventsRepr(observed), MAX_REPR_LENGTH);
}

function eventsRepr(events: readonly ObservedEvent[]): string {
  return `[${events.map(eventRepr).join(', ')}]`;
}

function eventRepr(event: ObservedEvent): string {
  switch (event.type) {
    case 'message':
      return `('message', ${payloadRepr(event.payload)}, ${event.binary ? 'True' : 'False'})`;
    case 'ping':
    case 'pong':
      return `('${event.type}', ${payloadRepr(event.payload)})`;
    case 'timeout':
      return `('timeout', ${pyStr(event.tag)})`;
  }
}

function payloadRepr(payload: Uint8Array): string {
  const preview = payloadPreview(payload);
  return preview.kind === 'text' ? 'u' + pyQuote(preview.value) : pyStr(preview.value);
}

/** Autobahn's limitString. */
export function limitString(text: string, limit: number, indicator = ' ...'): string {
  return text.length > limit - indicator.length ? text.slice(0, limit - indicator.length) + indicator : text;
}

/** repr() of a Python 2 byte string holding `text` (as UTF-8). */
function pyStr(text: string): string {
  return pyQuote(String.fromCharCode(...new TextEncoder().encode(text)));
}

/**
 * Python 2's repr quoting: single quotes unless the text has a ' and no ", backslash escapes for
 * \\, the quote, tab, LF and CR, and \xNN / \uNNNN / \UNNNNNNNN for everything outside printable ASCII.
 */
export function pyQuote(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === quote || char === '\\') out += '\\' + char;
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xff) out += '\\x' + hex(code, 2);
    else if (code <= 0xffff) out += '\\u' + hex(code, 4);
    else out += '\\U' + hex(code, 8);
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}
