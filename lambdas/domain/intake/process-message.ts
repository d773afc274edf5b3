/**
 * Intake: one SES message in, exactly one case out (new, or the case it answers or repeats).
 *
 * The order of steps is what makes this safe without transactions (the local DynamoDB stand-in
 * has none, and retries are the normal case for an asynchronous Lambda):
 * 1. claim the SES messageId (conditional put): a record of the message exists before any work;
 * 2. decide the case (reply, duplicate, new) and remember the decision on that record, so a retry
 *    after a crash takes the same decision;
 * 3. write the message's full evidence to S3 (an overwrite is harmless);
 * 4. create or update the case item under a condition (create-if-absent, optimistic version);
 * 5. append audit events with deterministic ids (written once);
 * 6. start the deadline clock with the case id as execution name (a second start is a no-op);
 * 7. mark the message done.
 * A failure at any step leaves the message re-processable by a retry or a replay.
 */

import { CANARY_HEADER, verifyCanaryToken } from '../canary/token.ts';
import {
  buildNewCase,
  type CaseEvidence,
  joinCase,
  mergeCaseEvidence,
  withInventoryMatches,
} from '../case/build.ts';
import { caseIdFor, MAX_CASE_ID_ATTEMPTS } from '../case/case-id.ts';
import { linkKeysToCertificates } from '../case/evidence-set.ts';
import type {
  AcknowledgmentDecision,
  AuditEvent,
  CaseMessage,
  Classification,
  CprCase,
} from '../case/types.ts';
import { decideAcknowledgment, reporterAddress } from '../classify/acknowledgment.ts';
import { type ClassificationResult, classify } from '../classify/classify.ts';
import { extractEvidence } from '../evidence/extract.ts';
import { EMPTY_EVIDENCE, type Evidence } from '../evidence/types.ts';
import { inventoryQueryFor, resolveAffected } from '../inventory/resolve.ts';
import { settleSerialReadings } from '../inventory/serial-readings.ts';
import { parseAddresses } from '../mail/header-values.ts';
import { MAX_HEADER_VALUE_CHARS } from '../mail/limits.ts';
import { parseMail, UnparsableMailError } from '../mail/parse.ts';
import { caseIdsInSubject, referencedMessageIds } from '../mail/threading.ts';
import type { ParsedMail } from '../mail/types.ts';
import { deadlinePolicy } from '../policy/deadline-policy.ts';
import {
  type IntakeDeps,
  type IntakeSettings,
  type MessageEnvelope,
  type MessageRole,
  RawMailNotFoundError,
} from './ports.ts';

export const INTAKE_ACTOR = 'system:intake';

export class CaseIdExhaustedError extends Error {
  override readonly name = 'CaseIdExhaustedError';
}

export interface IntakeResult {
  /** Null only for a canary, which opens no case. */
  readonly caseId: string | null;
  readonly role: MessageRole | 'canary';
  /**
   * `created`/`joined` on first processing, `alreadyProcessed` for a repeated delivery, `canary`
   * for our own synthetic report (a heartbeat, no case, nothing sent).
   */
  readonly outcome: 'created' | 'joined' | 'alreadyProcessed' | 'canary';
  readonly classification: Classification;
  readonly acknowledgment: AcknowledgmentDecision;
  readonly parseFailed: boolean;
  readonly evidence: {
    readonly certificates: number;
    readonly keys: number;
    readonly csrs: number;
    readonly serials: number;
    readonly affected: number;
    readonly subscribers: number;
  };
}

export interface ProcessOptions {
  /** Re-run a message that was already processed (after a parser fix, say). */
  readonly replay?: boolean;
}

