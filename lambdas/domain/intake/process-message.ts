/**
 * Intake: one SES message in, exactly one case out (new, or the case it answers or repeats).
 *
 * The steps, in the order that makes this safe without transactions (the local DynamoDB
 * stand-in has none, and retries are the normal case for an asynchronous Lambda); see
 * docs/design.md "Intake, step by step":
 * claim, read and archive, extract, route, resolve, store evidence, upsert the case, audit, start
 * the clock, complete. A failure at any step leaves the message re-processable by a retry or a
 * replay.
 */
import { createHash } from 'node:crypto';

import {
  type AuditEvent,
  caseOpened,
  caseReopened,
  joinAnnounced,
  joinAnnouncedEventId,
  messageJoined,
  messageReceived,
  parseFailed as parseFailedEvent,
  senderFlagged,
  verdictsFlagged,
} from '../audit/events.ts';
import { canaryRefusalProblem, recogniseCanary } from '../canary/recognise.ts';
import type { CanaryCheck } from '../canary/token.ts';
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
  CaseMessage,
  Classification,
  CprCase,
} from '../case/types.ts';
import { decideAcknowledgment, reporterAddress } from '../classify/acknowledgment.ts';
import { type ClassificationResult, classify } from '../classify/classify.ts';
import { describeAdded, joinNotice } from '../escalation/messages.ts';
import { extractEvidence, type TimeBudget } from '../evidence/extract.ts';
import { DEFAULT_EVIDENCE_LIMITS } from '../evidence/limits.ts';
import { EMPTY_EVIDENCE, type Evidence } from '../evidence/types.ts';
import { inventoryQueryFor, resolveAffected } from '../inventory/resolve.ts';
import { settleSerialReadings } from '../inventory/serial-readings.ts';
import type { IssuerCertificate } from '../issuers/config.ts';
import { withInventoryLints } from '../lint/lint-inventory.ts';
import { parseAddresses } from '../mail/header-values.ts';
import { MAX_HEADER_VALUE_CHARS } from '../mail/limits.ts';
import { parseMail, UnparsableMailError } from '../mail/parse.ts';
import { caseIdsInSubject, referencedMessageIds } from '../mail/threading.ts';
import type { ParsedMail } from '../mail/types.ts';
import { type DeadlinePolicy, deadlinePolicy } from '../policy/deadline-policy.ts';
import type { MessageEnvelope, MessageRecord, MessageRole } from '../ports/message-ledger.ts';
import { RawMailNotFoundError } from '../ports/raw-mail.ts';
import type { IntakeDeps, IntakeSettings } from './intake-deps.ts';
import { extractionTimeBudget } from './time-budget.ts';

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
  /**
   * When this invocation must be done (the Lambda's remaining time), on `deps.now`'s clock.
   * Extraction then stops in time for the case to be written (see time-budget.ts).
   */
  readonly deadline?: Date;
}

/**
 * Runs intake for one message SES stored. The steps are those of docs/design.md, in the order
 * that keeps intake safe without transactions; each is a function below.
 */
export async function processMessage(
  envelope: MessageEnvelope,
  deps: IntakeDeps,
  settings: IntakeSettings,
  options: ProcessOptions = {},
): Promise<IntakeResult> {
  const policy = deadlinePolicy(settings.deadlinePolicyVersion);
  const record = await claim(envelope, deps);
  if (record.state === 'done' && record.caseId && record.role && !options.replay) {
    const existing = await deps.cases.get(record.caseId);
    if (existing) return resultOf(existing, record.role, 'alreadyProcessed', false);
  }
  // The first delivery's envelope is authoritative: a retry carries the same facts anyway.
  const env = record.envelope;
  const { mail, parseError } = await readAndArchive(env, deps);
  const canary = parseError
    ? null
    : await recogniseCanary(mail, env, settings.canarySecret, deps.heartbeats);
  if (canary?.valid) return recordCanary(env, canary, deps);
  const time = options.deadline ? extractionTimeBudget(options.deadline, deps.now) : null;
  const issuers = settings.issuers ?? [];
  const extracted = withCanaryRefusal(await extract(mail, parseError, time, issuers), canary);
  const { caseId, role } = await route(record, mail, deps);
  const { own, namesOurCertificate } = await resolve(extracted, deps, issuers);
  const evidenceKey = await storeEvidence(caseId, env, own, deps);
  const decision: ClassificationResult = parseError
    ? { classification: 'unparsed', signals: ['mail:unparsed'], revocationRequested: false }
    : classify({ evidence: own.evidence, mail, namesOurCertificate });
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
  const { stored, outcome } = await upsertCase(
    { caseId, role, env, mail, message, own, decision, parseError },
    deps,
    settings,
    policy,
    options,
  );
  await audit(stored, env, role, classification, parseError, deps);
  await startClock(stored, env, role, deps);
  await announce(stored, message, settings, deps);
  await complete(stored, env, mail, role, deps);
  return resultOf(stored, role, outcome, parseError !== null);
}

