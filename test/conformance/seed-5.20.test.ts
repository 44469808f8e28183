// Evidence 4 and 5 of issue 3: case 5.20 against a server that drops TCP when it gets our close
// (test/peers/broken-server.ts, dropOnClose) reproduces the seed report
// (../shared/reference/autobahn-case-5.20-report.txt): the verdicts, every closing fact, and a
// text report with the seed's sections in the seed's order and the seed's kinds of wire-log lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseById } from '../../src/cases/catalogue';
import { runSuite } from '../../src/cases/suite';
import type { CaseResult } from '../../src/cases/result';
import { isCaseFailure, renderCaseText, verdictWord } from '../../src/report';
import { startBrokenServer, type BrokenServer } from '../peers/broken-server';
import { ROOT } from './helpers';
import { seedCase } from '../unit/report/seed-case';

// The seed report, as copied into the repository (byte for byte the shared reference).
const seed = readFileSync(join(ROOT, 'test', 'unit', 'report', 'fixtures', 'autobahn-case-5.20-report.txt'), 'utf8');

const SECTIONS = [
  'Case Description',
  'Case Expectation',
  'Case Outcome',
  'Case Closing Behavior',
  'Opening Handshake',
  'Closing Behavior',
  'Wire Statistics',
  'Octets Received by Chop Size',
  'Octets Transmitted by Chop Size',
  'Frames Received by Opcode',
  'Frames Transmitted by Opcode',
  'Wire Log',
];
const WIRE_KINDS = ['TX FRAME', 'TX OCTETS', 'DELAY', 'DELAY TIMEOUT', 'RX FRAME', 'RX OCTETS', 'CLOSE CONNECTION AFTER', 'TCP DROPPED BY PEER'];

/** Where each heading is (a line of its own), in `text`. */
const headingLines = (text: string) => SECTIONS.map((heading) => text.split('\n').indexOf(heading));
/** "003 TX OCTETS: ..." -> "TX OCTETS"; continuation lines (payloads, hex) are skipped. */
const wireKinds = (text: string) =>
  text
    .slice(text.indexOf('\nWire Log\n'))
    .split('\n')
    .map((line) => /^\d{3} ([A-Z ]+?)(?: :|:| \d| on TAG|$)/.exec(line)?.[1])
    .filter((kind): kind is string => kind !== undefined);
const wireLines = (text: string) => text.slice(text.indexOf('\nWire Log\n')).split('\n');
const noMask = (line: string) => line.replace(/^\d{3} /, '').replace(/MASK=[0-9a-f]{8}/, 'MASK=*');
/** The TX/RX FRAME lines with the payload line under each, numbers and masks removed. */
function frames(text: string, kind: 'TX FRAME' | 'RX FRAME'): string[] {
  const lines = wireLines(text);
  return lines.flatMap((line, i) => (line.slice(4).startsWith(kind) ? [`${noMask(line)} | ${lines[i + 1].trim()}`] : []));
}
/** The rows of one table ("Frames Received by Opcode"): the lines after its header up to a blank. */
function tableRows(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(title) + 3;
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
}

