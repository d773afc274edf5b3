/**
 * The one conversion between a case and its DynamoDB item. Reading validates the item against
 * the case's shape and its `schemaVersion`; anything else is a named error, never a silently
 * half-read case. Unknown attributes are kept (loose objects), so that a case written by a newer
 * version of the code survives a read-modify-write by an older one during a deployment.
 */
import { z } from 'zod';
import { auditActorOf } from '../../domain/audit/events.ts';
import { nextDeadline } from '../../domain/case/build.ts';
import { fitCaseItem, itemBytes, MAX_CASE_ITEM_BYTES } from '../../domain/case/item-budget.ts';
import {
  CASE_STATUSES,
  CLASSIFICATIONS,
  type CprCase,
  ESCALATION_LEVELS,
  ESCALATION_STATUSES,
  NOTICE_KINDS,
  NOTICE_STATUSES,
  type Notice,
  SUPPRESSION_REASONS,
  VERDICT_STATUSES,
} from '../../domain/case/types.ts';
import type { KeyFormat } from '../../domain/evidence/types.ts';
import { LINT_CODES, LINT_SEVERITIES } from '../../domain/lint/codes.ts';
import { keys, OPEN_INDEX_PARTITION } from './keys.ts';
import { CASE_MESSAGE_FIELDS } from './stored-items.ts';

/**
 * The shape version of case items this code writes. Version 1 items (before the merged evidence
 * file, unknown senders and reopening) are read by filling those fields with their empty values.
 */
export const CASE_SCHEMA_VERSION = 2;
const READABLE_VERSIONS: ReadonlySet<unknown> = new Set([1, CASE_SCHEMA_VERSION]);

export class CaseItemTooLargeError extends Error {
  override readonly name = 'CaseItemTooLargeError';
}

/** A stored item that is not a case this code can read: wrong type, version or shape. */
export class StoredCaseUnreadableError extends Error {
  override readonly name = 'StoredCaseUnreadableError';
}

/** Room left for the keys, index attributes and type markers next to the case itself. */
const KEY_ATTRIBUTES_ALLOWANCE = 1_000;

/** Attributes of the item that are storage, not part of the case. */
const STORAGE_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'itemType', 'schemaVersion'] as const;