/** Step 1: a record of the message exists before any work on it (conditional put). */
function claim(envelope: MessageEnvelope, deps: IntakeDeps): Promise<MessageRecord> {
  return deps.messages.claim(envelope);
}

/** Step 3: evidence from the message's content; an unreadable message has only its problem. */
async function extract(
  mail: ParsedMail,
  parseError: string | null,
  time: TimeBudget | null,
  issuers: readonly IssuerCertificate[],
): Promise<Evidence> {
  return parseError ? withProblem(EMPTY_EVIDENCE, parseError) : safeExtract(mail, time, issuers);
}

/**
 * Step 5: affected certificates and Subscribers from the inventory. A digit-only serial keeps
 * the reading the inventory knows; pairs it knows neither way stay ambiguous.
 */
async function resolve(
  extracted: Evidence,
  deps: IntakeDeps,
  issuers: readonly IssuerCertificate[],
): Promise<{ own: CaseEvidence; namesOurCertificate: boolean }> {
  const matching = { issuersConfigured: issuers.length > 0 };
  const records = await deps.inventory.lookup(inventoryQueryFor(extracted, matching));
  const settled = settleSerialReadings(extracted, records);
  const resolution = resolveAffected(settled, records, matching);
  const evidence = withInventoryLints(
    withInventoryMatches(linkKeysToCertificates(settled, resolution.keyCompromised), resolution),
    records,
    resolution.affected,
    DEFAULT_EVIDENCE_LIMITS.maxLintedCertificates,
  );
  return {
    own: {
      evidence,
      affected: resolution.affected,
      subscribers: resolution.subscribers,
      matchedBy: Object.fromEntries(resolution.matchedBy),
    },
    namesOurCertificate: records.length > 0,
  };
}

/** Step 6: the message's full evidence next to the raw mail (an overwrite is harmless). */
async function storeEvidence(
  caseId: string,
  env: MessageEnvelope,
  own: CaseEvidence,
  deps: IntakeDeps,
): Promise<string> {
  const key = deps.evidence.keyFor(caseId, env.sesMessageId);
  await deps.evidence.put(key, { caseId, sesMessageId: env.sesMessageId, ...own });
  return key;
}

interface UpsertInput {
  readonly caseId: string;
  readonly role: MessageRole;
  readonly env: MessageEnvelope;
  readonly mail: ParsedMail;
  readonly message: CaseMessage;
  readonly own: CaseEvidence;
  readonly decision: ClassificationResult;
  readonly parseError: string | null;
}

/** Step 7: create the case (create-if-absent) or fold the message into it (version check). */
async function upsertCase(
  input: UpsertInput,
  deps: IntakeDeps,
  settings: IntakeSettings,
  policy: DeadlinePolicy,
  options: ProcessOptions,
): Promise<{ stored: CprCase; outcome: 'created' | 'joined' }> {
  const { caseId, env, mail, message, own, decision } = input;
  if (input.role !== 'report') {
    return {
      stored: await foldInto(caseId, message, own, decision, deps, settings, policy),
      outcome: 'joined',
    };
  }
  const reporter = reporterAddress(mail);
  const acknowledgment = decideAcknowledgment({
    mail,
    verdicts: env.verdicts,
    ownAddresses: settings.ownAddresses,
  });
  const fresh = buildNewCase({
    id: caseId,
    receivedAt: new Date(env.receivedAt),
    reporter,
    subject: mail.subject,
    classification: decision.classification,
    classificationSignals: decision.signals,
    revocationRequested: decision.revocationRequested,
    acknowledgment,
    verdicts: env.verdicts,
    full: own,
    message,
    parseError: input.parseError,
    policy,
  });
  await deps.caseMessages.add(caseId, message);
  const created = await deps.cases.create(fresh);
  if (!created.created && created.stored.messages[0]?.sesMessageId !== env.sesMessageId) {
    // Another message took this id between our check and our write: route again next try.
    await deps.messages.clearAssignment(env.sesMessageId);
    throw new CaseIdExhaustedError(`case id ${caseId} was taken concurrently; retrying`);
  }
  const stored =
    created.created || !options.replay
      ? created.stored
      : await foldInto(caseId, message, own, decision, deps, settings, policy);
  return { stored, outcome: 'created' };
}

