import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedEvent } from '../../../src/cases/result';
import { expectedRepr, limitString, observedRepr, pyQuote } from '../../../src/report/python-repr';

const text = (s: string) => new TextEncoder().encode(s);
const message = (payload: Uint8Array, binary = false): ObservedEvent => ({ type: 'message', payload, binary });

describe('event reprs', () => {
  test("the seed's expected and observed lines", () => {
    const events: ObservedEvent[] = [
      { type: 'pong', payload: text('pongme 1!') },
      { type: 'pong', payload: text('pongme 2!') },
      message(text('fragment1fragment2fragment3fragment4fragment5')),
    ];
    assert.equal(
      expectedRepr({ OK: events }),
      "{'OK': [('pong', u'pongme 1!'), ('pong', u'pongme 2!'), ('message', u'fragment1fragment2fragment3fragment4fragment5', False)]}",
    );
    assert.equal(observedRepr(events), "[('pong', u'pongme 1!'), ('pong', u'pongme 2!'), ('message', u'fragment1fragment2fragment3fragment4fragment5', False)]");
  });

  test('several keys keep their order; empty lists and dicts', () => {
    assert.equal(expectedRepr({ OK: [], 'NON-STRICT': [{ type: 'timeout', tag: 'A' }] }), "{'OK': [], 'NON-STRICT': [('timeout', 'A')]}");
    assert.equal(expectedRepr({}), '{}');
    assert.equal(observedRepr([]), '[]');
  });

  test("binary payloads: u'…' when they decode, '0x…' when not, and the binary flag", () => {
    assert.equal(observedRepr([message(Uint8Array.of(0xff, 0x00), true)]), "[('message', '0xff00', True)]");
    assert.equal(observedRepr([message(text('abc'), true)]), "[('message', u'abc', True)]");
    assert.equal(observedRepr([{ type: 'ping', payload: new Uint8Array(0) }]), "[('ping', u'')]");
  });

  test('long payloads are shortened as in the wire log', () => {
    assert.equal(observedRepr([message(text('*'.repeat(125)))]), `[('message', u'${'*'.repeat(64)} ...', False)]`);
  });

  test('the whole repr is cut at 1000 characters with " ..."', () => {
    const many = Array.from({ length: 40 }, () => message(text('x'.repeat(50))));
    const repr = observedRepr(many);
    assert.equal(repr.length, 1000);
    assert.ok(repr.endsWith(' ...'));
    assert.equal(repr.slice(0, 996), observedRepr(many.slice(0, 20)).slice(0, 996));
  });
});

describe("pyQuote (Python 2's repr quoting)", () => {
  test('quote choice', () => {
    assert.equal(pyQuote('plain'), "'plain'");
    assert.equal(pyQuote("it's"), '"it\'s"');
    assert.equal(pyQuote('say "hi"'), '\'say "hi"\'');
    assert.equal(pyQuote('it\'s "x"'), "'it\\'s \"x\"'");
  });

  test('escapes', () => {
    assert.equal(pyQuote('a\\b\t\n\r'), "'a\\\\b\\t\\n\\r'");
    assert.equal(pyQuote('\u0000\u001f\u007f'), "'\\x00\\x1f\\x7f'");
    assert.equal(pyQuote('ä€😀'), "'\\xe4\\u20ac\\U0001f600'");
  });
});

test("limitString cuts anything longer than limit - 4, as Autobahn's does", () => {
  assert.equal(limitString('ab', 6), 'ab');
  assert.equal(limitString('abc', 6), 'ab ...');
  assert.equal(limitString('abcdefg', 6), 'ab ...');
});
