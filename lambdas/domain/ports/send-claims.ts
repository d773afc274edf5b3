/**
 * Claims on outbound sends, so that an automatic mail goes out at most once. The claim is taken
 * with a conditional write before SES is called; a retry (Step Functions, Lambda) that finds it
 * never calls SES again, whatever happened after the claim.
 */

/** `claimed`: SES is being (or was) called and the outcome is not recorded yet. */
export const SEND_CLAIM_STATES = ['claimed', 'sent', 'refused'] as const;
export type SendClaimState = (typeof SEND_CLAIM_STATES)[number];

export interface SendClaim {
  readonly key: string;
  readonly state: SendClaimState;
  readonly claimedAt: string;
  /** SES's message id, once `sent`. */
  readonly messageId: string | null;
  /** SES's error, once `refused`. */
  readonly error: string | null;
}

export type ClaimResult =
  | { readonly taken: true }
  | { readonly taken: false; readonly existing: SendClaim };

export interface SendClaims {
  /** Takes the claim unless it exists (conditional write); else returns the existing one. */
  claim(key: string, at: string): Promise<ClaimResult>;
  /** Records the outcome on a claim taken by `claim`. */
  settle(
    key: string,
    outcome:
      | { readonly state: 'sent'; readonly messageId: string }
      | { readonly state: 'refused'; readonly error: string },
  ): Promise<void>;
}

/** The claim key of a case's acknowledgment. */
export function acknowledgmentClaimKey(caseId: string): string {
  return `acknowledgment#${caseId}`;
}
