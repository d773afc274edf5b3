/**
 * Triage and revocation obligations. A case has one triage (a person confirming the reason) and
 * one revocation obligation per affected certificate (BR 4.9.1.1), each watched by the clock
 * until it is seen revoked from outside, as a relying party sees it.
 */
import type { CrlReasonName, TriageReason } from './reasons.ts';

/** What a person confirmed, and what the case was thought to be before (an audit trail). */
export interface Triage {
  readonly reason: TriageReason;
  /** RFC 5280 CRLReason code for a revocation reason; null for notACpr and needsInfo. */
  readonly reasonCode: number | null;
  readonly by: string;
  readonly at: string;
  readonly note: string;
  /** The classification, or the earlier triage reason, this triage replaced. */
  readonly previous: string;
}

export const REVOCATION_STATUSES = ['pending', 'recorded', 'verified', 'notRequired'] as const;
export type RevocationStatus = (typeof REVOCATION_STATUSES)[number];

/** Statuses whose obligation is still open: the clock keeps watching them. */
export const OPEN_REVOCATION_STATUSES: ReadonlySet<RevocationStatus> = new Set([
  'pending',
  'recorded',
]);

export const CHECK_SOURCES = ['ocsp', 'crl'] as const;
export type CheckSource = (typeof CHECK_SOURCES)[number];

export const CHECK_RESULTS = ['good', 'revoked', 'unknown', 'error'] as const;
export type CheckResult = (typeof CHECK_RESULTS)[number];

/** One look at the certificate's status from outside. */
export interface RevocationCheck {
  readonly source: CheckSource;
  readonly url: string | null;
  readonly at: string;
  readonly result: CheckResult;
  /** RFC 5280 reason code for `revoked` (0 when the entry names none); else null. */
  readonly reasonCode: number | null;
  /** When the responder or CRL says it was revoked, for `revoked`. */
  readonly revokedAt?: string | null;
  readonly detail: string;
}

/** Why a certificate's revocation is not (yet) verified: each one is said in the alert. */
// biome-ignore format: a long list of names, packed to read as one block
export const VERIFY_PROBLEMS = [
  'ocspGood', 'ocspUnknown', 'ocspError', 'wrongReason', 'notOnCrl', 'crlError',
] as const;
export type VerifyProblem = (typeof VERIFY_PROBLEMS)[number];

export interface Revocation {
  readonly caseId: string;
  /** SHA-256 of the certificate, lowercase hex. */
  readonly certificate: string;
  /** Lowercase hex without leading zero bytes; null when only the fingerprint is known. */
  readonly serial: string | null;
  /** RFC 4514 issuer DN when known. */
  readonly issuer: string | null;
  readonly subject: string | null;
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  readonly dnsNames: readonly string[];
  readonly spkiSha256: string | null;
  /** The certificate itself when the mail or the inventory had it (for its AIA and CDP URLs). */
  readonly pem: string | null;
  /** Expected CRLReason name: from triage, or null until a person confirmed the reason. */
  readonly reasonCode: CrlReasonName | null;
  readonly dueAt: string | null;
  readonly status: RevocationStatus;
  /** Why the certificate is affected: `mail`, `key` (inventory SPKI), `serial`, `fingerprint`. */
  readonly via: string;
  readonly foundAt: string;
  /** When the CA says it revoked it, by whom, with which reason, and the note. */
  readonly recordedAt: string | null;
  readonly recordedBy: string | null;
  readonly recordedReason: CrlReasonName | null;
  readonly note: string | null;
  readonly verifiedAt: string | null;
  /** The most recent checks, newest last (bounded: see MAX_CHECKS_KEPT). */
  readonly checks: readonly RevocationCheck[];
  /** Problems of the newest round of checks, for the alerts. */
  readonly problems: readonly VerifyProblem[];
  /** When the team was last alerted that a recorded revocation is not visible from outside. */
  readonly alertedAt: string | null;
  /** For notRequired: the evidence (expired before the report, already revoked before it). */
  readonly notRequiredReason: string | null;
  /** Optimistic-concurrency version. */
  readonly version: number;
}

/** Checks kept per certificate: the newest ones tell the story; older ones are in the audit log. */
export const MAX_CHECKS_KEPT = 12;
