import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageEndpoint, RequestRejected, parsePanelTarget, parseSavedContent, type Envelope, type Scheduler } from '../../../src/protocol/messages';

type A = { type: 'ping'; n: number } | { type: 'pong/reply'; n: number } | { type: 'note' };
type B = A;

/** Manual timers: nothing fires until `fire()`. */
function manualScheduler(): Scheduler & { fire(): void; count(): number } {
  const timers = new Map<number, () => void>();
  let next = 1;
  return {
    set: (_ms, fn) => {
      timers.set(next, fn);
      return next++;
    },
    clear: (h) => void timers.delete(h as number),
    fire: () => {
      for (const [h, fn] of [...timers]) {
        timers.delete(h);
        fn();
      }
    },
    count: () => timers.size,
  };
}

function pair() {
  const s = manualScheduler();
  const sentByA: Envelope<A>[] = [];
  const a = new MessageEndpoint<A, B>((e) => sentByA.push(e), s);
  const b = new MessageEndpoint<B, A>((e) => a.receive(e), s);
  return { a, b, s, sentByA, deliver: () => sentByA.splice(0).forEach((e) => b.receive(e)) };
}

describe('MessageEndpoint', () => {
  test('a request resolves with the reply that names it in inReplyTo, and clears its timer', async () => {
    const { a, b, s, sentByA, deliver } = pair();
    b.on('ping', (body, envelope) => b.send({ type: 'pong/reply', n: body.n + 1 }, envelope.id));
    const reply = a.request<Extract<B, { type: 'pong/reply' }>>({ type: 'ping', n: 41 });
    assert.deepEqual(sentByA, [{ id: 1, body: { type: 'ping', n: 41 } }]);
    deliver();
    assert.deepEqual(await reply, { type: 'pong/reply', n: 42 });
    assert.equal(s.count(), 0);
  });

  test('a request without a reply is rejected on time-out', async () => {
    const { a, s } = pair();
    const reply = a.request({ type: 'ping', n: 1 }, 5);
    s.fire();
    await assert.rejects(reply, (e: unknown) => e instanceof RequestRejected && e.code === 'WSW_WEBVIEW_TIMEOUT');
  });

  test('pending requests are rejected on dispose; later sends are dropped', async () => {
    const { a, sentByA } = pair();
    const reply = a.request({ type: 'ping', n: 1 });
    a.dispose();
    await assert.rejects(reply, (e: unknown) => e instanceof RequestRejected && e.code === 'WSW_WEBVIEW_DISPOSED');
    await assert.rejects(a.request({ type: 'ping', n: 2 }), RequestRejected);
    assert.equal(a.send({ type: 'note' }), -1);
    assert.equal(sentByA.length, 1);
  });

  test('anything that is not an envelope is ignored', () => {
    const { b } = pair();
    let calls = 0;
    b.on('note', () => calls++);
    for (const junk of [null, 'note', { type: 'note' }, { id: '1', body: { type: 'note' } }, { id: 1, body: null }]) b.receive(junk);
    b.receive({ id: 1, body: { type: 'note' } });
    assert.equal(calls, 1);
  });
});

describe('saved panel state (what a serializer gets back from storage)', () => {
  test('parsePanelTarget keeps the three target kinds and refuses anything else', () => {
    assert.deepEqual(parsePanelTarget({ kind: 'wireLog', connectionId: 'c1', extra: 1 }), { kind: 'wireLog', connectionId: 'c1' });
    assert.deepEqual(parsePanelTarget({ kind: 'case', runId: 'r1', caseId: '1.1.1' }), { kind: 'case', runId: 'r1', caseId: '1.1.1' });
    assert.deepEqual(parsePanelTarget({ kind: 'matrix', serverId: 's1' }), { kind: 'matrix', serverId: 's1' });
    assert.deepEqual(parsePanelTarget({ kind: 'matrix', runIds: ['r1', 'r2'] }), { kind: 'matrix', runIds: ['r1', 'r2'] });
    for (const bad of [null, 'case', 42, {}, { kind: 'case', runId: 42, caseId: '1' }, { kind: 'matrix', runIds: [] }, { kind: 'matrix', runIds: [1] }, { kind: 'wireLog', connectionId: '' }, { kind: 'other' }]) {
      assert.equal(parsePanelTarget(bad), null, JSON.stringify(bad));
    }
  });

  test('parseSavedContent keeps a case or matrix of the right shape only', () => {
    const matrix = { kind: 'matrix', view: { title: 't', agents: [], sections: [] } };
    assert.deepEqual(parseSavedContent(matrix), matrix);
    const caseView = { caseId: '1.1.1', title: 'Case 1.1.1', closingRows: [], stats: [], wireLog: [] };
    assert.deepEqual(parseSavedContent({ kind: 'case', view: caseView }), { kind: 'case', view: caseView });
    for (const bad of [null, '<img src=x>', { kind: 'wireLog', view: {} }, { kind: 'case', view: { caseId: 1 } }, { kind: 'matrix', view: { title: 't' } }, { kind: 'case' }]) {
      assert.equal(parseSavedContent(bad), null, JSON.stringify(bad));
    }
  });
});