/** Step 8: the message's audit events, with deterministic ids (written once). */
async function audit(
  c: CprCase,
  env: MessageEnvelope,
  role: MessageRole,
  classification: Classification,
  parseError: string | null,
  deps: IntakeDeps,
): Promise<void> {
  await deps.audit.append(eventsFor(c, env, role, classification, parseError, deps.now()));
}

/**
 * Step 9: the case's deadline clock, an execution named after the case id (started once); a
 * case this message reopened gets a clock of its own for its new deadlines.
 */
async function startClock(
  c: CprCase,
  env: MessageEnvelope,
  role: MessageRole,
  deps: IntakeDeps,
): Promise<void> {
  const reopened = role !== 'report' && c.reopenedBy === env.sesMessageId;
  if (role !== 'report' && !reopened) return;
  await deps.clock.start(
    {
      caseId: c.id,
      receivedAt: c.receivedAt,
      deadlines: c.deadlines,
      acknowledgment: c.acknowledgment,
    },
    reopened ? { executionName: reopenedClockName(c.id, env.sesMessageId) } : {},
  );
}

/** Execution names are at most 80 characters of [A-Za-z0-9-_]; SES ids are hashed to fit. */
export function reopenedClockName(caseId: string, sesMessageId: string): string {
  return `${caseId}-reopened-${createHash('sha256').update(sesMessageId).digest('hex').slice(0, 16)}`;
}

/**
 * Step 9b: the team hears of every message that joins a case, once (BR 4.9.5 runs for the
 * Subscribers a reply names too; an unknown sender may be an attacker or a new party).
 */
async function announce(
  c: CprCase,
  message: CaseMessage,
  settings: IntakeSettings,
  deps: IntakeDeps,
): Promise<void> {
  if (message.role === 'report') return;
  if (await deps.audit.has(c.id, joinAnnouncedEventId(message.sesMessageId))) return;
  const mine = c.lastJoin?.sesMessageId === message.sesMessageId ? c.lastJoin : null;
  const join = {
    added: mine?.added ?? null,
    senderUnknown: mine?.senderUnknown ?? senderIsUnknown(c, c.subscribers, message.from, settings),
    reopened: c.reopenedBy === message.sesMessageId,
  };
  const { messageId } = await deps.notifier.publish(
    'team',
    joinNotice(c, message, join, deps.locations),
  );
  await deps.audit.append([
    joinAnnounced({
      caseId: c.id,
      sesMessageId: message.sesMessageId,
      at: deps.now().toISOString(),
      snsMessageId: messageId,
      added: describeAdded(join.added),
    }),
  ]);
}

/** Neither the reporter, a Subscriber of the case nor one of our own addresses. */
function senderIsUnknown(
  c: CprCase,
  subscribers: readonly { readonly email: string }[],
  from: string | null,
  settings: IntakeSettings,
): boolean {
  if (!from) return true;
  const sender = from.toLowerCase();
  const known = new Set(
    [c.reporter, ...subscribers.map((s) => s.email), ...settings.ownAddresses]
      .filter((a): a is string => a !== null)
      .map((a) => a.toLowerCase()),
  );
  return !known.has(sender);
}

/** Step 10: later replies may reference this message; then the message is done. */
async function complete(
  c: CprCase,
  env: MessageEnvelope,
  mail: ParsedMail,
  role: MessageRole,
  deps: IntakeDeps,
): Promise<void> {
  if (mail.messageIdHeader && role !== 'report') {
    // A report's Message-ID was registered when it was routed.
    await deps.messageIds.register(mail.messageIdHeader, {
      caseId: c.id,
      from: mail.from?.address ?? null,
    });
  }
  await deps.messages.complete(env.sesMessageId);
}

