/**
 * Lints the inventory's own copy (the `pem` column) of each certificate a report concerns. A
 * reporter often names a misissued certificate only by its serial or fingerprint; the CA holds
 * the certificate, so the defect is found all the same (BR 4.9.1.1: misissuance is a
 * revocation reason whatever form the report takes).
 */
import type { Evidence } from '../evidence/types.ts';
import type { InventoryRecord } from '../inventory/types.ts';
import { lintPem } from './lint-certificate.ts';

/**
 * `evidence` with the findings on the affected inventory certificates that have a PEM and are
 * not in the mail (those were linted at extraction). Together with the mail's certificates, at
 * most `maxLinted` distinct certificates are linted per report; a note says when more were
 * left. Only findings on the record's own certificate (its SHA-256) are kept: a PEM column
 * holding a chain says nothing about the record through its other certificates.
 */
export function withInventoryLints(
  evidence: Evidence,
  records: readonly InventoryRecord[],
  affected: readonly string[],
  maxLinted: number,
): Evidence {
  const inMail = new Set(evidence.certificates.map((c) => c.sha256));
  const wanted = new Set(affected.filter((sha256) => !inMail.has(sha256)));
  const candidates = records
    .filter((r) => r.pem !== undefined && r.pem.length > 0 && wanted.has(r.sha256))
    .sort((a, b) => a.sha256.localeCompare(b.sha256))
    .filter((r, i, all) => i === 0 || all[i - 1]?.sha256 !== r.sha256);
  if (candidates.length === 0) return evidence;
  // The collector lints the mail's certificates first, one each, up to the same limit.
  const room = Math.max(0, maxLinted - Math.min(evidence.certificates.length, maxLinted));
  const linted = candidates.slice(0, room);
  const lints = linted.flatMap((r) =>
    lintPem(r.pem ?? '').filter((l) => l.certificate === r.sha256),
  );
  const left = candidates.length - linted.length;
  const problems =
    left > 0
      ? [
          ...evidence.problems,
          `lint limit (${maxLinted} certificates) reached; ${left} inventory certificates not linted`,
        ]
      : evidence.problems;
  return { ...evidence, lints: [...evidence.lints, ...lints], problems };
}
