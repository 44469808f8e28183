// The certificate `wsw serve --tls` makes on the fly must be DER that OpenSSL accepts, whatever
// the random serial number turns out to be: a serial with a leading zero octet once made 1 in 256
// certificates unloadable ("illegal padding").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { createSelfSignedCertificate, derInteger } from '../../src/transport';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('derInteger', () => {
  test('drops leading zero octets and adds one only before a set top bit', () => {
    assert.equal(hex(derInteger(Buffer.of(2))), '020102');
    assert.equal(hex(derInteger(Buffer.of(0, 0x7f, 1))), '02027f01');
    assert.equal(hex(derInteger(Buffer.of(0, 0, 0x80, 1))), '0203008001');
    assert.equal(hex(derInteger(Buffer.of(0x80))), '02020080');
    assert.equal(hex(derInteger(Buffer.of(0, 0))), '020100');
    assert.equal(hex(derInteger(Buffer.of())), '020100');
  });
});

describe('createSelfSignedCertificate', () => {
  const serials = [
    Buffer.from('00' + '11'.repeat(15), 'hex'), // the case that used to fail
    Buffer.from('0000' + '7f'.repeat(14), 'hex'),
    Buffer.from('00' + '80'.repeat(15), 'hex'),
    Buffer.from('ff'.repeat(16), 'hex'),
  ];
  for (const serial of serials) {
    test(`serial ${hex(serial)}: OpenSSL loads it, and reads the same serial and extensions`, () => {
      const made = createSelfSignedCertificate({ serial });
      assert.doesNotThrow(() => createSecureContext({ cert: made.cert, key: made.key }));
      const x509 = new X509Certificate(made.cert);
      assert.equal(x509.serialNumber.replace(/^0+/, ''), hex(serial).toUpperCase().replace(/^0+/, ''));
      assert.equal(x509.subject, 'CN=localhost');
      assert.equal(x509.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1']);
      assert.ok(x509.ca, 'its own trust anchor');
      assert.ok(x509.checkPrivateKey(createPrivateKey(made.key)));
      assert.ok(x509.verify(x509.publicKey), 'self-signed: its own key verifies it');
      assert.equal(x509.fingerprint256, made.fingerprint);
    });
  }

  test('200 random serials: every certificate loads', () => {
    for (let i = 0; i < 200; i++) {
      const made = createSelfSignedCertificate();
      assert.doesNotThrow(() => createSecureContext({ cert: made.cert, key: made.key }), made.cert);
    }
  });

  test('the validity runs for the days asked', () => {
    const x509 = new X509Certificate(createSelfSignedCertificate({ days: 2 }).cert);
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86_400_000;
    assert.ok(Math.abs(days - 2) < 0.01, `valid for ${days} days`);
  });
});
