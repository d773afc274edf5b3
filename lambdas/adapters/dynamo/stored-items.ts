/**
 * Validation of the small items of the cases table (messages, Message-ID headers, outbound
 * references, heartbeats, audit events) as they are read back: a malformed item is a named error.
 */
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEvent, auditActorOf } from '../../domain/audit/events.ts';
import type { Heartbeat } from '../../domain/canary/token.ts';
import type { CaseMessage } from '../../domain/case/types.ts';
import { MESSAGE_ROLES, VERDICT_STATUSES } from '../../domain/case/types.ts';
import type { MessageIdOwner } from '../../domain/ports/message-id-index.ts';
import {
  MESSAGE_STATES,
  type MessageEnvelope,
  type MessageRecord,
} from '../../domain/ports/message-ledger.ts';
import type { OutboundRef } from '../../domain/ports/outbound-registry.ts';

export class StoredItemUnreadableError extends Error {
  override readonly name = 'StoredItemUnreadableError';
}

const text = z.string();
const maybe = z.string().nullable();
const verdict = z.enum(VERDICT_STATUSES);

const envelopeSchema: z.ZodType<MessageEnvelope> = z.looseObject({
  sesMessageId: text,
  receivedAt: text,
  rawKey: text,
  verdicts: z.looseObject({
    spam: verdict,
    virus: verdict,
    spf: verdict,
    dkim: verdict,
    dmarc: verdict,
    dmarcPolicy: maybe,
  }),
  commonHeaders: z.looseObject({ from: z.array(text), subject: maybe, messageId: maybe }),
});

const messageSchema: z.ZodType<MessageRecord> = z.object({
  envelope: envelopeSchema,
  state: z.enum(MESSAGE_STATES),
  // Stored as null while unassigned; an empty string never was a case id.
  caseId: maybe.transform((v) => v || null),
  role: z.enum(MESSAGE_ROLES).nullable(),
});

/** A message of a case: its own item, and an entry of the case item's `messages`. */
export const CASE_MESSAGE_FIELDS = {
  sesMessageId: text,
  receivedAt: text,
  from: maybe,
  subject: maybe,
  messageIdHeader: maybe,
  role: z.enum(MESSAGE_ROLES),
  rawKey: text,
  evidenceKey: maybe,
};
const caseMessageSchema: z.ZodType<CaseMessage> = z.object(CASE_MESSAGE_FIELDS);

const ownerSchema: z.ZodType<MessageIdOwner> = z.object({
  caseId: text,
  from: maybe.optional().transform((v) => v ?? null),
});

const outboundSchema: z.ZodType<OutboundRef> = z.object({ caseId: text, noticeId: text });

const heartbeatSchema: z.ZodType<Heartbeat> = z.object({
  receivedAt: text,
  sentAt: text,
  sesMessageId: text,
  latencyMs: z.number(),
});

const eventSchema: z.ZodType<AuditEvent> = z.object({
  caseId: text,
  at: text,
  actor: text.transform((value, ctx) => {
    try {
      return auditActorOf(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  type: z.enum(AUDIT_EVENT_TYPES),
  description: text,
  eventId: text,
});

function read<T>(schema: z.ZodType<T>, what: string, item: Record<string, unknown>): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new StoredItemUnreadableError(
    `${what} ${String(item.pk)}/${String(item.sk)} is not valid: ${issue?.path.join('.') || '(item)'}: ${issue?.message ?? 'invalid'}`,
  );
}

export const itemToMessage = (item: Record<string, unknown>) =>
  read(messageSchema, 'message', item);
export const itemToOwner = (item: Record<string, unknown>) => read(ownerSchema, 'Message-ID', item);
export const itemToOutbound = (item: Record<string, unknown>) =>
  read(outboundSchema, 'outbound reference', item);
export const itemToHeartbeat = (item: Record<string, unknown>) =>
  read(heartbeatSchema, 'heartbeat', item);
export const itemToEvent = (item: Record<string, unknown>) =>
  read(eventSchema, 'audit event', item);
export const itemToCaseMessage = (item: Record<string, unknown>) =>
  read(caseMessageSchema, 'case message', item);
