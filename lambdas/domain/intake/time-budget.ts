/**
 * Intake's time budget. A Lambda that runs past its timeout is killed mid-way, retried twice
 * the same way, and its report ends only in the failure queue: the one outcome intake must
 * never have. So evidence extraction, the only step whose cost the sender controls, gets a
 * deadline before the invocation's own, and stops there with a `truncated` note; the writes
 * that make the case and start its clock keep the rest.
 */
import type { TimeBudget } from '../evidence/extract.ts';

/**
 * Time kept for what follows extraction: inventory look-ups for up to 20,000 certificates,
 * the evidence file, the case item, audit events and the clock start, with SDK retries.
 */
export const MIN_WRITE_RESERVE_MS = 15_000;
/** A share of what is left is kept too, so a longer timeout also leaves more room to write. */
export const WRITE_RESERVE_SHARE = 0.25;

/** The extraction budget for an invocation that must be done by `deadline` (on `now`'s clock). */
export function extractionTimeBudget(deadline: Date, now: () => Date): TimeBudget {
  const at = now().getTime();
  const remaining = Math.max(0, deadline.getTime() - at);
  const reserve = Math.max(MIN_WRITE_RESERVE_MS, remaining * WRITE_RESERVE_SHARE);
  return { now: () => now().getTime(), deadline: at + remaining - reserve };
}
