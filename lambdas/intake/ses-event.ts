/**
 * The SES receipt-rule Lambda action event (asynchronous invocation, after the S3 action).
 * It carries headers and verdicts but no body. Checked with a schema so a malformed event is a
 * named error, not a TypeError deep in intake.
 */
import { z } from 'zod';
import type { VerdictStatus, Verdicts } from '../domain/case/types.ts';
import type { MessageEnvelope } from '../domain/ports/message-ledger.ts';

const verdict = z.object({ status: z.string() }).optional();

export const sesMailSchema = z.object({
  timestamp: z.iso.datetime({ offset: true }),
  messageId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9._=+-]+$/, 'unexpected characters'),
  source: z.string().optional(),
  destination: z.array(z.string()).optional(),
  commonHeaders: z
    .object({
      from: z.array(z.string()).optional(),
      subject: z.string().optional(),
      messageId: z.string().optional(),
    })
    .loose()
    .optional(),
});

export const sesReceiptSchema = z
  .object({
    spamVerdict: verdict,
    virusVerdict: verdict,
    spfVerdict: verdict,
    dkimVerdict: verdict,
    dmarcVerdict: verdict,
    dmarcPolicy: z.string().optional(),
  })
  .loose();

export const sesEventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:ses'),
        ses: z.object({ mail: sesMailSchema, receipt: sesReceiptSchema }),
      }),
    )
    .min(1),
});

export type SesEvent = z.infer<typeof sesEventSchema>;
export type SesRecord = SesEvent['Records'][number];

export class InvalidSesEventError extends Error {
  override readonly name = 'InvalidSesEventError';
}

const KNOWN: ReadonlySet<string> = new Set([
  'PASS',
  'FAIL',
  'GRAY',
  'PROCESSING_FAILED',
  'DISABLED',
]);
function status(v: { status: string } | undefined): VerdictStatus {
  const s = v?.status.toUpperCase();
  return s && KNOWN.has(s) ? (s as VerdictStatus) : 'NONE';
}

export function parseSesEvent(event: unknown): SesEvent {
  const result = sesEventSchema.safeParse(event);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidSesEventError(
      `not an SES receipt event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  return result.data;
}

/** The facts intake keeps from one SES record. */
export function envelopeOf(record: SesRecord, inboundPrefix: string): MessageEnvelope {
  const { mail, receipt } = record.ses;
  const verdicts: Verdicts = {
    spam: status(receipt.spamVerdict),
    virus: status(receipt.virusVerdict),
    spf: status(receipt.spfVerdict),
    dkim: status(receipt.dkimVerdict),
    dmarc: status(receipt.dmarcVerdict),
    dmarcPolicy: receipt.dmarcPolicy?.toLowerCase() ?? null,
  };
  return {
    sesMessageId: mail.messageId,
    // The BR clock starts when the CA receives the report: SES's timestamp, never the Date header.
    receivedAt: new Date(mail.timestamp).toISOString(),
    rawKey: `${inboundPrefix}${mail.messageId}`,
    verdicts,
    commonHeaders: {
      from: mail.commonHeaders?.from ?? [],
      subject: mail.commonHeaders?.subject ?? null,
      messageId: mail.commonHeaders?.messageId ?? null,
    },
  };
}
