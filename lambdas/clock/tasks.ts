/**
 * The clock's tasks with their dependencies passed in: the Lambda handlers wrap these, and the
 * local runner and tests call them directly with the same adapters.
 */
import { z } from 'zod';
import { CANARY_EMAIL_TAG } from '../domain/canary/token.ts';
import type { Locations } from '../domain/escalation/messages.ts';
import {
  type CheckpointDeps,
  planClock,
  runCheckpoint,
} from '../domain/escalation/run-checkpoint.ts';
import {
  type AcknowledgeSettings,
  acknowledgeReporter,
  type DeliveryEvent,
  handleDeliveryEvent,
  type NoticeDeps,
  notifyTeam,
} from '../domain/notices/send-notices.ts';
import type { Mailer } from '../domain/ports/mailer.ts';
import type { Notifier } from '../domain/ports/notifier.ts';
import type { RateLimiter } from '../domain/ports/rate-limits.ts';
import type { SendClaims } from '../domain/ports/send-claims.ts';
import {
  type AcknowledgeOutput,
  type CheckpointOutput,
  caseTaskInputSchema,
  checkpointTaskInputSchema,
  type NotifyTeamOutput,
} from './contract.ts';

export class InvalidTaskInputError extends Error {
  override readonly name = 'InvalidTaskInputError';
}

function check<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new InvalidTaskInputError(result.error.issues[0]?.message ?? 'invalid input');
  return result.data;
}

export interface ClockTaskDeps extends NoticeDeps {
  readonly mailer: Mailer;
  readonly claims: SendClaims;
  readonly rateLimiter: RateLimiter;
  readonly notifier: Notifier;
  readonly region: string | null;
}

export function acknowledgeTask(deps: ClockTaskDeps, settings: AcknowledgeSettings) {
  return async (input: unknown): Promise<AcknowledgeOutput> => {
    const { caseId } = check(caseTaskInputSchema, input);
    return acknowledgeReporter(caseId, deps, settings);
  };
}

export function notifyTeamTask(deps: ClockTaskDeps, where: Locations) {
  return async (input: unknown): Promise<NotifyTeamOutput> => {
    const { caseId } = check(caseTaskInputSchema, input);
    return notifyTeam(caseId, deps, where);
  };
}

export function checkpointTask(deps: CheckpointDeps) {
  return async (input: unknown): Promise<CheckpointOutput> => {
    const parsed = check(checkpointTaskInputSchema, input);
    if (parsed.evaluateIndex !== undefined)
      return runCheckpoint(parsed.caseId, parsed.evaluateIndex, deps);
    return planClock(parsed.caseId, parsed.afterIndex ?? -1, deps);
  };
}

/** The S3 console address of a raw message, for the engineer who opens a team notice. */
export function consoleLocations(bucket: string, region: string | null): Locations {
  return {
    rawMail: (key) =>
      `s3://${bucket}/${key} (https://console.aws.amazon.com/s3/object/${bucket}?region=${region ?? 'us-east-1'}&prefix=${encodeURIComponent(key)})`,
  };
}

// SES event publishing records (configuration-set event destination to SNS).
const sesNotification = z
  .object({
    eventType: z.string(),
    mail: z
      .object({
        messageId: z.string(),
        timestamp: z.string(),
        tags: z.record(z.string(), z.array(z.string())).optional(),
      })
      .loose(),
    bounce: z
      .object({
        bounceType: z.string().optional(),
        bounceSubType: z.string().optional(),
        timestamp: z.string().optional(),
        bouncedRecipients: z
          .array(
            z
              .object({
                emailAddress: z.string(),
                diagnosticCode: z.string().optional(),
                status: z.string().optional(),
              })
              .loose(),
          )
          .optional(),
      })
      .loose()
      .optional(),
    complaint: z
      .object({ timestamp: z.string().optional(), complaintFeedbackType: z.string().optional() })
      .loose()
      .optional(),
    delivery: z.object({ timestamp: z.string().optional() }).loose().optional(),
    deliveryDelay: z
      .object({ timestamp: z.string().optional(), delayType: z.string().optional() })
      .loose()
      .optional(),
    reject: z.object({ reason: z.string().optional() }).loose().optional(),
  })
  .loose();

/** Maps one SES event record to what the domain needs; null for events that change nothing. */
export function deliveryEventOf(json: string): DeliveryEvent | null {
  const n = sesNotification.parse(JSON.parse(json));
  // The canary's own mail carries this tag: its events are expected and change no notice.
  if (n.mail.tags?.[CANARY_EMAIL_TAG.name]?.includes(CANARY_EMAIL_TAG.value)) return null;
  const id = n.mail.messageId;
  switch (n.eventType) {
    case 'Delivery':
      return {
        sesMessageId: id,
        outcome: 'delivered',
        at: n.delivery?.timestamp ?? n.mail.timestamp,
        diagnostic: null,
      };
    case 'Bounce': {
      // A transient bounce is SES still trying; only a permanent one loses the notice.
      if (n.bounce?.bounceType === 'Transient') return null;
      const r = n.bounce?.bouncedRecipients?.[0];
      const diagnostic = [
        n.bounce?.bounceType,
        n.bounce?.bounceSubType,
        r?.status,
        r?.diagnosticCode,
      ]
        .filter(Boolean)
        .join(' / ');
      return {
        sesMessageId: id,
        outcome: 'bounced',
        at: n.bounce?.timestamp ?? n.mail.timestamp,
        diagnostic: diagnostic || null,
      };
    }
    case 'Reject':
      return {
        sesMessageId: id,
        outcome: 'bounced',
        at: n.mail.timestamp,
        diagnostic: `rejected by SES: ${n.reject?.reason ?? 'unknown'}`,
      };
    case 'Complaint':
      return {
        sesMessageId: id,
        outcome: 'complained',
        at: n.complaint?.timestamp ?? n.mail.timestamp,
        diagnostic: n.complaint?.complaintFeedbackType ?? null,
      };
    default:
      return null; // Send, DeliveryDelay, Open, Click: nothing to change on the notice
  }
}

const snsEventSchema = z.object({
  Records: z.array(z.object({ Sns: z.object({ Message: z.string() }).loose() }).loose()).min(1),
});

export function deliveryEventsTask(deps: ClockTaskDeps) {
  return async (input: unknown) => {
    const { Records } = check(snsEventSchema, input);
    const results = [];
    for (const record of Records) {
      const e = deliveryEventOf(record.Sns.Message);
      results.push(
        e ? await handleDeliveryEvent(e, deps) : { status: 'ignored' as const, caseId: null },
      );
    }
    return results;
  };
}
