// A self-signed certificate for localhost / 127.0.0.1 / ::1, made once per test process with the
// openssl CLI (node:crypto cannot issue X.509) and removed when the process exits.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  /** PEM text. */
  cert: string;
  key: string;
  /** The same PEMs as files (python's ssl module wants paths). */
  certPath: string;
  keyPath: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo: what Chromium's --ignore-certificate-errors-spki-list takes. */
  spkiSha256: string;
}

let cached: TestCert | undefined;

/** The test certificate of this process (generated on first use, about 50 ms). */
export function testCert(): TestCert {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'wsw-cert-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '7', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    '-addext', 'extendedKeyUsage=serverAuth',
  ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15_000 });
  const cert = readFileSync(certPath, 'utf8');
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  cached = { cert, key: readFileSync(keyPath, 'utf8'), certPath, keyPath, spkiSha256: createHash('sha256').update(spki).digest('base64') };
  return cached;
}
