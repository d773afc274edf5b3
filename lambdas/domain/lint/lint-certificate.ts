/**
 * Lints one certificate for the defects reporters report most (docs/design.md, "Certificate
 * lints"). Written on @peculiar/x509 (extensions, names) and node:crypto (key details). Pure and
 * total: a certificate that cannot be read yields no findings, never an exception, because the
 * caller (intake, or an inventory scan) lints hostile input.
 *
 * What is checked depends on what the certificate is, since the BR profiles differ:
 * - a Subscriber (TLS server) certificate, i.e. not a CA and with serverAuth, anyEKU or no EKU:
 *   every check;
 * - a CA certificate or one for another purpose (S/MIME, code signing): only the key and the
 *   precertificate checks, which hold for every certificate under a publicly trusted root.
 * Rules with an effective date are applied by the certificate's notBefore (its issuance date).
 */
import { createPublicKey } from 'node:crypto';
import { sha256Hex } from '../evidence/hash.ts';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
} from '../evidence/peculiar.ts';
import { type CertificateLint, LINTS, type LintCode } from './codes.ts';
import { dnsNameProblem, isReservedIp } from './names.ts';

/** Findings kept per certificate: a certificate with 10,000 bad SANs is one problem, not 10,000. */
export const MAX_LINTS_PER_CERTIFICATE = 20;
/** Characters of a sender-controlled value quoted in a finding's detail. */
export const MAX_DETAIL_VALUE = 80;

const OID = {
  commonName: '2.5.4.3',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  postalCode: '2.5.4.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  /** RFC 6962 3.1 */
  ctPoison: '1.3.6.1.4.1.11129.2.4.3',
  /** RFC 6962 3.3 */
  ctSctList: '1.3.6.1.4.1.11129.2.4.2',
} as const;

const DAY_MS = 86_400_000;

/**
 * BR 6.3.2, with the issuance dates each maximum applies from (ballots 193, SC-31, SC-081v3).
 * Newest first. The validity period includes both ends (BR 1.6.1), so notAfter - notBefore + 1 s.
 */
export const VALIDITY_SCHEDULE: readonly { readonly from: string; readonly maxDays: number }[] = [
  { from: '2029-03-15T00:00:00Z', maxDays: 47 },
  { from: '2027-03-15T00:00:00Z', maxDays: 100 },
  { from: '2026-03-15T00:00:00Z', maxDays: 200 },
  { from: '2020-09-01T00:00:00Z', maxDays: 398 },
  { from: '2018-03-01T00:00:00Z', maxDays: 825 },
];
/** Ballot SC-12: no underscores in certificates issued from this date. */
const UNDERSCORE_BAN = Date.parse('2019-04-01T00:00:00Z');
/** Ballot SC-47: no organizationalUnitName in certificates issued from this date. */
const OU_BAN = Date.parse('2022-09-01T00:00:00Z');
/** BR 7.1.2.7.12 (then 9.16.3): no Internal Names or Reserved IPs issued after this date. */
const INTERNAL_NAME_BAN = Date.parse('2015-11-01T00:00:00Z');

/**
 * Subject values that say "not filled in": the defaults of OpenSSL's and Red Hat's openssl.cnf
 * and the metadata BR 7.1.2.7.4 names ('.', '-', ' ', "not applicable"). Lowercase.
 */
// biome-ignore format: a long list of names, packed to read as one block
export const PLACEHOLDER_VALUES: ReadonlySet<string> = new Set([
  'some-state', 'internet widgits pty ltd', 'default city', 'default company ltd', 'my company',
  'my company name', 'company name', 'your company', 'your organization', 'organization', 'city',
  'state', 'unknown', 'none', 'null', 'n/a', 'na', 'not applicable', 'test', '.', '-', '--', '',
]);
const PLACEHOLDER_ATTRIBUTES = [
  ['ST', OID.stateOrProvinceName],
  ['L', OID.localityName],
  ['O', OID.organizationName],
  ['OU', OID.organizationalUnitName],
  ['street', OID.streetAddress],
  ['postalCode', OID.postalCode],
] as const;