describe('case 5.20 against a server that drops TCP after our close: the seed report', () => {
  let server: BrokenServer;
  let result: CaseResult;
  let text: string;
  before(async () => {
    server = await startBrokenServer({ dropOnClose: true });
    [result] = await runSuite({ url: server.url, agent: 'websock secure server', cases: [caseById('5.20')!], timeoutScale: 1 });
    text = renderCaseText(result);
  });
  after(() => server?.stop());

  test('verdicts: Pass (behavior OK), closing UNCLEAN, not a CI failure', () => {
    assert.equal(result.behavior, 'OK');
    assert.equal(verdictWord(result.behavior), 'Pass');
    assert.equal(result.result, 'Actual events match at least one expected.');
    assert.equal(result.behaviorClose, 'UNCLEAN');
    assert.equal(result.resultClose, 'The spec requires the connection to be failed cleanly here');
    assert.equal(isCaseFailure(result), false);
    const readable = (events: readonly CaseResult['observed'][number][]) => events.map((e) => ('payload' in e ? { ...e, payload: Buffer.from(e.payload).toString('latin1') } : e));
    assert.deepEqual(readable(result.observed), readable(result.expected.OK ?? []));
  });

  test('closing facts are the seed\'s, every one', () => {
    assert.deepEqual(result.closeFacts, seedCase().closeFacts);
    // The 1 s pause in the middle: the case cannot end sooner.
    assert.ok(result.durationMs >= 1000, `${result.durationMs} ms`);
  });

  test('the text report has the seed\'s sections in the seed\'s order', () => {
    const ours = headingLines(text);
    assert.ok(ours.every((line) => line > 0), `missing: ${SECTIONS.filter((_, i) => ours[i] < 0).join(', ')}`);
    assert.deepEqual([...ours].sort((a, b) => a - b), ours, 'out of order');
    const theirs = headingLines(seed);
    assert.ok(theirs.every((line) => line > 0));
    assert.deepEqual([...theirs].sort((a, b) => a - b), theirs);
    assert.match(text.split('\n')[3], /^websock secure server - Case 5\.20 : Pass - \d+ ms @ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test('outcome, closing sentence, closing table and frame counts read exactly as in the seed', () => {
    const same = (from: string, to: string) => {
      const cut = (t: string) => t.slice(t.indexOf(`\n${from}\n`), t.indexOf(`\n${to}\n`));
      assert.equal(cut(text), cut(seed), `${from} .. ${to}`);
    };
    assert.ok(text.includes('\nThe spec requires the connection to be failed cleanly here (UNCLEAN)\n'));
    assert.ok(text.includes("\nObserved:\n[('pong', u'pongme 1!'), ('pong', u'pongme 2!'), ('message', u'fragment1fragment2fragment3fragment4fragment5', False)]\n"));
    same('Case Description', 'Opening Handshake');
    same('Closing Behavior', 'Wire Statistics');
    assert.deepEqual(tableRows(text, 'Frames Received by Opcode'), ['11', '102', 'Total3']);
    assert.deepEqual(tableRows(text, 'Frames Transmitted by Opcode'), ['04', '11', '81', '92', 'Total8']);
    // Seven SYNC frames of 15 octets, each its own write.
    assert.ok(tableRows(text, 'Octets Transmitted by Chop Size').includes('157105'));
    assert.deepEqual(tableRows(text, 'Frames Received by Opcode'), tableRows(seed, 'Frames Received by Opcode'));
    assert.deepEqual(tableRows(text, 'Frames Transmitted by Opcode'), tableRows(seed, 'Frames Transmitted by Opcode'));
  });

  test('the wire log has the seed\'s kinds of lines, frames and markers in the seed\'s order', () => {
    const kinds = wireKinds(text);
    assert.deepEqual([...new Set(kinds)].sort(), [...WIRE_KINDS].sort());
    assert.deepEqual([...new Set(wireKinds(seed))].sort(), [...WIRE_KINDS].sort());
    assert.deepEqual(kinds.slice(0, 2), ['TX OCTETS', 'RX OCTETS']);
    assert.equal(kinds.at(-1), 'TCP DROPPED BY PEER');
    // What we do (not when the peer's bytes arrive) is in a fixed order.
    const ownSteps = kinds.filter((k) => k === 'TX FRAME' || k.startsWith('DELAY') || k === 'CLOSE CONNECTION AFTER');
    const expectedSteps = ['TX FRAME', 'TX FRAME', 'TX FRAME', 'DELAY', 'DELAY TIMEOUT', 'TX FRAME', 'TX FRAME', 'TX FRAME', 'TX FRAME', 'CLOSE CONNECTION AFTER', 'TX FRAME'];
    assert.deepEqual(ownSteps, expectedSteps);
    assert.deepEqual(wireKinds(seed).filter((k) => k === 'TX FRAME' || k.startsWith('DELAY') || k === 'CLOSE CONNECTION AFTER'), expectedSteps);
    // Our close goes out after the echo arrived.
    assert.ok(kinds.lastIndexOf('RX FRAME') < kinds.lastIndexOf('TX FRAME'));
    const lines = wireLines(text).map((l) => l.replace(/^\d{3} /, ''));
    for (const marker of ['DELAY 1.000000 sec for TAG None', 'DELAY TIMEOUT on TAG None', 'CLOSE CONNECTION AFTER 1.000000 sec', 'TCP DROPPED BY PEER']) {
      assert.ok(lines.includes(marker), marker);
    }
    assert.deepEqual(frames(text, 'TX FRAME'), frames(seed, 'TX FRAME'));
    assert.deepEqual(frames(text, 'RX FRAME'), frames(seed, 'RX FRAME'));
  });
});
