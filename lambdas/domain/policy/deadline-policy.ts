/**
 * Deadline rules as a versioned policy, not constants scattered through code: the draft ballot
 * "SC-XX Improve CPRs" (cabforum/servercert PR 622) would move some clocks, and a CA must be able
 * to show which rules a case was measured against.
 */
import type { Checkpoint, Classification, Deadlines, EscalationLevel } from '../case/types.ts';

const HOUR_MS = 3_600_000;

export interface DeadlinePolicy {
  readonly version: string;
  readonly description: string;
  /** BR 4.9.5: preliminary report to the entity who filed the CPR. */
  readonly reporterReportHours: number;
  /** BR 4.9.5: preliminary report to the Subscriber. */
  readonly subscriberReportHours: number;
  /** BR 4.9.1.1: revocation deadline by classification; absent means unset until known. */
  readonly revocationHours: Partial<Record<Classification, number>>;
  /** When the clock checks for open obligations, and how loudly it complains. */
  readonly checkpoints: readonly { readonly afterHours: number; readonly level: EscalationLevel }[];
  /** After a breach, page again on a bounded interval until the obligations are met. */
  readonly repage: { readonly everyHours: number; readonly times: number };
}

/** TLS Baseline Requirements v2.2.x, the default. */
export const BR_2_2: DeadlinePolicy = Object.freeze({
  version: 'br-2.2',
  description: 'CA/Browser Forum TLS Baseline Requirements v2.2.x, sections 4.9.1.1 and 4.9.5',
  reporterReportHours: 24,
  subscriberReportHours: 24,
  revocationHours: Object.freeze({
    // BR 4.9.1.1 (1)-(5): key compromise is a 24-hour revocation.
    keyCompromise: 24,
    // BR 4.9.1.1 (6)-(12): misissuance and the like allow 5 days.
    misissuance: 5 * 24,
  }),
  checkpoints: Object.freeze([
    Object.freeze({ afterHours: 12, level: 'warning' as const }),
    Object.freeze({ afterHours: 20, level: 'page' as const }),
    Object.freeze({ afterHours: 24, level: 'breach' as const }),
  ]),
  repage: Object.freeze({ everyHours: 4, times: 6 }),
});

/** The policy a deployment uses unless its configuration names another. */
export const DEFAULT_DEADLINE_POLICY_VERSION = BR_2_2.version;

export const DEADLINE_POLICIES: Readonly<Record<string, DeadlinePolicy>> = Object.freeze({
  [BR_2_2.version]: BR_2_2,
});

export class UnknownDeadlinePolicyError extends Error {
  override readonly name = 'UnknownDeadlinePolicyError';
  constructor(version: string) {
    super(
      `unknown deadline policy "${version}"; known: ${Object.keys(DEADLINE_POLICIES).join(', ')}`,
    );
  }
}

/** Looks a policy up by version; fails loudly so a typo in config stops a cold start. */
export function deadlinePolicy(version: string): DeadlinePolicy {
  const policy = DEADLINE_POLICIES[version];
  if (!policy) throw new UnknownDeadlinePolicyError(version);
  return policy;
}

function plusHours(receivedAt: Date, hours: number): string {
  return new Date(receivedAt.getTime() + hours * HOUR_MS).toISOString();
}

/**
 * Every deadline of a case, counted from receipt (SES's timestamp, never the Date header: the
 * BR clock starts when the CA receives the report). All UTC, ISO 8601.
 */
export function computeDeadlines(
  policy: DeadlinePolicy,
  receivedAt: Date,
  classification: Classification,
): Deadlines {
  const revocationHours = policy.revocationHours[classification];
  const checkpoints: Checkpoint[] = policy.checkpoints.map((c) => ({
    level: c.level,
    at: plusHours(receivedAt, c.afterHours),
  }));
  const last = policy.checkpoints.at(-1)?.afterHours ?? 0;
  for (let i = 1; i <= policy.repage.times; i += 1) {
    checkpoints.push({
      level: 'repage',
      at: plusHours(receivedAt, last + i * policy.repage.everyHours),
    });
  }
  return {
    policyVersion: policy.version,
    reporterReport: plusHours(receivedAt, policy.reporterReportHours),
    subscriberReport: plusHours(receivedAt, policy.subscriberReportHours),
    revocation: revocationHours === undefined ? null : plusHours(receivedAt, revocationHours),
    checkpoints,
  };
}
