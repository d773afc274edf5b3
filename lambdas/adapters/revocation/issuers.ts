/**
 * The issuing CAs whose OCSP responders and CRLs we ask: from configuration (`CPR_ISSUERS` file
 * locally, `issuers` in the CDK config), `[{"name", "certificate" (PEM), "ocspUrl", "crlUrl"}]`.
 * A certificate's own AIA and CDP URLs win when we have the certificate.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { type IssuerCertificate, parseIssuersJson } from '../../domain/issuers/config.ts';

/** An issuer, ready for OCSP CertIDs and signature checks. */
export interface Issuer {
  readonly name: string;
  readonly certificate: X509Certificate;
  /** DER of the issuer's subject Name: what CRLs and certificates name as their issuer. */
  readonly subjectDer: Uint8Array;
  /** SHA-1 of the subject Name DER and of the subjectPublicKey bits (RFC 6960 CertID). */
  readonly nameHashSha1: Uint8Array;
  readonly keyHashSha1: Uint8Array;
  /** The subject DN as node prints it, normalised for matching (see `normaliseDn`). */
  readonly dn: string;
  readonly ocspUrl: string | null;
  readonly crlUrl: string | null;
}

/** Order- and spacing-insensitive form of a DN, for matching `CN=a, O=b` with `O=b,CN=a`. */
export function normaliseDn(dn: string): string {
  return dn
    .split(/\s*[,\n]\s*/)
    .map((p) =>
      p
        .trim()
        .toLowerCase()
        .replace(/\s*=\s*/, '='),
    )
    .filter((p) => p !== '')
    .sort()
    .join(',');
}

/** The OCSP CertID hashes and matching form of one configured issuer. */
export function issuerOf(config: IssuerCertificate): Issuer {
  const cert = config.certificate;
  const parsed = AsnConvert.parse(cert.raw, Certificate);
  const subjectDer = new Uint8Array(AsnConvert.serialize(parsed.tbsCertificate.subject));
  const keyBits = new Uint8Array(parsed.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());
  return {
    name: config.name,
    certificate: cert,
    subjectDer,
    nameHashSha1: sha1(subjectDer),
    keyHashSha1: sha1(keyBits),
    dn: normaliseDn(cert.subject),
    ocspUrl: config.ocspUrl ?? null,
    crlUrl: config.crlUrl ?? null,
  };
}

/**
 * The issuers JSON (one schema, `domain/issuers/config.ts`), ready for revocation checks; a bad
 * entry fails the whole configuration, naming it (`IssuersConfigError`).
 */
export function revocationIssuers(json: string): Issuer[] {
  return parseIssuersJson(json).map(issuerOf);
}

/** The issuer of a certificate, by its issuer DN; with a single issuer configured, that one. */
export function findIssuer(issuers: readonly Issuer[], issuerDn: string | null): Issuer | null {
  if (issuerDn) {
    const want = normaliseDn(issuerDn);
    const hit = issuers.find((i) => i.dn === want);
    if (hit) return hit;
  }
  return issuers.length === 1 ? issuers[0]! : null;
}
