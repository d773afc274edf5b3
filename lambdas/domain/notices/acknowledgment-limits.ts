/**
 * How many acknowledgments one recipient may get. The acknowledgment goes to whatever From
 * says, and From can be forged: without a limit, N forged reports are N mails to a victim (and
 * N bounces, and an SES sending pause that also stops the preliminary reports). The case of a
 * suppressed acknowledgment is recorded and escalated as any other.
 */
import type { RateLimit } from '../ports/rate-limits.ts';

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