/**
 * Folds a reply or duplicate into its case. The merged evidence is recomputed inside the
 * optimistic-lock retry from the case as it is at that attempt: of two replies arriving
 * together, the second re-reads the first's merged evidence instead of overwriting it.
 */
async function foldInto(
  caseId: string,
  message: CaseMessage,
  own: CaseEvidence,
  decision: ClassificationResult,
  deps: IntakeDeps,
  settings: IntakeSettings,
  policy: DeadlinePolicy,
): Promise<CprCase> {
  await deps.caseMessages.add(caseId, message);
  return deps.cases.update(caseId, async (current) => {
    const prior = await mergedEvidenceOf(current, message.sesMessageId, deps);
    const merged = mergeCaseEvidence(prior, own);
    // A key in a reply proves compromise of a certificate sent in the first report.
    const full = { ...merged, evidence: linkKeysToCertificates(merged.evidence) };
    const next = joinCase(current, {
      message,
      prior,
      full,
      messageSubscribers: own.subscribers,
      mergedEvidenceKey: null,
      classification: decision.classification,
      classificationSignals: decision.signals,
      revocationRequested: decision.revocationRequested,
      senderUnknown: senderIsUnknown(current, full.subscribers, message.from, settings),
      policy,
    });
    if (!next) return null;
    const key = deps.evidence.mergedKeyFor(caseId, current.version + 1, message.sesMessageId);
    await deps.evidence.put(key, { caseId, sesMessageId: message.sesMessageId, ...full });
    return { ...next, mergedEvidenceKey: key };
  });
}

/** The case's full evidence as of `c`: its merged file, or (cases stored before it) the union. */
async function mergedEvidenceOf(
  c: CprCase,
  joining: string,
  deps: IntakeDeps,
): Promise<CaseEvidence> {
  if (c.mergedEvidenceKey) {
    const file = await deps.evidence.get(c.mergedEvidenceKey);
    if (file) return file;
  }
  let full: CaseEvidence = { evidence: EMPTY_EVIDENCE, affected: [], subscribers: [] };
  for (const m of c.messages) {
    if (m.sesMessageId === joining || !m.evidenceKey) continue;
    const other = await deps.evidence.get(m.evidenceKey);
    if (other) full = mergeCaseEvidence(other, full);
  }
  return full;
}

function withProblem(evidence: Evidence, problem: string): Evidence {
  return { ...evidence, problems: [...evidence.problems, problem] };
}

async function safeExtract(
  mail: ParsedMail,
  time: TimeBudget | null,
  issuers: readonly IssuerCertificate[],
): Promise<Evidence> {
  try {
    return await extractEvidence(mail.content, DEFAULT_EVIDENCE_LIMITS, time, { issuers });
  } catch (error) {
    // Extraction is written never to throw; if it does, the case still opens with a note.
    return withProblem(EMPTY_EVIDENCE, `evidence extraction failed: ${(error as Error).name}`);
  }
}

/** A canary header that was not accepted is said on the case: a person sees why it is one. */
function withCanaryRefusal(evidence: Evidence, canary: CanaryCheck | null): Evidence {
  return canary && !canary.valid
    ? withProblem(evidence, canaryRefusalProblem(canary.why))
    : evidence;
}

/** Our own synthetic report: proof that the whole mail path works. No case, nothing sent. */
async function recordCanary(
  env: MessageEnvelope,
  canary: { readonly sentAt: string },
  deps: IntakeDeps,
): Promise<IntakeResult> {
  const { sentAt } = canary;
  await deps.heartbeats.record({
    receivedAt: env.receivedAt,
    sentAt,
    sesMessageId: env.sesMessageId,
    latencyMs: Math.max(0, Date.parse(env.receivedAt) - Date.parse(sentAt)),
  });
  await deps.messages.complete(env.sesMessageId);
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

/** Step 2: the raw message, its immutable copy first (BR 5.5), then parsed under limits. */
async function readAndArchive(
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
    fromMailboxes: env.commonHeaders.from.length,
    dkimDomains: [],
    replyTo: null,
    returnPath: null,
    headers: {},
    isDsn: false,
    content: { texts: [], parts: [] },
    problems: [],
  };
}