const text = z.string();
const maybe = z.string().nullable();
const actor = z.string().transform((value, ctx) => {
  try {
    return auditActorOf(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const evidenceSchema = z.looseObject({
  certificates: z.array(
    z.looseObject({
      sha256: text,
      serial: text,
      issuer: text,
      subject: text,
      sans: z.array(text),
      notBefore: text,
      notAfter: text,
      spkiSha256: text,
      keyCompromised: z.boolean(),
      source: text,
    }),
  ),
  // Added after the first items were written: older items read as having none.
  unparsedCertificates: z
    .array(
      z.looseObject({ sha256: text, error: text, serialCandidates: z.array(text), source: text }),
    )
    .default([]),
  keys: z.array(
    z.looseObject({
      spkiSha256: text,
      // The set of key formats grows with the parsers; any recorded name is kept as it is.
      format: z.custom<KeyFormat>((v) => typeof v === 'string'),
      algorithm: text,
      matches: z.array(text),
      source: text,
      proof: z.boolean(),
      proofFailure: maybe,
    }),
  ),
  csrs: z.array(
    z.looseObject({
      spkiSha256: text,
      subject: text,
      signatureValid: z.boolean(),
      attestation: z.boolean(),
      matches: z.array(text),
      source: text,
    }),
  ),
  serials: z.array(text),
  // Added after the first items were written: older items read as having none.
  ambiguousSerials: z.array(z.looseObject({ text, asHex: text, asDecimal: text })).default([]),
  sha256Fingerprints: z.array(text),
  crtshIds: z.array(text),
  lints: z
    .array(
      z.looseObject({
        certificate: text,
        code: z.enum(LINT_CODES),
        severity: z.enum(LINT_SEVERITIES),
        detail: text,
        rule: text,
      }),
    )
    .default([]),
  problems: z.array(text),
});

const verdictStatus = z.enum(VERDICT_STATUSES);

const noticeSchema = z.looseObject({
  id: text,
  kind: z.enum(NOTICE_KINDS),
  recipient: maybe,
  subscriber: maybe,
  status: z.enum(NOTICE_STATUSES),
  dueAt: maybe,
  sentAt: maybe,
  messageId: maybe,
  actor: actor.nullable(),
  channel: maybe,
  note: maybe,
  history: z.array(
    z.looseObject({ at: text, status: z.enum(NOTICE_STATUSES), actor, detail: maybe }),
  ),
});

const countsSchema = z.looseObject({
  certificates: z.number(),
  // Cases stored before unparsed certificates were recorded have none.
  unparsedCertificates: z.number().default(0),
  keys: z.number(),
  csrs: z.number(),
  serials: z.number(),
  // Cases stored before digit-only serials were kept apart have none.
  ambiguousSerials: z.number().default(0),
  sha256Fingerprints: z.number(),
  crtshIds: z.number(),
  affected: z.number(),
  subscribers: z.number(),
});

const caseSchema: z.ZodType<CprCase> = z.looseObject({
  id: text,
  status: z.enum(CASE_STATUSES),
  receivedAt: text,
  reporter: maybe,
  subject: maybe,
  classification: z.enum(CLASSIFICATIONS),
  classificationSignals: z.array(text).default([]),
  revocationRequested: z.boolean().default(false),
  acknowledgment: z.discriminatedUnion('decision', [
    z.looseObject({ decision: z.literal('send'), reason: z.null() }),
    z.looseObject({ decision: z.literal('suppress'), reason: z.enum(SUPPRESSION_REASONS) }),
  ]),
  verdicts: z.looseObject({
    spam: verdictStatus,
    virus: verdictStatus,
    spf: verdictStatus,
    dkim: verdictStatus,
    dmarc: verdictStatus,
    dmarcPolicy: maybe,
  }),
  evidence: evidenceSchema,
  evidenceCounts: countsSchema,
  evidenceTruncated: z.boolean(),
  mergedEvidenceKey: maybe,
  affected: z.array(text),
  subscribers: z.array(z.looseObject({ name: text, email: text })),
  notices: z.array(noticeSchema),
  deadlines: z.looseObject({
    policyVersion: text,
    reporterReport: text,
    subscriberReport: text,
    revocation: maybe,
    checkpoints: z.array(z.looseObject({ level: z.enum(ESCALATION_LEVELS), at: text })),
  }),
  messages: z.array(z.looseObject(CASE_MESSAGE_FIELDS)),
  escalations: z.array(
    z.looseObject({
      level: z.enum(ESCALATION_LEVELS),
      checkpointAt: text,
      at: text,
      openObligations: z.array(z.looseObject({ noticeId: text, dueAt: maybe })),
      status: z.enum(ESCALATION_STATUSES),
      sentAt: maybe,
    }),
  ),
  unknownSenders: z.array(text),
  lastJoin: z
    .looseObject({
      sesMessageId: text,
      added: countsSchema,
      senderUnknown: z.boolean(),
    })
    .nullable(),
  reopenedBy: maybe,
  parseError: maybe,
  closedAt: maybe,
  closeReason: maybe,
  version: z.number().int().nonnegative(),
});

/** The case stored in `item`. @throws StoredCaseUnreadableError */
export function itemToCase(item: Record<string, unknown>): CprCase {
  const where = `${String(item.pk)}/${String(item.sk)}`;
  if (item.itemType !== 'case') {
    throw new StoredCaseUnreadableError(`${where} is a ${String(item.itemType)} item, not a case`);
  }
  if (!READABLE_VERSIONS.has(item.schemaVersion)) {
    throw new StoredCaseUnreadableError(
      `${where} has schema version ${String(item.schemaVersion)}; this code reads version ${CASE_SCHEMA_VERSION}`,
    );
  }
  const copy: Record<string, unknown> =
    item.schemaVersion === 1
      ? { mergedEvidenceKey: null, unknownSenders: [], lastJoin: null, reopenedBy: null, ...item }
      : { ...item };
  for (const k of STORAGE_ATTRIBUTES) delete copy[k];
  const parsed = caseSchema.safeParse(copy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoredCaseUnreadableError(
      `${where} is not a valid case: ${issue?.path.join('.') || '(item)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The notices of a case item read with a projection (`notices` only), validated. */
export function itemToNotices(item: Record<string, unknown>): readonly Notice[] {
  const parsed = z.array(noticeSchema).safeParse(item.notices ?? []);
  if (!parsed.success) {
    throw new StoredCaseUnreadableError(
      `a case's notices are not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * The item that stores `c`, in the openByDeadline index while it has a deadline ahead. A case
 * too large for one item is stored as `fitCaseItem` cuts it, which keeps every deadline and
 * obligation: no escalation, notice or closing is refused for size.
 * @throws CaseItemTooLargeError only if even the minimal case does not fit
 */
export function caseToItem(c: CprCase): Record<string, unknown> {
  const fitted = fitCaseItem(c, MAX_CASE_ITEM_BYTES - KEY_ATTRIBUTES_ALLOWANCE);
  if (!fitted) {
    throw new CaseItemTooLargeError(
      `case ${c.id} does not fit one item even cut to its obligations`,
    );
  }
  const due = nextDeadline(fitted);
  const item: Record<string, unknown> = {
    ...fitted,
    ...keys.case(c.id),
    itemType: 'case',
    schemaVersion: CASE_SCHEMA_VERSION,
  };
  if (due) {
    // Only open cases are in the index: the team's "due first" query reads nothing else.
    item.gsi1pk = OPEN_INDEX_PARTITION;
    item.gsi1sk = `${due}#${c.id}`;
  }
  const size = itemBytes(item);
  if (size > MAX_CASE_ITEM_BYTES) {
    throw new CaseItemTooLargeError(`case ${c.id} item would be ${size} bytes`);
  }
  return item;
}
