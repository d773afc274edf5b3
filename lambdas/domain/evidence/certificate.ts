/**
 * Reading one DER certificate with node:crypto (native OpenSSL: fast enough for mass reports).
 */
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { type IssuerCertificate, signingIssuer } from '../issuers/config.ts';
import { MalformedEvidenceError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import { X509Certificate as PeculiarX509Certificate } from './peculiar.ts';
import { normaliseSerialHex } from './serial.ts';
import type { CertificateEvidence } from './types.ts';
import { certificateShape, shapeSerialCandidates } from './unparsed-certificate.ts';

/** A certificate's facts before matching decides `keyCompromised`. */
export type CertificateFacts = Omit<CertificateEvidence, 'keyCompromised' | 'source'>;

/**
 * Splits node's `subjectAltName` string (`DNS:a, DNS:b`). Node quotes a value as a JSON string
 * when it contains a comma or quote, so a plain split on `, ` would cut such values apart.
 */
export function splitSubjectAltName(san: string | undefined): string[] {
  if (san === undefined || san.length === 0) return [];
  const out: string[] = [];
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(':', i);
    if (colon === -1) break;
    const type = san.slice(i, colon);
    let value: string;
    let next: number;
    if (san[colon + 1] === '"') {
      let j = colon + 2;
      while (j < san.length && san[j] !== '"') j += san[j] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(san.slice(colon + 1, j + 1)) as string;
      } catch {
        value = san.slice(colon + 2, j);
      }
      next = san.indexOf(', ', j);
    } else {
      next = san.indexOf(', ', colon);
      value = san.slice(colon + 1, next === -1 ? san.length : next);
    }
    out.push(`${type}:${value}`);
    if (next === -1) break;
    i = next + 2;
  }
  return out;
}

/** Node prints names one RDN per line in certificate order; we join them `C=XX, O=..., CN=...`. */
function formatName(name: string): string {
  return name.split('\n').join(', ');
}

function spkiDer(cert: NodeX509Certificate, der: Uint8Array): Uint8Array {
  try {
    return cert.publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    // Key types OpenSSL cannot load (exotic curves, PQC) still have an SPKI to hash.
    return new Uint8Array(new PeculiarX509Certificate(der).publicKey.rawData);
  }
}

/** RFC 6962 3.1: the critical CT poison extension (OID 1.3.6.1.4.1.11129.2.4.3, value NULL). */
export const CT_POISON_OID = '1.3.6.1.4.1.11129.2.4.3';
const CT_POISON_DER = Buffer.from('060a2b06010401d6790204030101ff04020500', 'hex');

/**
 * True for a precertificate. The byte search is only a fast filter (the encoding may also sit
 * inside some other field); the extension list decides.
 */
function isPrecertificate(raw: Buffer): boolean {
  if (raw.indexOf(CT_POISON_DER) === -1) return false;
  try {
    const ext = new PeculiarX509Certificate(new Uint8Array(raw)).getExtension(CT_POISON_OID);
    return ext?.critical === true;
  } catch {
    return false;
  }
}

/**
 * Parses a DER certificate; throws MalformedEvidenceError when it is not one. With the CA's
 * issuer certificates, `signedBy` names the one whose signature verifies.
 */
export function parseCertificate(
  der: Uint8Array,
  issuers: readonly IssuerCertificate[] = [],
): CertificateFacts {
  let cert: NodeX509Certificate;
  try {
    cert = new NodeX509Certificate(der);
  } catch (cause) {
    throw new MalformedEvidenceError('not a DER certificate', { cause });
  }
  // `raw` is the certificate alone: OpenSSL's TRUSTED CERTIFICATE trailer is not part of it.
  const raw = cert.raw;
  return {
    sha256: sha256Hex(raw),
    serial: serialOf(cert, raw),
    issuer: formatName(cert.issuer),
    subject: formatName(cert.subject),
    sans: splitSubjectAltName(cert.subjectAltName),
    notBefore: cert.validFromDate.toISOString(),
    notAfter: cert.validToDate.toISOString(),
    spkiSha256: sha256Hex(spkiDer(cert, raw)),
    ...(isPrecertificate(raw) ? { precertificate: true as const } : {}),
    ...signedByOf(cert, issuers),
  };
}

/**
 * The serial in normal form. Node prints a negative serial (RFC 5280 4.1.2.2 forbids them, yet
 * OpenSSL issues them) with a minus sign; the bytes of its INTEGER are what an inventory holds.
 */
function serialOf(cert: NodeX509Certificate, raw: Uint8Array): string {
  const printed = normaliseSerialHex(cert.serialNumber, Number.POSITIVE_INFINITY);
  if (printed !== null) return printed;
  const shape = certificateShape(raw);
  return (shape && shapeSerialCandidates(raw, shape)[0]) ?? '00';
}

function signedByOf(
  cert: NodeX509Certificate,
  issuers: readonly IssuerCertificate[],
): { signedBy?: string } {
  if (issuers.length === 0) return {};
  const issuer = signingIssuer(cert, issuers);
  return issuer ? { signedBy: issuer.name } : {};
}
