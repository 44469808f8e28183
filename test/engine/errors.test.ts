import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as engine from '../../src/engine';
import { HandshakeError, ProtocolError, UsageError } from '../../src/engine/errors';
import { Opcode, isControlOpcode, isKnownOpcode } from '../../src/engine/constants';

describe('Error types (peer fault vs API misuse, as in h11)', () => {
  test('ProtocolError carries the close code and a stable code', () => {
    const error = new ProtocolError(1007, 'WSW_ERR_INVALID_UTF8', 'bad text');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ProtocolError');
    assert.equal(error.closeCode, 1007);
    assert.equal(error.code, 'WSW_ERR_INVALID_UTF8');
    assert.equal(error.message, 'bad text');
    assert.ok(!(error instanceof UsageError));
  });

  test('UsageError and HandshakeError', () => {
    const usage = new UsageError('WSW_USAGE_CLOSED', 'closed');
    assert.equal(usage.name, 'UsageError');
    assert.ok(!(usage instanceof ProtocolError));
    const handshake = new HandshakeError('WSW_HS_KEY', 'bad key');
    assert.equal(handshake.name, 'HandshakeError');
    assert.equal(handshake.status, 400, 'a server answers 400 unless told otherwise');
    assert.equal(handshake.response, undefined);
  });
});

describe('RFC 6455 §5.2 opcodes', () => {
  test('known, reserved and control opcodes', () => {
    assert.deepEqual(Opcode, { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 });
    const known = [];
    const control = [];
    for (let op = 0; op < 16; op++) {
      if (isKnownOpcode(op)) known.push(op);
      if (isControlOpcode(op)) control.push(op);
    }
    assert.deepEqual(known, [0, 1, 2, 8, 9, 10]);
    assert.deepEqual(control, [8, 9, 10, 11, 12, 13, 14, 15]);
  });
});

describe('The public surface (src/engine/index.ts)', () => {
  test('exports every building block', () => {
    for (const name of [
      'Connection',
      'FrameParser',
      'encodeFrame',
      'applyMask',
      'Utf8Validator',
      'isValidUtf8',
      'parseClosePayload',
      'encodeClosePayload',
      'parseExtensionList',
      'negotiateDeflate',
      'acceptDeflateResponse',
      'deflateOffer',
      'PerMessageDeflate',
      'parseHttpHead',
      'buildClientRequest',
      'validateServerResponse',
      'acceptClientRequest',
      'acceptKeyFor',
      'ProtocolError',
      'UsageError',
      'HandshakeError',
      'CloseCode',
      'Opcode',
      'defaultLimits',
    ]) {
      assert.ok(name in engine, `${name} is exported`);
    }
  });

  test('default limits fit Autobahn: 16 MiB messages, 65,536 fragments', () => {
    assert.ok(engine.defaultLimits.maxMessageSize >= 16 * 1024 * 1024);
    assert.ok(engine.defaultLimits.maxFrameSize >= 16 * 1024 * 1024);
    assert.ok(engine.defaultLimits.maxFragments >= 65536);
  });
});
