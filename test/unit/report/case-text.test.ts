import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderCaseText, WORKBENCH_BANNER } from '../../../src/report/case-text';
import { AUTOBAHN_BANNER, SEED_PATH, seedCase } from './seed-case';

const seed = readFileSync(SEED_PATH, 'utf8');

describe('renderCaseText against the seed report (case 5.20)', () => {
  test('reproduces the seed byte for byte with Autobahn\'s banner (plus the final newline the copy lacks)', () => {
    assert.equal(renderCaseText(seedCase(), { banner: AUTOBAHN_BANNER }), seed + '\n');
  });

  test('line by line, so a difference names its line', () => {
    const ours = renderCaseText(seedCase(), { banner: AUTOBAHN_BANNER }).split('\n');
    seed.split('\n').forEach((line, i) => assert.equal(ours[i], line, `line ${i + 1}`));
  });

  test('our banner replaces only the first two lines', () => {
    const ours = renderCaseText(seedCase()).split('\n');
    assert.deepEqual(ours.slice(0, 2), [...WORKBENCH_BANNER]);
    assert.equal(ours.slice(2).join('\n'), seed.split('\n').slice(2).join('\n') + '\n');
  });

  test('has the seed\'s sections in the seed\'s order', () => {
    const headings = ['Case Description', 'Case Expectation', 'Case Outcome', 'Case Closing Behavior', 'Opening Handshake', 'Closing Behavior', 'Wire Statistics', 'Wire Log'];
    const lines = renderCaseText(seedCase()).split('\n');
    const positions = headings.map((heading) => lines.indexOf(heading));
    assert.ok(positions.every((p) => p > 0), `all present: ${positions}`);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  });
});

describe('renderCaseText verdicts and details', () => {
  test('the title word follows behavior only: UNCLEAN closing still passes, FAILED and UNIMPLEMENTED read Fail', () => {
    const title = (behavior: 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED') =>
      renderCaseText({ ...seedCase(), behavior }).split('\n')[3];
    assert.equal(title('OK'), 'websock secure server - Case 5.20 : Pass - 1003 ms @ 2025-12-05T02:31:14.655Z');
    assert.equal(title('NON-STRICT'), 'websock secure server - Case 5.20 : Non-Strict - 1003 ms @ 2025-12-05T02:31:14.655Z');
    assert.equal(title('INFORMATIONAL'), 'websock secure server - Case 5.20 : Informational - 1003 ms @ 2025-12-05T02:31:14.655Z');
    assert.equal(title('UNIMPLEMENTED'), 'websock secure server - Case 5.20 : Fail - 1003 ms @ 2025-12-05T02:31:14.655Z');
    assert.equal(title('FAILED'), 'websock secure server - Case 5.20 : Fail - 1003 ms @ 2025-12-05T02:31:14.655Z');
  });

  test('catalogue markup: <br> breaks the line, <b> vanishes, other "<" stays', () => {
    const text = renderCaseText({ ...seedCase(), description: 'Send <b>RSV = 1</b>.<br><br>Length <= 125.' });
    assert.ok(text.includes('\nCase Description\n\nSend RSV = 1.\n\nLength <= 125.\n'));
  });

  test('a wire log left disabled gets Autobahn\'s notice', () => {
    const text = renderCaseText({ ...seedCase(), wireLog: [{ kind: 'wirelog-mode', enabled: false }, { kind: 'tcp-dropped-by-me' }] });
    assert.ok(text.endsWith('\nWire Log\n\nWire log after handshake disabled!\n\n000 WIRELOG DISABLED\n001 TCP DROPPED BY ME\n'));
  });
});
