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

/**
 * A send was claimed earlier and stopped before SES answered: it may have gone out, so it is not
 * sent again (at most once), and a person has to find out.
 */
export class SendInDoubtError extends Error {
  override readonly name = 'SendInDoubtError';
}

export interface SendClaims {
  /** Takes the claim unless it exists (conditional write); else returns the existing one. */
  claim(key: string, at: string): Promise<ClaimResult>;
  /**
   * Takes a `refused` claim again (SES said no, so nothing went out and a person may try once
   * more): true for the one caller whose conditional write turned it back into `claimed`.
   */
  retake(key: string, at: string): Promise<boolean>;
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

/**
 * The claim key of one send of a preliminary report (`cpr send`): per case, notice (which names
 * its recipient) and attempt, the number of times the notice was recorded sent before. A rerun
 * of the same send finds its claim; a report that bounced is a new attempt with a claim of its own.
 */
export function preliminaryReportClaimKey(
  caseId: string,
  noticeId: string,
  attempt: number,
): string {
  return `report#${caseId}#${noticeId}#${attempt}`;
}
