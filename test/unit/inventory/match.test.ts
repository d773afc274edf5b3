/**
 * Which inventory certificates a report matches: on SHA-256, or on issuer and serial together
 * (with the issuer's signature where the issuers are configured), never on a certificate's
 * serial alone. The hostile certificates are made by openssl from the test PKI.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { parseInventoryText } from '../../../lambdas/domain/inventory/csv.ts';
import { resolveAffected } from '../../../lambdas/domain/inventory/resolve.ts';
import type { InventoryRecord } from '../../../lambdas/domain/inventory/types.ts';
import {
  type IssuerCertificate,
  IssuersConfigError,
  parseIssuers,
} from '../../../lambdas/domain/issuers/config.ts';
import {
  type ForgedCertificates,
  makeForgedCertificates,
} from '../../support/forged-certificates.ts';
import { certFacts, mail, pkiText } from '../evidence/helpers.ts';

const RSA = certFacts('leaf-rsa.pem');
const ISSUER_4514 = 'CN=CPR Intake Test Issuing CA 1,O=CPR Intake Test,C=XX';

let forged: ForgedCertificates;
let records: InventoryRecord[];
let minimal: InventoryRecord[];
let issuers: readonly IssuerCertificate[];

beforeAll(async () => {
  forged = makeForgedCertificates(RSA.serial);
  const fixture = pkiText('inventory.csv').trim().split('\n');
  // The fixture inventory with an issuer column: what issuer and serial are matched against.
  const withIssuer = [
    `${fixture[0]},issuer`,
    ...fixture.slice(1).map((line) => `${line},"${ISSUER_4514}"`),
  ].join('\n');
  records = [...(await parseInventoryText(withIssuer)).records];
  minimal = [...(await parseInventoryText(pkiText('inventory.csv'))).records];
  issuers = parseIssuers([{ name: 'Issuing CA 1', certificate: pkiText('intermediate-ca.pem') }]);
});

async function resolve(
  texts: string[],
  options: { issuers: boolean; inventory?: InventoryRecord[] },
) {
  const evidence = await extractEvidence(mail(texts), undefined, null, {
    issuers: options.issuers ? issuers : [],
  });
  return {
    evidence,
    resolution: resolveAffected(evidence, options.inventory ?? records, {
      issuersConfigured: options.issuers,
    }),
  };
}

describe('matching a report to the inventory', () => {
  test.each([
    ['with the issuers configured', true],
    ['without them', false],
  ])(
    'a self-signed certificate with a real serial and our issuer’s name pulls no stranger into a key-compromise case (%s)',
    async (_, withIssuers) => {
      const { evidence, resolution } = await resolve(
        [`My key was compromised:\n${forged.forgerKey}\n${forged.selfSigned}`],
        { issuers: withIssuers },
      );
      // The forgery itself is there, and its key proves possession of the forgery's key only.
      expect(evidence.certificates).toHaveLength(1);
      expect(evidence.certificates[0]?.serial).toBe(RSA.serial);
      expect(evidence.certificates[0]?.keyCompromised).toBe(true);
      expect(resolution.affected).not.toContain(RSA.sha256);
      expect(resolution.subscribers).toEqual([]);
      expect(resolution.keyCompromised.size).toBe(0);
    },
  );

  test('a certificate with the victim’s key, serial and our issuer’s name but the forger’s signature matches only where no issuer can check it', async () => {
    const checked = await resolve([forged.victimKeyForged], { issuers: true });
    expect(checked.evidence.certificates[0]?.signedBy).toBeUndefined();
    expect(checked.resolution.affected).not.toContain(RSA.sha256);
    // Without issuer certificates, issuer, serial and key agreeing is all there is to check.
    const unchecked = await resolve([forged.victimKeyForged], { issuers: false });
    expect(unchecked.resolution.matchedBy.get(RSA.sha256)).toEqual(['issuerSerial']);
  });

  test('a precertificate signed by our issuer matches its final certificate', async () => {
    const { evidence, resolution } = await resolve([forged.precertificate], { issuers: true });
    expect(evidence.certificates[0]).toMatchObject({
      precertificate: true,
      signedBy: 'Issuing CA 1',
      serial: RSA.serial,
    });
    expect(evidence.certificates[0]?.sha256).not.toBe(RSA.sha256);
    expect(resolution.matchedBy.get(RSA.sha256)).toEqual(['precertificate']);
    expect(resolution.subscribers.map((s) => s.email)).toEqual(['rsa-admin@subscriber.example']);
  });

  test('an inventory without issuers matches certificates by SHA-256 only', async () => {
    const pre = await resolve([forged.precertificate], { issuers: true, inventory: minimal });
    expect(pre.resolution.affected).not.toContain(RSA.sha256);
    const real = await resolve([pkiText('leaf-rsa.pem')], { issuers: true, inventory: minimal });
    expect(real.resolution.matchedBy.get(RSA.sha256)).toEqual(['sha256']);
  });

  test('a serial written as text still matches, marked as the weaker serial-only link', async () => {
    const colons = RSA.serial.toUpperCase().match(/../g)!.join(':');
    const { resolution } = await resolve([`Please revoke serial ${colons}`], { issuers: true });
    expect(resolution.matchedBy.get(RSA.sha256)).toEqual(['serialOnly']);
    expect(resolution.serialOnly).toEqual([RSA.sha256]);
    const both = await resolve([`serial ${colons}\n${pkiText('leaf-rsa.pem')}`], { issuers: true });
    expect(both.resolution.matchedBy.get(RSA.sha256)).toEqual(['sha256', 'serialOnly']);
    expect(both.resolution.serialOnly).toEqual([]);
  });
});

describe('issuers configuration', () => {
  test('entries are checked: a CA certificate, http(s) URLs, a name', () => {
    expect(() => parseIssuers([{ name: 'x', certificate: pkiText('leaf-rsa.pem') }])).toThrow(
      /not a CA/,
    );
    expect(() =>
      parseIssuers([
        { name: 'x', certificate: pkiText('intermediate-ca.pem'), ocspUrl: 'ftp://ocsp.example' },
      ]),
    ).toThrow(IssuersConfigError);
    expect(() => parseIssuers([{ certificate: pkiText('intermediate-ca.pem') }])).toThrow(
      /issuers\[0\]\[name\]/,
    );
    expect(
      parseIssuers([
        {
          name: 'CA 1',
          certificate: pkiText('intermediate-ca.pem'),
          ocspUrl: 'http://ocsp.ca.example',
          crlUrl: 'http://crl.ca.example/1.crl',
        },
      ])[0],
    ).toMatchObject({ name: 'CA 1', ocspUrl: 'http://ocsp.ca.example' });
  });
});
