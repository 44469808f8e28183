import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaseResult } from '../../../src/cases/result';
import { renderCaseHtml } from '../../../src/report/case-html';
import { escapeHtml } from '../../../src/report/html';
import { seedCase } from './seed-case';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const text = (s: string) => new TextEncoder().encode(s);

/** A case where every string the peer controls carries markup. */
function hostileCase(attack: string): CaseResult {
  const seed = seedCase();
  return {
    ...seed,
    agent: attack,
    result: `Observed ${attack}`,
    resultClose: `Closed ${attack}`,
    expected: { OK: [{ type: 'message', payload: text(attack), binary: false }] },
    observed: [{ type: 'message', payload: text(attack), binary: true }, { type: 'ping', payload: text(attack) }],
    closeFacts: { ...seed.closeFacts, remoteCloseCode: 1000, remoteCloseReason: attack, wasNotCleanReason: attack, localCloseReason: attack },
    httpRequest: `GET /${attack} HTTP/1.1\r\nUser-Agent: ${attack}\r\n\r\n`,
    httpResponse: `HTTP/1.1 101 ${attack}\r\nServer: ${attack}\r\n\r\n`,
    wireLog: [
      { kind: 'rx-frame', opcode: 1, fin: true, rsv: 0, payloadLen: attack.length, masked: false, mask: null, payload: text(attack) },
      { kind: 'delay', seconds: 1, tag: attack },
      { kind: 'tcp-dropped-by-peer' },
    ],
  };
}

describe('renderCaseHtml escapes everything that came from the peer', () => {
  for (const attack of [SCRIPT, IMG, `"><svg onload=alert(1)>`, `' onmouseover='alert(1)`]) {
    test(attack, () => {
      const page = renderCaseHtml(hostileCase(attack));
      assert.ok(!page.includes(attack), 'the raw markup never appears');
      assert.ok(page.includes(escapeHtml(attack)), 'the text is shown, escaped');
      assert.ok(!/<(script|img|svg)\b/i.test(page), 'no such element in the page');
    });
  }

  test('every occurrence is escaped: agent, result, close reason, payloads, headers, tag', () => {
    const page = renderCaseHtml(hostileCase(SCRIPT));
    const escaped = escapeHtml(SCRIPT);
    const count = page.split(escaped).length - 1;
    // title, heading, result, resultClose, Expected, Observed x2, 3 close facts, request x2, response x2, RX payload, DELAY tag
    assert.equal(count, 16);
  });
});

describe('renderCaseHtml content', () => {
  const page = renderCaseHtml(seedCase());

  test('a strict policy: no scripts, nothing loaded', () => {
    assert.ok(page.includes(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;">`));
    assert.ok(!page.includes('<script'));
  });

  test('the verdict colour and title', () => {
    assert.ok(page.includes('<p class="case case_ok">websock secure server - <b>Case 5.20</b> : Pass - <b>1003</b> ms @ 2025-12-05T02:31:14.655Z</p>'));
    assert.ok(renderCaseHtml({ ...seedCase(), behavior: 'FAILED' }).includes('<p class="case case_failed">'));
    assert.ok(renderCaseHtml({ ...seedCase(), behavior: 'NON-STRICT' }).includes('<p class="case case_non_strict">'));
  });

  test("the seed's sections in the seed's order", () => {
    const headings = ['<b>Case Description</b>', '<b>Case Expectation</b>', '<b>Case Outcome</b>', '<b>Case Closing Behavior</b>', '<h2>Opening Handshake</h2>', '<h2>Closing Behavior</h2>', '<h2>Wire Statistics</h2>', '<h2>Wire Log</h2>'];
    const positions = headings.map((heading) => page.indexOf(heading));
    assert.ok(positions.every((p) => p > 0), String(positions));
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  });

  test('outcome, closing facts, statistics and wire log lines', () => {
    assert.ok(page.includes("<span class=\"case_pickle\">{&#39;OK&#39;: [(&#39;pong&#39;, u&#39;pongme 1!&#39;)"));
    assert.ok(page.includes('The spec requires the connection to be failed cleanly here (UNCLEAN)</p>'));
    assert.ok(page.includes('<tr class="stats_row"><td>wasNotCleanReason</td><td class="left">peer dropped the TCP connection without previous WebSocket closing handshake</td>'));
    assert.ok(page.includes('<tr class="stats_row"><td>166</td><td>1</td><td>166</td></tr>'));
    assert.ok(page.includes('<tr class="stats_total"><td>Total</td><td>9</td><td>358</td></tr>'));
    assert.ok(page.includes('<pre class="wirelog_tx_frame_sync">002 TX FRAME : OPCODE=1, FIN=False, RSV=0, PAYLOAD-LEN=9, MASK=be6e52c6, PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=True</pre>'));
    assert.ok(page.includes('<pre class="wirelog_tx_octets">000 TX OCTETS: 474554202f'));
    assert.ok(page.includes('<pre class="wirelog_tx_octets_sync">003 TX OCTETS: 0189be6e52c6d81c33a1d30b3cb28f</pre>'));
    assert.ok(page.includes('<pre class="wirelog_tx_frame">025 TX FRAME : OPCODE=8'));
    assert.ok(page.includes('<pre class="wirelog_tcp_closed_by_peer">027 TCP DROPPED BY PEER</pre>'));
  });

  test('catalogue markup: <b> and <br> are honoured, anything else is text', () => {
    const html = renderCaseHtml({ ...seedCase(), description: 'Send <b>RSV = 1</b>.<br/>Length <= 125 <i>x</i>' });
    assert.ok(html.includes('<b>Case Description</b><br><br>Send <b>RSV = 1</b>.<br>Length &lt;= 125 &lt;i&gt;x&lt;/i&gt;</p>'));
  });
});
