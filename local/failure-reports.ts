/**
 * The SNS publishes the clock makes when a task keeps failing (`CLOCK_FAILURE_REPORTS`), routed
 * to the pager topic as in AWS. The library does not emulate SDK integrations, so every local
 * run (the stack, the tests) routes them here by state name.
 */
import { CLOCK_FAILURE_REPORTS } from '../lambdas/clock/contract.ts';
import type { Notifier } from '../lambdas/domain/ports/notifier.ts';

/** The sns:publish result shape, `{ MessageId }`, as the definition's task would get it. */
export function failureReportTasks(
  notifier: Notifier,
): Record<(typeof CLOCK_FAILURE_REPORTS)[number], (payload: unknown) => Promise<unknown>> {
  const publish = async (payload: unknown) => {
    const p = payload as { Message?: string; Subject?: string };
    const message = p.Message ?? JSON.stringify(payload);
    // The definition's message starts with "Case <id>:"; the local sink files it under that case.
    const caseId = /^Case (CPR-[0-9A-Z-]+):/.exec(message)?.[1];
    const out = await notifier.publish('pager', {
      subject: p.Subject ?? 'CPR deadline clock: a task failed',
      message,
      attributes: { severity: 'high', type: 'clockFailure', ...(caseId ? { caseId } : {}) },
    });
    return { MessageId: out.messageId };
  };
  return Object.fromEntries(CLOCK_FAILURE_REPORTS.map((name) => [name, publish])) as Record<
    (typeof CLOCK_FAILURE_REPORTS)[number],
    (payload: unknown) => Promise<unknown>
  >;
}
