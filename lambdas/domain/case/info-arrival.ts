/**
 * needsInfo: a report a person found not actionable yet, and the reporter asked for what is
 * missing. Whether the information arriving restarts the BR 4.9.5 clock is policy data
 * (`needsInfoRestartsClock`): BR 2.2 says no (the reporter's clock keeps running); the draft
 * ballot "Improve CPRs" (servercert PR 622) says yes, from the arrival.
 */
import { deadlinePolicy, restartReportClock } from '../policy/deadline-policy.ts';
import type { CaseMessage, CprCase, Deadlines, Notice } from './types.ts';

/**
 * The arrival that restarts the clock, or null: the case's own policy asks for it, the case is
 * open and triaged needsInfo, and this message is the reporter's first after that triage. Only
 * the reporter's reply counts (anyone else's would let a stranger move the deadline), and only
 * once per needsInfo triage.
 */
export function infoArrival(c: CprCase, message: CaseMessage): Date | null {
  if (!deadlinePolicy(c.deadlines.policyVersion).needsInfoRestartsClock) return null;
  if (c.status !== 'open' || c.triage?.reason !== 'needsInfo') return null;
  if (message.role !== 'reply' || message.receivedAt <= c.triage.at) return null;
  if (!c.reporter || message.from?.toLowerCase() !== c.reporter.toLowerCase()) return null;
  if (c.infoArrivedAt && c.infoArrivedAt > c.triage.at) return null;
  return new Date(message.receivedAt);
}

/**
 * The deadlines and preliminary-report notices restarted at `at`: every report still owed is due
 * again from the arrival, with its checkpoints; the change is in each notice's history.
 */
export function restartedForInfo(
  c: CprCase,
  deadlines: Deadlines,
  notices: readonly Notice[],
  message: CaseMessage,
  at: Date,
): { deadlines: Deadlines; notices: Notice[] } {
  const policy = deadlinePolicy(c.deadlines.policyVersion);
  const restarted = restartReportClock(deadlines, policy, at, (cp) =>
    c.escalations.some((e) => e.checkpointAt === cp.at && e.level === cp.level),
  );
  const detail = `information arrived in message ${message.sesMessageId}: BR 4.9.5 clock restarted (policy ${policy.version})`;
  return {
    deadlines: restarted,
    notices: notices.map((n) => {
      if (n.kind === 'acknowledgment' || n.status !== 'pending') return n;
      const dueAt =
        n.kind === 'reporterReport' ? restarted.reporterReport : restarted.subscriberReport;
      return {
        ...n,
        dueAt,
        history: [
          ...n.history,
          { at: message.receivedAt, status: n.status, actor: 'system:intake', detail },
        ],
      };
    }),
  };
}