/** BR 6.1.5 curves (Mozilla's policy allows only the first two; BR allows all three). */
const ALLOWED_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'P-256', 'P-384', 'P-521']);
const MIN_RSA_BITS = 2048;
const MIN_USUAL_EXPONENT = 2n ** 16n + 1n;
const MAX_USUAL_EXPONENT = 2n ** 256n - 1n;

function quote(value: string): string {
  const clean = [...value]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? '?' : ch))
    .join('');
  return JSON.stringify(
    clean.length > MAX_DETAIL_VALUE ? `${clean.slice(0, MAX_DETAIL_VALUE)}…` : clean,
  );
}

class Findings {
  readonly list: CertificateLint[] = [];
  constructor(private readonly sha256: string) {}
  add(code: LintCode, detail: string): void {
    if (this.list.length >= MAX_LINTS_PER_CERTIFICATE) return;
    const { severity, rule } = LINTS[code];
    this.list.push({ certificate: this.sha256, code, severity, detail, rule });
  }
}

/** Options a caller may set; `now` is not needed: rules go by the certificate's own dates. */
export interface LintOptions {
  /** Only the key and precertificate checks, e.g. for a certificate known to be a CA. */
  readonly keyChecksOnly?: boolean;
}

/** Lints a DER certificate. Returns [] for bytes that are not a certificate. */
export function lintCertificate(der: Uint8Array, options: LintOptions = {}): CertificateLint[] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return [];
  }
  const findings = new Findings(sha256Hex(new Uint8Array(cert.rawData)));
  guarded(() => lintKey(cert, findings));
  guarded(() => lintPrecertificate(cert, findings));
  if (!options.keyChecksOnly && guarded(() => isSubscriberTls(cert))) {
    guarded(() => lintSubscriber(cert, findings));
  }
  return findings.list;
}

/** Lints every CERTIFICATE block of a PEM text (an inventory row's `pem` column, say). */
export function lintPem(pem: string, options: LintOptions = {}): CertificateLint[] {
  const out: CertificateLint[] = [];
  const re = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]{1,200000}?)-----END CERTIFICATE-----/g;
  for (const m of pem.matchAll(re)) {
    out.push(...lintCertificate(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'), options));
  }
  return out;
}

/** A check that trips over an odd encoding just does not report; the others still run. */
function guarded<T>(check: () => T): T | false {
  try {
    return check();
  } catch {
    return false;
  }
}

function isSubscriberTls(cert: X509Certificate): boolean {
  const bc = cert.getExtension(BasicConstraintsExtension);
  if (bc?.ca) return false;
  const eku = cert.getExtension(ExtendedKeyUsageExtension);
  if (!eku) return true;
  return eku.usages.some((u) => u === OID.serverAuth || u === OID.anyExtendedKeyUsage);
}

function lintKey(cert: X509Certificate, f: Findings): void {
  const key = createPublicKey({
    key: Buffer.from(cert.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) f.add('weakRsaKey', `${bits}-bit modulus`);
    else if (bits % 8 !== 0) f.add('rsaModulusNotMultipleOf8', `${bits}-bit modulus`);
    const e = details.publicExponent ?? 0n;
    if (e < 3n || e % 2n === 0n) f.add('rsaExponentInvalid', `exponent ${e}`);
    else if (e < MIN_USUAL_EXPONENT || e > MAX_USUAL_EXPONENT) {
      f.add('rsaExponentUnusual', `exponent ${e}`);
    }
  } else if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    if (!ALLOWED_CURVES.has(curve)) f.add('ecCurveNotAllowed', `curve ${curve}`);
  } else {
    f.add('keyAlgorithmNotAllowed', `${key.asymmetricKeyType ?? 'unknown'} key`);
  }
}

function lintPrecertificate(cert: X509Certificate, f: Findings): void {
  const poison = cert.extensions.find((e) => e.type === OID.ctPoison);
  if (!poison) return;
  if (cert.extensions.some((e) => e.type === OID.ctSctList)) {
    f.add('precertificatePoisonInFinal', 'poison extension and an SCT list in one certificate');
  } else {
    f.add('precertificate', 'a precertificate, not the certificate that was served');
  }
}

function issuedAt(cert: X509Certificate): number {
  return cert.notBefore.getTime();
}

function lintSubscriber(cert: X509Certificate, f: Findings): void {
  const issued = issuedAt(cert);
  const names = guarded(() => cert.getExtension(SubjectAlternativeNameExtension)?.names.items);
  const sans = names === false || names === undefined ? [] : names;
  if (sans.length === 0) {
    f.add(
      'noSubjectAltName',
      names === false ? 'subjectAltName could not be read' : 'no subjectAltName names',
    );
  }
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const name of sans) {
    if (name.type === 'dns') {
      dnsNames.push(name.value);
      const problem = dnsNameProblem(name.value);
      if (problem?.kind === 'underscore' && issued >= UNDERSCORE_BAN) {
        f.add('dnsNameUnderscore', `dNSName ${quote(name.value)}`);
      } else if (problem?.kind === 'invalid') {
        f.add('dnsNameInvalid', `dNSName ${quote(name.value)}: ${problem.why}`);
      } else if (problem?.kind === 'internal' && issued >= INTERNAL_NAME_BAN) {
        f.add('internalName', `dNSName ${quote(name.value)}: ${problem.why}`);
      }
    } else if (name.type === 'ip') {
      ips.push(name.value);
      if (isReservedIp(name.value) && issued >= INTERNAL_NAME_BAN) {
        f.add('reservedIpAddress', `iPAddress ${name.value}`);
      }
    }
  }
  lintSubject(cert, f, issued, dnsNames, ips);
  lintValidity(cert, f, issued);
  lintKeyUsage(cert, f);
}

