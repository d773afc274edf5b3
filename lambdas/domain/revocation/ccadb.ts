/**
 * The certificates appendix of a CCADB incident report (Incident Reporting Guidelines v3.2): a
 * CSV with exactly these columns, in this order.
 */
import { crlReasonName } from './reasons.ts';
import type { Revocation } from './types.ts';

// biome-ignore format: a long list of names, packed to read as one block
export const CCADB_CERTIFICATE_COLUMNS = [
  'precertificate SHA-256', 'certificate SHA-256', 'subject', 'issuer', 'notBefore', 'notAfter',
  'serial', 'dNSNames', 'is revoked', 'revocation date', 'revocation reason',
] as const;

/** RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
function field(value: string | null): string {
  const v = (value ?? '').replace(/[\r\n]+/g, ' ');
  return /[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * One row per certificate. "is revoked" is what relying parties see (verified); the date and
 * reason are those the responder or CRL states, else what the CA recorded.
 */
export function ccadbCertificatesCsv(revocations: readonly Revocation[]): string {
  const rows = revocations.map((r) => {
    const seen = r.checks.findLast((c) => c.result === 'revoked');
    const revoked = r.status === 'verified';
    const date = revoked ? (seen?.revokedAt ?? r.recordedAt) : null;
    const reason = revoked ? (seen ? crlReasonName(seen.reasonCode) : r.recordedReason) : null;
    return [
      // The precertificate's hash is not known from the final certificate alone.
      '',
      r.certificate,
      r.subject,
      r.issuer,
      r.notBefore,
      r.notAfter,
      r.serial,
      r.dnsNames.join(' '),
      revoked ? 'true' : 'false',
      date,
      reason,
    ]
      .map(field)
      .join(',');
  });
  return [CCADB_CERTIFICATE_COLUMNS.join(','), ...rows].join('\n');
}