/** Runs intake for one message SES stored; see the module comment for the order of writes. */
export async function processMessage(
  envelope: MessageEnvelope,
  deps: IntakeDeps,
  settings: IntakeSettings,
  options: ProcessOptions = {},
): Promise<IntakeResult> {
  const policy = deadlinePolicy(settings.deadlinePolicyVersion);
  const record = await deps.cases.claimMessage(envelope);
  if (record.state === 'done' && record.caseId && record.role && !options.replay) {
    const existing = await deps.cases.getCase(record.caseId);
    if (existing) return resultOf(existing, record.role, 'alreadyProcessed', false);
  }
  // The first delivery's envelope is authoritative: a retry carries the same facts anyway.
  const env = record.envelope;
  const receivedAt = new Date(env.receivedAt);

  const { mail, parseError } = await readMail(env, deps);
  if (!parseError && isCanary(mail, settings, receivedAt)) {
    return recordCanary(env, mail, deps);
  }
  const extracted = parseError ? withProblem(EMPTY_EVIDENCE, parseError) : await safeExtract(mail);

  let caseId = record.caseId;
  let role = record.role;
  if (!caseId || !role) {
    ({ caseId, role } = await route(mail, env, deps));
    await deps.cases.assignMessage(env.sesMessageId, caseId, role);
  }

  const records = await deps.inventory.lookup(inventoryQueryFor(extracted));
  // A digit-only serial keeps the reading the inventory knows; unknown pairs stay ambiguous.
  const settled = settleSerialReadings(extracted, records);
  const resolution = resolveAffected(settled, records);
  const evidence = withInventoryMatches(
    linkKeysToCertificates(settled, resolution.keyCompromised),
    resolution,
  );
  const own: CaseEvidence = {
    evidence,
    affected: resolution.affected,
    subscribers: resolution.subscribers,
  };
  const evidenceKey = deps.evidence.keyFor(caseId, env.sesMessageId);
  await deps.evidence.put(evidenceKey, { caseId, sesMessageId: env.sesMessageId, ...own });

  const decision: ClassificationResult = parseError
    ? { classification: 'unparsed', signals: ['mail:unparsed'], revocationRequested: false }
    : classify({ evidence, mail, namesOurCertificate: records.length > 0 });
  const classification = decision.classification;
  const message: CaseMessage = {
    sesMessageId: env.sesMessageId,
    receivedAt: env.receivedAt,
    from: mail.from?.address ?? null,
    subject: mail.subject,
    messageIdHeader: mail.messageIdHeader,
    role,
    rawKey: env.rawKey,
    evidenceKey,
  };

  let stored: CprCase;
  let outcome: 'created' | 'joined';
  if (role === 'report') {
    const reporter = reporterAddress(mail);
    const acknowledgment = decideAcknowledgment({
      mail,
      verdicts: env.verdicts,
      ownAddresses: settings.ownAddresses,
    });
    const fresh = buildNewCase({
      id: caseId,
      receivedAt,
      reporter,
      subject: mail.subject,
      classification,
      classificationSignals: decision.signals,
      revocationRequested: decision.revocationRequested,
      acknowledgment,
      verdicts: env.verdicts,
      full: own,
      message,
      parseError,
      policy,
    });
    const created = await deps.cases.createCase(fresh);
    if (!created.created && created.stored.messages[0]?.sesMessageId !== env.sesMessageId) {
      // Another message took this id between our check and our write: route again next try.
      await deps.cases.clearAssignment(env.sesMessageId);
      throw new CaseIdExhaustedError(`case id ${caseId} was taken concurrently; retrying`);
    }
    stored =
      created.created || !options.replay
        ? created.stored
        : await foldInto(caseId, message, own, decision, deps, policy);
    outcome = 'created';
  } else {
    stored = await foldInto(caseId, message, own, decision, deps, policy);
    outcome = 'joined';
  }

  await deps.cases.appendEvents(
    eventsFor(stored, env, role, classification, parseError, deps.now()),
  );
  if (role === 'report') {
    await deps.clock.start({
      caseId: stored.id,
      receivedAt: stored.receivedAt,
      deadlines: stored.deadlines,
      acknowledgment: stored.acknowledgment,
    });
  }
  if (mail.messageIdHeader && role !== 'report') {
    // Later replies may reference this one rather than our acknowledgment.
    await deps.cases.registerMessageIdHeader(mail.messageIdHeader, {
      caseId: stored.id,
      from: mail.from?.address ?? null,
    });
  }
  await deps.cases.completeMessage(env.sesMessageId);
  return resultOf(stored, role, outcome, parseError !== null);
}

