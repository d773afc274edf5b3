/** The case store: cases read and written whole, every change guarded by the case's version. */
import type { CprCase } from '../case/types.ts';

export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
}

/**
 * Another writer changed the case between our read and our write on every attempt: the change
 * was not applied (the caller's retry, or Lambda's, tries again from a fresh read).
 */
export class CaseChangedConcurrentlyError extends Error {
  override readonly name = 'CaseChangedConcurrentlyError';
}

export interface CaseStore {
  get(id: string): Promise<CprCase | null>;
  /** Creates the case unless one with this id exists; returns the stored case. */
  create(c: CprCase): Promise<{ readonly created: boolean; readonly stored: CprCase }>;
  /**
   * Applies `change` under optimistic locking, re-reading and re-applying it on a concurrent
   * write. `change` returns null when there is nothing to do (which makes retried steps
   * idempotent); it must be a function of the case it is given, nothing read before: what it
   * needs from elsewhere (the case's merged evidence) it reads itself, on every attempt.
   * @throws CaseNotFoundError
   * @throws CaseChangedConcurrentlyError
   */
  update(
    id: string,
    change: (current: CprCase) => CprCase | null | Promise<CprCase | null>,
  ): Promise<CprCase>;
}
