import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { caseById } from '../../../src/cases/catalogue/index';
import { CORPORA, loadCorpus } from '../../../src/cases/corpus/index';
import type { CaseDefinition } from '../../../src/cases/definition';
import { startCase } from './fake-context';

const hex = (text: string) => Buffer.from(text).toString('hex');

function definition(id: string): CaseDefinition {
  const found = caseById(id);
  assert.ok(found, id);
  return found;
}

describe('cases driven through a fake context send exactly Autobahn\'s traffic', () => {
  test('1.1.1: an empty text frame, then fail the connection after 1 s', () => {
    const { ctx } = startCase(definition('1.1.1'));
    assert.deepEqual(ctx.actions, ['frame op=1 fin=1 rsv=0 payload=', 'kill-after 1']);
  });

  test('1.2.8: 64 KiB of 0xfe in chops of 997 octets', () => {
    const { ctx } = startCase(definition('1.2.8'));
    const sha = createHash('sha256').update(new Uint8Array(65536).fill(0xfe)).digest('hex').slice(0, 12);
    assert.deepEqual(ctx.actions, [`frame op=2 fin=1 rsv=0 payload=65536B:${sha} chop=997`, 'kill-after 10']);
  });

  test('2.10: ten pings with numbered payloads, close after 3 s', () => {
    const { ctx } = startCase(definition('2.10'));
    const pings = Array.from({ length: 10 }, (_, i) => `frame op=9 fin=1 rsv=0 payload=${hex(`payload-${i}`)}`);
    assert.deepEqual(ctx.actions, [...pings, 'close-after 3']);
  });

  test('2.11: the same pings in octet-wise chops', () => {
    const { ctx } = startCase(definition('2.11'));
    assert.equal(ctx.actions[0], `frame op=9 fin=1 rsv=0 payload=${hex('payload-0')} chop=1`);
    assert.equal(ctx.actions.length, 11);
  });

  for (const [id, sync] of [['5.19', ''], ['5.20', ' sync']] as const) {
    test(`${id}: fragments and pings around a 1 s pause${sync ? ', each frame its own write' : ''}`, () => {
      const { ctx } = startCase(definition(id));
      assert.deepEqual(ctx.actions, [
        `frame op=1 fin=0 rsv=0 payload=${hex('fragment1')}${sync}`,
        `frame op=0 fin=0 rsv=0 payload=${hex('fragment2')}${sync}`,
        `frame op=9 fin=1 rsv=0 payload=${hex('pongme 1!')}${sync}`,
        'delay 1 tag=-',
      ]);
      ctx.fireNextDelay();
      assert.deepEqual(ctx.actions.slice(4), [
        `frame op=0 fin=0 rsv=0 payload=${hex('fragment3')}${sync}`,
        `frame op=0 fin=0 rsv=0 payload=${hex('fragment4')}${sync}`,
        `frame op=9 fin=1 rsv=0 payload=${hex('pongme 2!')}${sync}`,
        `frame op=0 fin=1 rsv=0 payload=${hex('fragment5')}${sync}`,
        'close-after 1',
      ]);
    });
  }

  test('6.4.1: a peer that waits for the whole message sees both pauses', () => {
    const { ctx } = startCase(definition('6.4.1'));
    assert.deepEqual(ctx.actions, ['frame op=1 fin=0 rsv=0 payload=cebae1bdb9cf83cebcceb5', 'delay 1 tag=A']);
    assert.equal(ctx.fireNextDelay(), 'A');
    assert.deepEqual(ctx.actions.slice(2), ['frame op=0 fin=0 rsv=0 payload=f4908080', 'delay 1 tag=B']);
    assert.equal(ctx.fireNextDelay(), 'B');
    assert.deepEqual(ctx.actions.slice(4), ['frame op=0 fin=1 rsv=0 payload=656469746564', 'kill-after 1']);
    assert.deepEqual(ctx.observed, [
      { type: 'timeout', tag: 'A' },
      { type: 'timeout', tag: 'B' },
    ]);
  });

  test('6.4.1: a peer that fails fast stops the case after the first pause', () => {
    const { ctx } = startCase(definition('6.4.1'));
    ctx.fireNextDelay();
    ctx.open = false; // the peer failed the connection on the bad octet
    ctx.fireNextDelay();
    assert.deepEqual(ctx.actions.slice(2), ['frame op=0 fin=0 rsv=0 payload=f4908080', 'delay 1 tag=B']);
    assert.deepEqual(ctx.observed, [{ type: 'timeout', tag: 'A' }]);
  });

  test('6.4.3: the same octets as chops of one frame, ended by an empty final frame', () => {
    const { ctx } = startCase(definition('6.4.3'));
    ctx.fireNextDelay();
    ctx.fireNextDelay();
    assert.deepEqual(ctx.actions, [
      'begin-frame op=1 fin=0 length=21',
      'frame-data cebae1bdb9cf83cebcceb5',
      'delay 1 tag=A',
      'frame-data f4908080',
      'delay 1 tag=B',
      'frame-data 656469746564',
      'frame op=0 fin=1 rsv=0 payload=',
      'kill-after 1',
    ]);
  });

  test('6.6.3: a prefix of κόσμε cut inside a code point, as one message', () => {
    const { ctx } = startCase(definition('6.6.3'));
    assert.deepEqual(ctx.actions, ['message text payload=cebae1', 'kill-after 0.5']);
  });

  test('7.1.2: our close, then a raw second close frame', () => {
    const { ctx } = startCase(definition('7.1.2'));
    assert.deepEqual(ctx.actions, ['close code=1000 reason=-', 'frame op=8 fin=1 rsv=0 payload=', 'kill-after 1']);
  });

  test('7.5.1: a close reason that is not UTF-8', () => {
    const { ctx } = startCase(definition('7.5.1'));
    assert.deepEqual(ctx.actions, ['close code=1000 reason=cebae1bdb9cf83cebcceb5eda080656469746564', 'kill-after 1']);
  });

  test('7.9.1: close code 0 goes out unvalidated', () => {
    const { ctx } = startCase(definition('7.9.1'));
    assert.deepEqual(ctx.actions, ['close code=0 reason=-', 'kill-after 1']);
  });

  test('9.1.1: a 64 KiB frame repeated from a 10-octet unit; the echo decides', () => {
    const { ctx, handlers } = startCase(definition('9.1.1'));
    assert.deepEqual(ctx.actions, [`frame op=1 fin=1 rsv=0 payload=${hex('BAsd7&jh23')} repeat=65536`, 'close-after 10']);
    assert.equal(ctx.wireLog, false);
    assert.deepEqual(ctx.preset, { behavior: 'FAILED', result: 'Did not receive message within 10 seconds.' });
    handlers.onMessage?.(new Uint8Array(65536), false);
    assert.deepEqual(ctx.preset, { behavior: 'OK', result: 'Received text message of length 65536.' });
    assert.equal(ctx.wireLog, true);
    assert.deepEqual(ctx.actions.slice(2), ['close code=1000 reason=-']);
  });

  test('9.1.1: a short echo fails', () => {
    const { ctx, handlers } = startCase(definition('9.1.1'));
    handlers.onMessage?.(new Uint8Array(10), false);
    assert.deepEqual(ctx.preset, { behavior: 'FAILED', result: 'Expected text message with payload of length 65536, but got 10.' });
  });

  test('9.3.1: 4 MiB of "*" as a message in 64-octet fragments', () => {
    const { ctx } = startCase(definition('9.3.1'));
    const sha = createHash('sha256').update(new Uint8Array(4 * 1024 * 1024).fill(0x2a)).digest('hex').slice(0, 12);
    assert.deepEqual(ctx.actions, [`message text payload=4194304B:${sha} fragment=64`, 'close-after 100']);
  });

  test('9.7.1: sends the next message on each echo, 1000 in all', () => {
    const { ctx, handlers } = startCase(definition('9.7.1'));
    assert.deepEqual(ctx.actions, ['wire-log off', 'close-after 60', 'frame op=1 fin=1 rsv=0 payload=2a repeat=0']);
    for (let i = 0; i < 999; i++) handlers.onMessage?.(new Uint8Array(0), false);
    assert.equal(ctx.actions.filter((line) => line.startsWith('frame')).length, 1000);
    assert.equal(ctx.preset.behavior, 'FAILED');
    handlers.onMessage?.(new Uint8Array(0), false);
    assert.deepEqual(ctx.preset, { behavior: 'OK', result: 'Ok, received all echo\'ed messages in time.' });
    assert.deepEqual(ctx.actions.slice(-2), ['wire-log on', 'close code=1000 reason=-']);
  });

  test('9.8.2: a binary echo of the wrong length fails with Autobahn\'s sentence', () => {
    const { ctx, handlers } = startCase(definition('9.8.2'));
    handlers.onMessage?.(new Uint8Array(15), true);
    assert.deepEqual(ctx.preset, {
      behavior: 'FAILED',
      result: 'Echo\'ed message type or length differs from what I sent (got binary = True, payload length = 15).',
    });
  });

  test('10.1.1: 64 KiB text message, auto-fragmented to 1300 octets', () => {
    const { ctx } = startCase(definition('10.1.1'));
    const sha = createHash('sha256').update(new Uint8Array(65536).fill(0x2a)).digest('hex').slice(0, 12);
    assert.deepEqual(ctx.actions, [`message text payload=65536B:${sha} fragment=1300`, 'kill-after 10']);
  });

  test('12.1.1 without deflate: UNIMPLEMENTED and close', () => {
    const { ctx } = startCase(definition('12.1.1'), { deflate: false });
    assert.deepEqual(ctx.actions, ['wire-log off', 'close code=1000 reason=-']);
    assert.deepEqual(ctx.preset, { behavior: 'UNIMPLEMENTED', result: 'Actual events differ from any expected.' });
  });

  test('12.1.1 with deflate: 16-character slices of the JSON corpus, the next one on each good echo', () => {
    const { ctx, handlers } = startCase(definition('12.1.1'), { deflate: true });
    const corpus = loadCorpus(CORPORA[0]);
    const slice = (from: number) => corpus.octets.subarray(from, from + 16);
    assert.deepEqual(ctx.actions, ['wire-log off', 'close-after 60', `message text payload=${Buffer.from(slice(0)).toString('hex')}`]);
    handlers.onMessage?.(slice(0), false);
    assert.equal(ctx.actions[3], `message text payload=${Buffer.from(slice(16)).toString('hex')}`);
    handlers.onMessage?.(slice(0), false);
    assert.equal(ctx.preset.behavior, 'FAILED');
    assert.match(ctx.preset.result, /^Echo'ed message contents differs from what I sent \(got SHA1 [0-9a-f]{40}, expected SHA1 [0-9a-f]{40}\)\.$/);
    assert.deepEqual(ctx.actions.slice(-2), ['wire-log on', 'close code=1000 reason=-']);
  });

  test('12.2.18: binary corpus, 128 KiB messages auto-fragmented to 32 KiB, wrapping at the end', () => {
    const { ctx, handlers } = startCase(definition('12.2.18'), { deflate: true });
    const octets = loadCorpus(CORPORA[1]).octets; // 263222 octets
    const messages = [
      octets.subarray(0, 131072),
      octets.subarray(131072, 262144),
      Buffer.concat([octets.subarray(262144), octets.subarray(0, 129994)]),
    ];
    const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 12);
    handlers.onMessage?.(messages[0], true);
    handlers.onMessage?.(messages[1], true);
    assert.deepEqual(
      ctx.actions.slice(2),
      messages.map((message) => `message binary payload=131072B:${sha(message)} fragment=32768`),
    );
    handlers.onMessage?.(messages[2], false);
    assert.deepEqual(ctx.preset, {
      behavior: 'FAILED',
      result: 'Echo\'ed message type differs from what I sent (got binary False, expected binary True).',
    });
  });
});
