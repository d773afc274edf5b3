/**
 * One canary run: send a signed synthetic report to the public CPR address, then look at what
 * the last one proved (the heartbeat intake recorded), and at what else must hold for a CPR to
 * reach a person: the active receipt rule set and confirmed alert subscriptions. Every check runs
 * even when another failed; the caller publishes the metrics and fails the invocation if a check
 * could not run, so a broken canary is loud as well.
 */
import { ALERT_TOPICS, type AlertTopic } from '../case/types.ts';
import type {
  CanaryMail,
  CanaryMailer,
  OpenCases,
  ReceiptRuleSets,
  TeamAlerts,
  TopicSubscriptions,
} from '../ports/canary.ts';
import type { HeartbeatReader } from '../ports/heartbeat-store.ts';
import {
  assessCanary,
  type CanaryAssessment,
  type CanaryObservation,
  type CanarySettings,
  type Observed,
} from './assess.ts';
import { createCanaryToken } from './token.ts';

export interface CanaryDeps {
  /** The HMAC key shared with intake; read once and cached by the caller. */
  readonly secret: () => Promise<string>;
  readonly mailer: CanaryMailer;
  readonly ruleSets: ReceiptRuleSets;
  readonly subscriptions: TopicSubscriptions;
  readonly heartbeats: HeartbeatReader;
  readonly openCases: OpenCases;
  readonly alerts: TeamAlerts;
  readonly now: () => Date;
}

export interface CanaryRunSettings extends CanarySettings {
  readonly from: string;
  /** The public CPR address the synthetic report goes to (the first one configured). */
  readonly to: string;
}

export interface CanaryRunResult {
  readonly at: string;
  readonly assessment: CanaryAssessment;
  /** SES message id of this run's canary mail, or null when the send failed. */
  readonly messageId: string | null;
  /** Whether the team alert went out; null when there was none to send. */
  readonly alerted: boolean | null;
  /** Why the alert could not be published. */
  readonly alertError: string | null;
}

function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

async function observe<T>(check: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await check() };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

/**
 * The synthetic report, its token signed over this subject and text: the token is good on this
 * mail only. Its text says what it is, for anyone who ever sees it in a mailbox.
 */
export function canaryMail(
  settings: CanaryRunSettings,
  sentAt: Date,
  secret: string,
  nonce?: string,
): CanaryMail {
  const content = {
    subject: `CPR intake canary ${sentAt.toISOString()}`,
    text: [
      'This is an automated test message, not a Certificate Problem Report.',
      '',
      `The CPR intake canary sends one every ${settings.intervalMinutes} minutes to ${settings.to}`,
      'to prove that mail to this address reaches the intake system. It carries a signed',
      'X-CPR-Canary header: intake records it as a heartbeat, opens no case and answers nothing.',
      '',
      'If you see this message in a case or a mailbox, intake did not recognise it (for example',
      'after a change of the canary secret): see "Canary mail became a case" in docs/operations.md.',
    ].join('\n'),
  };
  return {
    from: settings.from,
    to: settings.to,
    ...content,
    token: createCanaryToken(secret, sentAt, content, nonce),
  };
}

export async function runCanary(
  deps: CanaryDeps,
  settings: CanaryRunSettings,
): Promise<CanaryRunResult> {
  const now = deps.now();
  const sent = await observe(async () => {
    return deps.mailer.send(canaryMail(settings, now, await deps.secret()));
  });
  const count = (topic: AlertTopic) => observe(() => deps.subscriptions.count(topic));
  const [activeRuleSet, team, escalation, pager, heartbeat, openCases] = await Promise.all([
    observe(() => deps.ruleSets.activeRuleSetName()),
    ...ALERT_TOPICS.map(count),
    observe(() => deps.heartbeats.latest()),
    observe(() => deps.openCases.countOpenObligations()),
  ] as const);
  const observation: CanaryObservation = {
    sent,
    activeRuleSet,
    subscriptions: { team, escalation, pager },
    heartbeat,
    openCases,
  } as CanaryObservation;
  const assessment = assessCanary(observation, settings, now);

  let alerted: boolean | null = null;
  let alertError: string | null = null;
  if (assessment.alert) {
    try {
      await deps.alerts.publish(assessment.alert);
      alerted = true;
    } catch (error) {
      alerted = false;
      alertError = errorText(error);
    }
  }
  return {
    at: now.toISOString(),
    assessment,
    messageId: sent.ok ? sent.value.messageId : null,
    alerted,
    alertError,
  };
}

export class CanaryRunError extends Error {
  override readonly name = 'CanaryRunError';
}

/** Throws when a check could not run or the alert could not be sent: the run failed. */
export function failIfIncomplete(result: CanaryRunResult): void {
  const failures = result.assessment.problems.flatMap((p) =>
    p.kind === 'checkFailed' ? [`${p.check}: ${p.error}`] : [],
  );
  if (result.alertError) failures.push(`team alert: ${result.alertError}`);
  if (failures.length > 0) {
    throw new CanaryRunError(`canary run incomplete: ${failures.join('; ')}`);
  }
}
