/**
 * The closed sets of revocation: RFC 5280 CRLReason codes, and the reasons a person confirms at
 * triage. One source of truth for the CLI, the checks and the exports.
 */

import { CRL_REASONS, type CrlReason } from '../inventory/types.ts';

/** RFC 5280 5.3.1 CRLReason names (the inventory's list, indexed by code; 7 is unused). */
export type CrlReasonName = CrlReason;
export const CRL_REASON_NAMES: readonly CrlReasonName[] = CRL_REASONS.filter(
  (r): r is CrlReasonName => r !== null,
);
/** Name to code, from the same list. */
export const CRL_REASON_CODES = Object.fromEntries(
  CRL_REASON_NAMES.map((name) => [name, CRL_REASONS.indexOf(name)]),
) as Readonly<Record<CrlReasonName, number>>;

/** The name of a CRLReason code; an absent reasonCode means unspecified (RFC 5280 5.3.1). */
export function crlReasonName(code: number | null | undefined): CrlReasonName | null {
  if (code === null || code === undefined) return 'unspecified';
  return CRL_REASONS[code] ?? null;
}

export function isCrlReasonName(value: string): value is CrlReasonName {
  return (CRL_REASON_NAMES as readonly string[]).includes(value);
}

/**
 * The BR 4.9.1.1 reasons a person confirms, each with the CRLReason the CA must use (BR 7.2.2,
 * Mozilla Root Store Policy 6.1.1): keyCompromise only with evidence of compromise; a
 * misissued certificate carries no specific reason, so its entry has none (`unspecified`).
 */
export const REVOCATION_TRIAGE_REASONS = {
  keyCompromise: 'keyCompromise',
  misissuance: 'unspecified',
  superseded: 'superseded',
  cessationOfOperation: 'cessationOfOperation',
  affiliationChanged: 'affiliationChanged',
  privilegeWithdrawn: 'privilegeWithdrawn',
} as const satisfies Record<string, CrlReasonName>;
export type RevocationTriageReason = keyof typeof REVOCATION_TRIAGE_REASONS;

/** Every triage outcome: a revocation reason, not a CPR at all, or not actionable yet. */
export const TRIAGE_REASONS = [
  ...(Object.keys(REVOCATION_TRIAGE_REASONS) as RevocationTriageReason[]),
  'notACpr',
  'needsInfo',
] as const;
export type TriageReason = (typeof TRIAGE_REASONS)[number];

export function isTriageReason(value: string): value is TriageReason {
  return (TRIAGE_REASONS as readonly string[]).includes(value);
}

export function isRevocationReason(reason: TriageReason): reason is RevocationTriageReason {
  return reason in REVOCATION_TRIAGE_REASONS;
}
