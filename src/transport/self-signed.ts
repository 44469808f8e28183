/**
 * A self-signed certificate for localhost, made on the fly for `wsw serve --tls` without files.
 * Node can make keys and signatures but not X.509, so this writes the few DER structures needed
 * (RFC 5280): an ECDSA P-256 key, CN=localhost, SAN localhost/127.0.0.1/::1, valid for 30 days.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.of(0x80 | bytes.length, ...bytes);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.of(tag), length(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
/** A BIT STRING of whole octets, or with `unusedBits` trailing zero bits in its last octet. */
const bitString = (b: Buffer, unusedBits = 0) => tlv(0x03, Buffer.of(unusedBits), b);
/**
 * A non-negative DER INTEGER from big-endian octets: no leading zero octets (DER refuses them as
 * padding, and OpenSSL with it), except one where the top bit would otherwise read as a sign.
 */
export function derInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = Buffer.from(magnitude.subarray(start));
  return tlv(0x02, body.length === 0 || body[0] & 0x80 ? Buffer.concat([Buffer.of(0), body]) : body);
}
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean) => tlv(0x01, Buffer.of(v ? 0xff : 0));
function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [];
    for (let v = p; ; v = Math.floor(v / 128)) {
      chunk.unshift((v % 128) | (chunk.length ? 0x80 : 0));
      if (v < 128) break;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const text = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, 'ascii'));
}
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

export interface SelfSignedCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the certificate, colon-separated hex, for logs. */
  fingerprint: string;
}

export interface SelfSignedOptions {
  commonName?: string;
  days?: number;
  /** The serial number's octets, big-endian; 16 random octets unless given. */
  serial?: Uint8Array;
}

export function createSelfSignedCertificate({ commonName = 'localhost', days = 30, serial = randomBytes(16) }: SelfSignedOptions = {}): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
  const now = Date.now();
  const subjectAltName = seq(
    tlv(0x82, Buffer.from('localhost', 'ascii')),
    tlv(0x87, Buffer.of(127, 0, 0, 1)),
    tlv(0x87, Buffer.concat([Buffer.alloc(15), Buffer.of(1)])),
  );
  const keyId = createHash('sha1').update(spki).digest();
  const tbs = seq(
    tlv(0xa0, derInteger(Buffer.of(2))), // version 3
    derInteger(serial),
    ecdsaWithSha256,
    name,
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + days * 86_400_000))),
    name,
    spki,
    tlv(0xa3, seq(
      extension('2.5.29.19', true, seq(bool(true))), // basicConstraints: CA, so it can be its own trust anchor
      extension('2.5.29.15', true, bitString(Buffer.of(0x84), 2)), // keyUsage: digitalSignature (bit 0), keyCertSign (bit 5)
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.14', false, octets(keyId)),
      extension('2.5.29.17', false, subjectAltName),
    )),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ecdsaWithSha256, bitString(signature));
  const pem = (label: string, body: Buffer) => `-----BEGIN ${label}-----\n${body.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
  const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
  return {
    cert: pem('CERTIFICATE', der),
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    fingerprint,
  };
}
