import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseCertificate } from '../../../lambdas/domain/evidence/certificate.ts';
import {
  canonicalName,
  IssuerNameError,
  issuerKeyOf,
  rfc4514FromCertificateName,
  UNKNOWN_ISSUER_KEY,
} from '../../../lambdas/domain/inventory/issuer-name.ts';

const pem = (name: string) =>
  readFileSync(new URL(`../../fixtures/pki/${name}`, import.meta.url), 'utf-8');

describe('issuer names', () => {
  test('RFC 4514 text and the certificate’s own issuer give the same key', () => {
    const leaf = parseCertificate(new X509Certificate(pem('leaf-rsa.pem')).raw);
    const fromInventory = 'CN=CPR Intake Test Issuing CA 1,O=CPR Intake Test,C=XX';
    expect(issuerKeyOf(leaf.issuer)).toBe(issuerKeyOf(fromInventory));
    expect(rfc4514FromCertificateName(leaf.issuer)).toBe(fromInventory);
  });

  test('types by OID or alias, case and spacing of values do not matter', () => {
    expect(canonicalName('2.5.4.3=Example  CA, o=EXAMPLE,C=us')).toBe(
      canonicalName('CN=example ca,O=Example,C=US'),
    );
    expect(canonicalName('CN=A+OU=B,O=X')).toBe(canonicalName('OU=B+CN=A,O=X'));
  });

  test('escapes are values, not separators', () => {
    expect(canonicalName('CN=Example\\, Inc.,O=X')).toBe('cn=example, inc.,o=x');
    expect(canonicalName('CN=Caf\\C3\\A9,O=X')).toBe(canonicalName('CN=Café,O=X'));
    expect(issuerKeyOf('CN=Example\\, Inc.,O=X')).not.toBe(issuerKeyOf('CN=Example,CN=Inc.,O=X'));
  });

  test('a different name is a different key; no name is the unknown key', () => {
    expect(issuerKeyOf('CN=CA 1,O=X')).not.toBe(issuerKeyOf('CN=CA 2,O=X'));
    expect(issuerKeyOf('')).toBe(UNKNOWN_ISSUER_KEY);
    expect(issuerKeyOf(undefined)).toBe(UNKNOWN_ISSUER_KEY);
  });

  test('text that is not a DN is an IssuerNameError', () => {
    expect(() => canonicalName('just words')).toThrow(IssuerNameError);
    expect(() => canonicalName('=x')).toThrow(IssuerNameError);
    expect(() => canonicalName(`CN=${'x'.repeat(5000)}`)).toThrow(IssuerNameError);
  });
});