function lintSubject(
  cert: X509Certificate,
  f: Findings,
  issued: number,
  dnsNames: readonly string[],
  ips: readonly string[],
): void {
  const subject = cert.subjectName;
  const sanValues = new Set([...dnsNames.map((n) => n.toLowerCase()), ...ips]);
  for (const cn of subject.getField(OID.commonName)) {
    if (!sanValues.has(cn.toLowerCase())) {
      f.add('commonNameNotInSan', `CN ${quote(cn)}`);
    }
  }
  if (issued >= OU_BAN) {
    for (const ou of subject.getField(OID.organizationalUnitName)) {
      f.add('organizationalUnitPresent', `OU ${quote(ou)}`);
    }
  }
  for (const [label, oid] of PLACEHOLDER_ATTRIBUTES) {
    for (const value of subject.getField(oid)) {
      if (PLACEHOLDER_VALUES.has(value.trim().toLowerCase())) {
        f.add('placeholderSubjectValue', `${label} ${quote(value)}`);
      }
    }
  }
}

function lintValidity(cert: X509Certificate, f: Findings, issued: number): void {
  const rule = VALIDITY_SCHEDULE.find((r) => issued >= Date.parse(r.from));
  if (!rule) return;
  const periodMs = cert.notAfter.getTime() - issued + 1000;
  if (periodMs > rule.maxDays * DAY_MS) {
    const days = Math.floor(periodMs / DAY_MS);
    const rest = Math.round((periodMs - days * DAY_MS) / 1000);
    f.add(
      'validityTooLong',
      `${days} days${rest > 0 ? ` and ${rest} s` : ''}; at most ${rule.maxDays} days for certificates issued from ${rule.from.slice(0, 10)}`,
    );
  }
}

function lintKeyUsage(cert: X509Certificate, f: Findings): void {
  const ku = cert.getExtension(KeyUsagesExtension);
  if (!ku || (ku.usages & KeyUsageFlags.keyEncipherment) === 0) return;
  const key = createPublicKey({
    key: Buffer.from(cert.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  if (key.asymmetricKeyType === 'ec') {
    f.add('ecKeyEncipherment', 'keyUsage keyEncipherment on an EC key');
  }
}
