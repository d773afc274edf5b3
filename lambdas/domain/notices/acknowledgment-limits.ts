/**
 * How many acknowledgments one recipient may get. The acknowledgment goes to whatever From
 * says, and From can be forged: without a limit, N forged reports are N mails to a victim (and
 * N bounces, and an SES sending pause that also stops the preliminary reports). The case of a
 * suppressed acknowledgment is recorded and escalated as any other. The mail a person has us send
 * (`cpr triage --reason needsInfo`, `cpr send`) counts against the same counters and limits.
 */
import { HOUR_MS } from '../policy/deadline-policy.ts';
import type { Admission, RateLimit, RateLimiter } from '../ports/rate-limits.ts';

export interface AcknowledgmentLimits {
  /** At most this many acknowledgments to one address in the window. */
  readonly perAddress: number;
  /** At most this many to one domain in the window (forged From addresses vary the local part). */
  readonly perDomain: number;
  readonly windowHours: number;
}

/** Defaults: 3 per address and 20 per domain in 24 hours; a reporter rarely files more. */
export const DEFAULT_ACKNOWLEDGMENT_LIMITS: AcknowledgmentLimits = {
  perAddress: 3,
  perDomain: 20,
  windowHours: 24,
};

/** The bounds any configuration must keep (a limit of 0 would turn acknowledgments off). */
export const ACKNOWLEDGMENT_LIMIT_BOUNDS = {
  perAddress: { min: 1, max: 1000 },
  perDomain: { min: 1, max: 100_000 },
  windowHours: { min: 1, max: 24 * 7 },
} as const;

/**
 * The counters an acknowledgment to `address` (already in its SES form) counts against. The
 * address key drops a `+tag` and is lowercased: `victim+1@`, `victim+2@` reach one mailbox.
 */
export function acknowledgmentRateLimits(
  address: string,
  domain: string,
  limits: AcknowledgmentLimits,
): RateLimit[] {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).toLowerCase();
  const plus = local.indexOf('+');
  const mailbox = `${plus > 0 ? local.slice(0, plus) : local}@${domain.toLowerCase()}`;
  return [
    { key: `address:${mailbox}`, limit: limits.perAddress },
    { key: `domain:${domain.toLowerCase()}`, limit: limits.perDomain },
  ];
}

/**
 * Counts one mail by `holder` to `to` against the recipient's counters, in the configured window.
 * The acknowledgments, the request for information (`cpr triage --reason needsInfo`) and the
 * preliminary reports sent with `cpr send` share these counters: whatever path a mail takes, a
 * hostile address gets no more of them than the acknowledgments' limit.
 */
export function admitMail(
  limiter: RateLimiter,
  to: { readonly address: string; readonly domain: string },
  holder: string,
  now: Date,
  limits: AcknowledgmentLimits,
): Promise<Admission> {
  return limiter.admit(
    acknowledgmentRateLimits(to.address, to.domain, limits),
    holder,
    now,
    limits.windowHours * HOUR_MS,
  );
}

/** Where a person's mail may count against the shared per-recipient limits. */
export interface PersonMailLimits {
  readonly rateLimiter: RateLimiter;
  readonly limits: AcknowledgmentLimits;
}

/** A mail a person asked for would pass a per-recipient limit: nothing was sent or recorded. */
export class MailRateLimitedError extends Error {
  override readonly name = 'MailRateLimitedError';
  constructor(
    readonly key: string,
    readonly limit: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Admits a mail a person asked for, or refuses it with what to do instead (`otherwise`): it is
 * never dropped silently.
 * @throws MailRateLimitedError
 */
export async function admitPersonMail(
  deps: PersonMailLimits,
  to: { readonly address: string; readonly domain: string },
  holder: string,
  now: Date,
  otherwise: string,
): Promise<void> {
  const admission = await admitMail(deps.rateLimiter, to, holder, now, deps.limits);
  if (admission.admitted) return;
  const who = admission.key.replace(/^\w+:/, '');
  throw new MailRateLimitedError(
    admission.key,
    admission.limit,
    `not sent: ${admission.limit} mails to ${who} in ${deps.limits.windowHours} h already (the per-recipient limit of every mail we send); ${otherwise}`,
  );
}