async function foldInto(
  caseId: string,
  message: CaseMessage,
  own: CaseEvidence,
  decision: ClassificationResult,
  deps: IntakeDeps,
  policy: ReturnType<typeof deadlinePolicy>,
): Promise<CprCase> {
  const current = await deps.cases.getCase(caseId);
  // The full evidence of the case is the union of its messages' evidence files.
  let full = own;
  for (const m of current?.messages ?? []) {
    if (m.sesMessageId === message.sesMessageId || !m.evidenceKey) continue;
    const other = await deps.evidence.get(m.evidenceKey);
    if (other) full = mergeCaseEvidence(other, full);
  }
  // A key in a reply proves compromise of a certificate sent in the first report.
  full = { ...full, evidence: linkKeysToCertificates(full.evidence) };
  return deps.cases.updateCase(caseId, (c) =>
    joinCase(c, {
      message,
      full,
      classification: decision.classification,
      classificationSignals: decision.signals,
      revocationRequested: decision.revocationRequested,
      policy,
    }),
  );
}

function withProblem(evidence: Evidence, problem: string): Evidence {
  return { ...evidence, problems: [...evidence.problems, problem] };
}

async function safeExtract(mail: ParsedMail): Promise<Evidence> {
  try {
    return await extractEvidence(mail.content);
  } catch (error) {
    // Extraction is written never to throw; if it does, the case still opens with a note.
    return withProblem(EMPTY_EVIDENCE, `evidence extraction failed: ${(error as Error).name}`);
  }
}

function isCanary(mail: ParsedMail, settings: IntakeSettings, receivedAt: Date): boolean {
  const header = mail.headers[CANARY_HEADER];
  return header !== undefined && verifyCanaryToken(header, settings.canarySecret, receivedAt).valid;
}

/** Our own synthetic report: proof that the whole mail path works. No case, nothing sent. */
async function recordCanary(
  env: MessageEnvelope,
  mail: ParsedMail,
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const token = mail.headers[CANARY_HEADER] ?? '';
  const sentAt = token.split(';')[1] ?? env.receivedAt;
  await deps.cases.recordHeartbeat({
    receivedAt: env.receivedAt,
    sentAt,
    sesMessageId: env.sesMessageId,
    latencyMs: Math.max(0, Date.parse(env.receivedAt) - Date.parse(sentAt)),
  });
  await deps.cases.completeMessage(env.sesMessageId);
  return {
    caseId: null,
    role: 'canary',
    outcome: 'canary',
    classification: 'notACpr',
    acknowledgment: { decision: 'suppress', reason: 'canary' },
    parseFailed: false,
    evidence: { certificates: 0, keys: 0, csrs: 0, serials: 0, affected: 0, subscribers: 0 },
  };
}

async function readMail(
  env: MessageEnvelope,
  deps: IntakeDeps,
): Promise<{ mail: ParsedMail; parseError: string | null }> {
  let raw: Uint8Array;
  try {
    raw = (await deps.rawMail.get(env.rawKey)).bytes;
  } catch (error) {
    if (error instanceof RawMailNotFoundError) {
      return { mail: mailFromEnvelope(env), parseError: `raw message not found at ${env.rawKey}` };
    }
    throw error;
  }
  // The immutable copy comes before any interpretation of the message (BR 5.5).
  await deps.archive?.keep(env.rawKey, raw);
  try {
    return { mail: await parseMail(raw), parseError: null };
  } catch (error) {
    if (error instanceof UnparsableMailError) {
      return { mail: mailFromEnvelope(env), parseError: error.message };
    }
    throw error;
  }
}

/** What SES parsed itself: enough to route and answer a message our parser cannot read. */
export function mailFromEnvelope(env: MessageEnvelope): ParsedMail {
  const first = env.commonHeaders.from[0] ?? null;
  const address = first ? parseAddresses(first, MAX_HEADER_VALUE_CHARS).valid?.address : null;
  const messageId = env.commonHeaders.messageId?.replace(/^<|>$/g, '') ?? null;
  return {
    messageIdHeader: messageId,
    inReplyTo: [],
    references: [],
    subject: env.commonHeaders.subject?.replace(/[\r\n]+/g, ' ') ?? null,
    from: address ? { address: address.toLowerCase(), name: '' } : null,
    fromInvalid: first !== null && !address,
    replyTo: null,
    returnPath: null,
    headers: {},
    isDsn: false,
    content: { texts: [], parts: [] },
    problems: [],
  };
}

