/**
 * The intake environment plus what the clock needs: the SES stand-in (outbound mail) and an SNS
 * sink (team, escalation and pager topics), reached through the real SDK clients.
 */
import { inject } from 'vitest';
import { clockDeps } from '../../lambdas/clock/deps.ts';
import {
  acknowledgeTask,
  type ClockTaskDeps,
  checkpointTask,
  deliveryEventsTask,
  notifyTeamTask,
} from '../../lambdas/clock/tasks.ts';
import { GUARD_PATHS, type RecordedRefusal } from '../../local/ses-guard.ts';
import type { SnsSink } from '../../local/sns-sink.ts';
import { pointSdkAt, type StoredMail } from '../../local/stand-ins.ts';
import { type IntakeEnv, intakeEnv, TEAM_TOPIC_ARN } from './intake-env.ts';

export const TOPICS = {
  team: TEAM_TOPIC_ARN,
  escalation: 'arn:aws:sns:us-east-1:000000000000:cpr-escalation',
  pager: 'arn:aws:sns:us-east-1:000000000000:cpr-pager',
} as const;

export const SENDER = {
  senderAddress: 'notices@ca.example',
  replyTo: 'cpr@ca.example',
  caName: 'Example CA',
  // Most tests send many acknowledgments to one reporter; the limits have their own tests
  // (with DEFAULT_ACKNOWLEDGMENT_LIMITS).
  acknowledgmentLimits: { perAddress: 1000, perDomain: 10_000, windowHours: 24 },
} as const;

export interface ClockEnv extends IntakeEnv {
  readonly sns: SnsSink;
  readonly clockDeps: ClockTaskDeps;
  /** Lets a test move time: every clock task reads it. */
  now: Date;
  readonly tasks: {
    acknowledge: (input: unknown) => Promise<unknown>;
    notifyTeam: (input: unknown) => Promise<unknown>;
    checkpoint: (input: unknown) => Promise<unknown>;
    deliveryEvents: (input: unknown) => Promise<unknown>;
  };
  /** Mails the SES stand-in accepted for this case (the store is shared by all test files). */
  mailsFor(caseId: string): Promise<StoredMail[]>;
  /** Makes the SES guard refuse the next send to `to`, as SES would for an account problem. */
  refuseNextSendTo(to: string, code: string, message: string): Promise<void>;
  /** What the SES guard refused so far for `to` (every test file shares it). */
  refusalsFor(to: string): Promise<RecordedRefusal[]>;
  snsFor(caseId: string): SnsSink['messages'];
}

export async function clockEnv(): Promise<ClockEnv> {
  const base = await intakeEnv();
  const sns = base.sns;
  pointSdkAt(process.env, { sesv2: inject('sesEndpoint') });
  const env = { now: new Date('2026-11-27T09:00:00.000Z') } as { now: Date };
  const deps = clockDeps({
    casesTable: base.config.casesTable,
    auditTable: base.config.auditTable,
    revocation: {
      inventoryTable: base.config.inventoryTable,
      evidenceBucket: base.config.evidenceBucket,
      evidencePrefix: base.config.evidencePrefix,
      blocklistBucket: base.config.inboundBucket,
    },
    configurationSet: 'cpr-notices',
    topics: TOPICS,
    region: 'us-east-1',
    now: () => new Date(env.now),
  });
  const where = { rawMail: (k: string) => `s3://${base.config.inboundBucket}/${k}` };
  return Object.assign(env, base, {
    sns,
    clockDeps: deps,
    tasks: {
      acknowledge: acknowledgeTask(deps, SENDER),
      notifyTeam: notifyTeamTask(deps, where),
      checkpoint: checkpointTask(deps),
      deliveryEvents: deliveryEventsTask(deps),
    },
    async mailsFor(caseId: string) {
      const res = await fetch(`${inject('sesEndpoint')}/store`);
      const { emails } = (await res.json()) as { emails: StoredMail[] };
      return emails.filter((m) => m.subject.includes(`[${caseId}]`));
    },
    async refuseNextSendTo(to: string, code: string, message: string) {
      const res = await fetch(`${inject('sesEndpoint')}${GUARD_PATHS.refuseNext}`, {
        method: 'POST',
        body: JSON.stringify({ to, code, message }),
      });
      if (!res.ok) throw new Error(`SES guard: ${res.status}`);
    },
    async refusalsFor(to: string) {
      const res = await fetch(`${inject('sesEndpoint')}${GUARD_PATHS.refusals}`);
      const { refusals } = (await res.json()) as { refusals: RecordedRefusal[] };
      return refusals.filter((r) => r.to.some((a) => a.toLowerCase().includes(to.toLowerCase())));
    },
    snsFor(caseId: string) {
      return sns.messages.filter((m) => m.attributes.caseId === caseId);
    },
    async stop() {
      await base.stop();
    },
  });
}

/** An SES event-publishing record wrapped in an SNS notification, as the delivery topic sends it. */
export function sesEventNotification(
  eventType: 'Delivery' | 'Bounce' | 'Complaint' | 'Send',
  messageId: string,
  at: string,
  details: Record<string, unknown> = {},
) {
  const mail = {
    timestamp: at,
    messageId,
    source: 'notices@ca.example',
    destination: ['rita@researcher.example'],
  };
  const body: Record<string, unknown> = { eventType, mail };
  if (eventType === 'Bounce') {
    body.bounce = {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      timestamp: at,
      bouncedRecipients: [
        {
          emailAddress: 'rita@researcher.example',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
      ...details,
    };
  }
  if (eventType === 'Delivery')
    body.delivery = { timestamp: at, recipients: ['rita@researcher.example'] };
  if (eventType === 'Complaint') body.complaint = { timestamp: at, complaintFeedbackType: 'abuse' };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        Sns: {
          Type: 'Notification',
          MessageId: `sns-${messageId}`,
          TopicArn: 'arn:aws:sns:us-east-1:000000000000:cpr-ses-events',
          Message: JSON.stringify(body),
          Timestamp: at,
        },
      },
    ],
  };
}