/**
 * Step 4: which case the message belongs to. The decision is written onto the message's record
 * before anything else, so a retry after a crash routes the same way.
 */
async function route(
  record: MessageRecord,
  mail: ParsedMail,
  deps: IntakeDeps,
): Promise<{ caseId: string; role: MessageRole }> {
  if (record.caseId && record.role) return { caseId: record.caseId, role: record.role };
  const decided = await decideRoute(mail, record.envelope, deps);
  await deps.messages.assign(record.envelope.sesMessageId, decided.caseId, decided.role);
  return decided;
}

async function decideRoute(
  mail: ParsedMail,
  env: MessageEnvelope,
  deps: IntakeDeps,
): Promise<{ caseId: string; role: MessageRole }> {
  // A case id of ours in the subject: trusted only if we really issued it.
  for (const id of caseIdsInSubject(mail.subject)) {
    if (await deps.cases.get(id)) return { caseId: id, role: 'reply' };
  }
  for (const ref of referencedMessageIds(mail)) {
    const owner = await deps.messageIds.find(ref);
    // A Message-ID registered for a case that was never written (intake failed between the
    // registration and the case) leads nowhere: the message must not follow it into nothing.
    if (owner && (await deps.cases.get(owner.caseId))) {
      return { caseId: owner.caseId, role: 'reply' };
    }
  }
  const candidate = await freeCaseId(env, deps);
  if (mail.messageIdHeader) {
    const header = mail.messageIdHeader;
    const from = mail.from?.address ?? null;
    const mine = { caseId: candidate, from };
    const owner = await deps.messageIds.register(header, mine);
    // The same report again (sent to two of our addresses, or resent): same Message-ID and
    // sender, and the case it opened exists and was opened by that Message-ID.
    if (owner.caseId !== candidate && owner.from === from) {
      const original = await deps.cases.get(owner.caseId);
      const opener = original?.messages[0]?.messageIdHeader?.toLowerCase();
      if (opener === header.toLowerCase()) return { caseId: owner.caseId, role: 'duplicate' };
      await deps.messageIds.reassign(header, owner, mine);
    }
  }
  return { caseId: candidate, role: 'report' };
}

async function freeCaseId(env: MessageEnvelope, deps: IntakeDeps): Promise<string> {
  const receivedAt = new Date(env.receivedAt);
  for (let attempt = 0; attempt < MAX_CASE_ID_ATTEMPTS; attempt += 1) {
    const id = caseIdFor(receivedAt, env.sesMessageId, attempt);
    const existing = await deps.cases.get(id);
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
  const ids = { caseId: c.id, sesMessageId: env.sesMessageId };
  const events: AuditEvent[] = [messageReceived({ ...ids, at: env.receivedAt, role })];
  events.push(
    role === 'report'
      ? caseOpened({
          ...ids,
          at,
          classification,
          signals: c.classificationSignals,
          revocationRequested: c.revocationRequested,
          acknowledgment: c.acknowledgment,
        })
      : messageJoined({
          ...ids,
          at,
          role,
          classification: c.classification,
          caseClosed: c.status === 'closed',
        }),
  );
  if (role !== 'report' && c.reopenedBy === env.sesMessageId) {
    const added = c.lastJoin?.sesMessageId === env.sesMessageId ? c.lastJoin.added : null;
    events.push(
      caseReopened({
        ...ids,
        at,
        added: describeAdded(added),
        reporterDueAt: c.deadlines.reporterReport,
      }),
    );
  }
  if (
    role !== 'report' &&
    c.lastJoin?.sesMessageId === env.sesMessageId &&
    c.lastJoin.senderUnknown
  ) {
    const from = c.messages.find((m) => m.sesMessageId === env.sesMessageId)?.from;
    events.push(
      senderFlagged({ ...ids, at, from: from ?? 'a sender without a valid From address' }),
    );
  }
  const failed = (['spam', 'virus', 'dmarc'] as const).filter((v) => env.verdicts[v] === 'FAIL');
  if (failed.length > 0) events.push(verdictsFlagged({ ...ids, at, failed }));
  if (parseError) events.push(parseFailedEvent({ ...ids, at, error: parseError }));
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