async function route(
  mail: ParsedMail,
  env: MessageEnvelope,
  deps: IntakeDeps,
): Promise<{ caseId: string; role: MessageRole }> {
  // A case id of ours in the subject: trusted only if we really issued it.
  for (const id of caseIdsInSubject(mail.subject)) {
    if (await deps.cases.getCase(id)) return { caseId: id, role: 'reply' };
  }
  for (const ref of referencedMessageIds(mail)) {
    const owner = await deps.cases.findMessageIdHeader(ref);
    if (owner) return { caseId: owner.caseId, role: 'reply' };
  }
  const candidate = await freeCaseId(env, deps);
  if (mail.messageIdHeader) {
    const from = mail.from?.address ?? null;
    const owner = await deps.cases.registerMessageIdHeader(mail.messageIdHeader, {
      caseId: candidate,
      from,
    });
    // The same report again (sent to two of our addresses, or resent): same Message-ID and sender.
    if (owner.caseId !== candidate && owner.from === from) {
      return { caseId: owner.caseId, role: 'duplicate' };
    }
  }
  return { caseId: candidate, role: 'report' };
}

async function freeCaseId(env: MessageEnvelope, deps: IntakeDeps): Promise<string> {
  const receivedAt = new Date(env.receivedAt);
  for (let attempt = 0; attempt < MAX_CASE_ID_ATTEMPTS; attempt += 1) {
    const id = caseIdFor(receivedAt, env.sesMessageId, attempt);
    const existing = await deps.cases.getCase(id);
    if (!existing || existing.messages[0]?.sesMessageId === env.sesMessageId) return id;
  }
  throw new CaseIdExhaustedError(`no free case id for ${env.sesMessageId}`);
}

function eventsFor(
  c: CprCase,
  env: MessageEnvelope,
  role: MessageRole,
  classification: Classification,
  parseError: string | null,
  now: Date,
): AuditEvent[] {
  const at = now.toISOString();
  const base = { caseId: c.id, actor: INTAKE_ACTOR };
  const id = (type: string) => `${env.sesMessageId}:${type}`;
  const events: AuditEvent[] = [
    {
      ...base,
      at: env.receivedAt,
      type: 'received',
      eventId: id('received'),
      description: `message ${env.sesMessageId} received (${role})`,
    },
  ];
  if (role === 'report') {
    events.push({
      ...base,
      at,
      type: 'opened',
      eventId: id('opened'),
      description: `case opened as ${classification} (signals: ${
        c.classificationSignals.join(', ') || 'none'
      })${c.revocationRequested ? '; revocation requested' : ''}; acknowledgment ${
        c.acknowledgment.decision === 'send'
          ? 'to be sent'
          : `suppressed (${c.acknowledgment.reason})`
      }`,
    });
  } else {
    events.push({
      ...base,
      at,
      type: 'joined',
      eventId: id('joined'),
      description: `${role} joined the case; classification now ${c.classification}${
        c.status === 'closed' ? '; the case is closed' : ''
      }`,
    });
  }
  const flagged = (['spam', 'virus', 'dmarc'] as const).filter((v) => env.verdicts[v] === 'FAIL');
  if (flagged.length > 0) {
    events.push({
      ...base,
      at,
      type: 'verdictFlagged',
      eventId: id('verdictFlagged'),
      description: `SES verdicts failed: ${flagged.join(', ')}; kept for a person to review`,
    });
  }
  if (parseError) {
    events.push({
      ...base,
      at,
      type: 'parseFailed',
      eventId: id('parseFailed'),
      description: `message could not be parsed: ${parseError}`,
    });
  }
  return events;
}

function resultOf(
  c: CprCase,
  role: MessageRole,
  outcome: IntakeResult['outcome'],
  parseFailed: boolean,
): IntakeResult {
  return {
    caseId: c.id,
    role,
    outcome,
    classification: c.classification,
    acknowledgment:
      role === 'report'
        ? c.acknowledgment
        : { decision: 'suppress', reason: role === 'duplicate' ? 'duplicate' : 'reply' },
    parseFailed,
    evidence: {
      certificates: c.evidenceCounts.certificates,
      keys: c.evidenceCounts.keys,
      csrs: c.evidenceCounts.csrs,
      serials: c.evidenceCounts.serials,
      affected: c.evidenceCounts.affected,
      subscribers: c.evidenceCounts.subscribers,
    },
  };
}
