/**
 * Certificates a hostile reporter can make, built by openssl at test time from the test PKI:
 * - `selfSigned`: our issuing CA's name as subject and issuer, a real Subscriber's serial, the
 *   forger's own key (whose private key the forger can send as "proof");
 * - `victimKeyForged`: a real Subscriber's serial, name and public key under our issuer's name,
 *   signed by the forger's key;
 * - `precertificate`: the CT precertificate (RFC 6962 poison extension) of `leaf-rsa.pem`, truly
 *   signed by our issuing CA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PKI = new URL('../fixtures/pki/', import.meta.url).pathname;
/** The reference tool itself, as the fixture scripts call it. */
const OPENSSL = '/usr/bin/openssl';
const ISSUER = '/C=XX/O=CPR Intake Test/CN=CPR Intake Test Issuing CA 1';
const LEAF_RSA_SUBJECT = '/C=XX/O=Example RSA Ltd/CN=rsa.example.test';

export interface ForgedCertificates {
  readonly selfSigned: string;
  readonly forgerKey: string;
  readonly victimKeyForged: string;
  readonly precertificate: string;
}

export function makeForgedCertificates(serialHex: string): ForgedCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-forged-'));
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync(OPENSSL, args, { stdio: 'pipe' });
  const serial = `0x${serialHex}`;
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    f('forger.key'),
    '-subj',
    ISSUER,
    '-set_serial',
    serial,
    '-days',
    '30',
    '-out',
    f('self-signed.pem'),
  );
  openssl('x509', '-in', join(PKI, 'leaf-rsa.pem'), '-pubkey', '-noout', '-out', f('victim.pub'));
  openssl(
    'x509',
    '-new',
    '-subj',
    LEAF_RSA_SUBJECT,
    '-force_pubkey',
    f('victim.pub'),
    '-CA',
    f('self-signed.pem'),
    '-CAkey',
    f('forger.key'),
    '-set_serial',
    serial,
    '-days',
    '30',
    '-out',
    f('victim-key-forged.pem'),
  );
  openssl(
    'req',
    '-new',
    '-key',
    join(PKI, 'leaf-rsa.key'),
    '-subj',
    LEAF_RSA_SUBJECT,
    '-out',
    f('leaf.csr'),
  );
  writeFileSync(
    f('poison.ext'),
    '1.3.6.1.4.1.11129.2.4.3=critical,ASN1:NULL\nbasicConstraints=critical,CA:FALSE\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    join(PKI, 'intermediate-ca.pem'),
    '-CAkey',
    join(PKI, 'intermediate-ca.key'),
    '-set_serial',
    serial,
    '-days',
    '30',
    '-extfile',
    f('poison.ext'),
    '-out',
    f('precert.pem'),
  );
  const read = (name: string) => readFileSync(f(name), 'utf-8');
  return {
    selfSigned: read('self-signed.pem'),
    forgerKey: read('forger.key'),
    victimKeyForged: read('victim-key-forged.pem'),
    precertificate: read('precert.pem'),
  };
}
