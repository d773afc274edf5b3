/**
 * Sliding-window send counters: how many automatic mails went to one key (a recipient address,
 * a recipient domain) in the window before now. Used so that forged reports cannot make us
 * mail-bomb a third party (each acknowledgment is a mail to whatever From says).
 */

export interface RateLimit {
  /** What is counted, e.g. `address:rita@researcher.example`, `domain:researcher.example`. */
  readonly key: string;
  /** At most this many sends in the window. */
  readonly limit: number;
}

export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly key: string; readonly limit: number };

export class RateLimitContentionError extends Error {
  override readonly name = 'RateLimitContentionError';
}

export interface RateLimiter {
  /**
   * Counts one send by `holder` against every limit, all or none: admitted only when every key
   * has fewer than `limit` sends in (now - windowMs, now]. Idempotent per holder: a holder
   * already counted in the window is admitted again without counting twice (a retried task).
   * @throws RateLimitContentionError when concurrent writers kept winning (the caller retries)
   */
  admit(
    limits: readonly RateLimit[],
    holder: string,
    now: Date,
    windowMs: number,
  ): Promise<Admission>;
}
