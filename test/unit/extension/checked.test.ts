// Settings and workspace state hold whatever a user (or an older version) put there: the values
// the extension uses are checked, and a bad one falls back to the default with the reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NUMBER_SETTINGS, checkBoolean, checkNumber, checkSavedConnections } from '../../../src/extension/checked';

describe('checkNumber', () => {
  const rows = NUMBER_SETTINGS.logRowLimit;
  test('in range: the value; missing: the default, quietly', () => {
    assert.deepEqual(checkNumber(500, rows), { value: 500 });
    assert.deepEqual(checkNumber(undefined, rows), { value: 100_000 });
  });
  test('wrong type, out of range, not finite, not an integer: the default and why', () => {
    for (const bad of ['abc', -5, 0, null, 99, 1e12, Number.NaN, Infinity, 1000.5, true, [1000], { n: 1 }]) {
      const checked = checkNumber(bad, rows);
      assert.equal(checked.value, 100_000, String(bad));
      assert.match(checked.problem ?? '', /is not an integer from 100 to 10000000; using 100000$/, String(bad));
    }
    // a time-out past what a timer can wait would fire at once
    assert.equal(checkNumber(3e9, NUMBER_SETTINGS.handshakeTimeoutMs).value, 10_000);
    assert.equal(checkNumber(2500.5, NUMBER_SETTINGS.handshakeTimeoutMs).value, 2500.5);
  });
  test('the ranges are the ones package.json declares', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    const properties = manifest.contributes.configuration.properties;
    for (const [key, range] of Object.entries(NUMBER_SETTINGS)) {
      const declared = properties[`websocketWorkbench.${key}`];
      assert.deepEqual([declared.default, declared.minimum, declared.maximum], [range.fallback, range.min, range.max], key);
    }
  });
});

describe('checkBoolean', () => {
  test('true/false as given; anything else the default and why', () => {
    assert.deepEqual(checkBoolean(false, true), { value: false });
    assert.deepEqual(checkBoolean(undefined, true), { value: true });
    assert.deepEqual(checkBoolean('false', true), { value: true, problem: '"false" is not true or false; using true' });
  });
});

describe('checkSavedConnections', () => {
  const good = {
    id: 'c3',
    spec: { url: 'ws://127.0.0.1:9001/', label: 'echo', subprotocols: ['chat'], headers: [{ name: 'A', value: 'b', secret: true }], deflate: true, messages: [{ name: 'hi', binary: false, data: 'hello' }, { name: 'raw', binary: true, data: 'deadbeef' }] },
  };
  test('connections of the right shape are kept', () => {
    assert.deepEqual(checkSavedConnections([good]), { connections: [good], skipped: 0 });
    assert.deepEqual(checkSavedConnections(undefined), { connections: [], skipped: 0 });
  });
  test('anything else is skipped and counted, instead of stopping the extension from activating', () => {
    assert.deepEqual(checkSavedConnections({ a: 1 }), { connections: [], skipped: 1 });
    const bad = [
      null, 5, 'c1', {}, { id: 5, spec: good.spec }, { id: 'x1', spec: good.spec }, { id: 'c1' }, { id: 'c1', spec: null },
      { id: 'c1', spec: { url: 5 } }, { id: 'c1', spec: { url: 'ws://h/', headers: [{ name: 'A' }] } },
      { id: 'c1', spec: { url: 'ws://h/', headers: 'A: b' } }, { id: 'c1', spec: { url: 'ws://h/', subprotocols: [1] } },
      { id: 'c1', spec: { url: 'ws://h/', deflate: 'yes' } }, { ...good }, // the same id again
      { id: 'c1', spec: { url: 'ws://h/', messages: 'hi' } }, { id: 'c1', spec: { url: 'ws://h/', messages: [{ name: '', binary: false, data: 'x' }] } },
      { id: 'c1', spec: { url: 'ws://h/', messages: [{ name: 'raw', binary: true, data: 'xyz' }] } }, { id: 'c1', spec: { url: 'ws://h/', messages: [{ name: 'n', data: 'x' }] } },
    ];
    const checked = checkSavedConnections([good, ...bad]);
    assert.deepEqual(checked.connections, [good]);
    assert.equal(checked.skipped, bad.length);
  });
});
