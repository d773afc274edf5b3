/**
 * Closing a case: a person decides the case needs nothing more. The clock stops escalating it at
 * its next checkpoint; obligations still open are named in the audit event and to the caller,
 * because closing does not meet them.
 */
import { type AuditActor, caseClosed } from '../audit/events.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { CaseStore } from '../ports/case-store.ts';
import { openObligations } from './notices.ts';
import { minuteUtc } from './timeline.ts';
import type { CprCase } from './types.ts';

/** The guarded transition: closing a closed case changes nothing. */
export function markClosed(c: CprCase, at: string, reason: string): CprCase | null {
  if (c.status === 'closed') return null;
  return { ...c, status: 'closed', closedAt: at, closeReason: reason };
}

export const CLOSE_REFUSALS = ['caseNotFound', 'alreadyClosed', 'closedMeanwhile'] as const;
export type CloseRefusal = (typeof CLOSE_REFUSALS)[number];

export class CaseCloseRefusedError extends Error {
  override readonly name = 'CaseCloseRefusedError';
  constructor(
    readonly refusal: CloseRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface CloseCaseDeps {
  readonly cases: CaseStore;
  readonly audit: AuditLog;
  readonly now: () => Date;
}

export interface ClosedCase {
  readonly closed: CprCase;
  /** Ids of the obligations that were still open when the case was closed. */
  readonly stillOpen: readonly string[];
}

/**
 * Closes an open case and records who did it and why.
 * @throws CaseCloseRefusedError when the case does not exist or is (or meanwhile became) closed
 */
export async function closeCase(
  caseId: string,
  request: { readonly reason: string; readonly actor: AuditActor },
  deps: CloseCaseDeps,
): Promise<ClosedCase> {
  const current = await deps.cases.get(caseId);
  if (!current) throw new CaseCloseRefusedError('caseNotFound', `case ${caseId} does not exist`);
  if (current.status === 'closed') {
    throw new CaseCloseRefusedError(
      'alreadyClosed',
      `case ${caseId} is already closed (${current.closedAt ? minuteUtc(current.closedAt) : '-'}: ${current.closeReason ?? 'no reason'})`,
    );
  }
  const at = deps.now().toISOString();
  const closed = await deps.cases.update(caseId, (c) => markClosed(c, at, request.reason));
  if (closed.closedAt !== at || closed.closeReason !== request.reason) {
    throw new CaseCloseRefusedError(
      'closedMeanwhile',
      `case ${caseId} was closed by someone else meanwhile: ${closed.closeReason ?? ''}`,
    );
  }
  const stillOpen = openObligations(current.notices).map((n) => n.id);
  await deps.audit.append([
    caseClosed({ caseId, at, actor: request.actor, reason: request.reason, stillOpen }),
  ]);
  return { closed, stillOpen };
}
