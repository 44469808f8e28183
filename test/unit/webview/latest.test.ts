// The payload pane asks the host for a row's bytes; a reply that arrives after the user moved to
// another row, or closed the pane, must not be shown (it reopened the pane after Escape).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Latest } from '../../../src/webview/latest';

describe('Latest', () => {
  test('only the newest request is current', () => {
    const latest = new Latest();
    const first = latest.begin();
    assert.equal(first(), true);
    const second = latest.begin();
    assert.equal(first(), false, 'a newer request began');
    assert.equal(second(), true);
  });

  test('cancel makes every request stale, and a new one is current again', () => {
    const latest = new Latest();
    const pending = latest.begin();
    latest.cancel();
    assert.equal(pending(), false, 'the pane was closed before the reply');
    assert.equal(latest.begin()(), true);
  });

  test('replies arriving out of order: only the last request is shown', async () => {
    const latest = new Latest();
    const shown: string[] = [];
    const ask = (row: string, ms: number) => {
      const current = latest.begin();
      return new Promise<void>((resolve) => setTimeout(() => (current() && shown.push(row), resolve()), ms));
    };
    await Promise.all([ask('row 1', 30), ask('row 2', 20), ask('row 3', 10)]);
    assert.deepEqual(shown, ['row 3']);
  });
});
