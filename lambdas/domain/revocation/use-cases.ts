/**
 * Triage, recording a revocation, checking it from outside, and keeping the obligations in step
 * with the evidence and the inventory. Domain code: every dependency is a port, no AWS here. The
 * CLI, the clock and the scheduled verifier call these.
 */

import type { AuditActor, AuditEvent, AuditEventType } from '../audit/events.ts';
import { mergeEvidence } from '../case/evidence-set.ts';
import type { CprCase } from '../case/types.ts';
import { utcMinute } from '../escalation/messages.ts';
import { EMPTY_EVIDENCE, type Evidence } from '../evidence/types.ts';
import type { Inventory } from '../inventory/types.ts';
import { admitPersonMail, type PersonMailLimits } from '../notices/acknowledgment-limits.ts';
import { outboundAddress } from '../notices/outbound.ts';
import { registerReplyTarget, type SenderSettings } from '../notices/send-notices.ts';
import {
  type DeadlinePolicy,
  deadlinePolicy,
  HOUR_MS,
  withRevocationCheckpoints,
} from '../policy/deadline-policy.ts';
import { CaseNotFoundError } from '../ports/case-store.ts';
import type { EvidenceStore } from '../ports/evidence-store.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { MessageIdIndex } from '../ports/message-id-index.ts';
import type { Notifier } from '../ports/notifier.ts';
import { obligationQuery, obligationsFor, provenKeys } from './obligations.ts';
import {
  type BlockedKey,
  type Blocklist,
  type BlocklistPublisher,
  type CertificateToCheck,
  RevocationRefusedError,
  type RevocationStore,
  type StatusChecker,
} from './ports.ts';
import {
  CRL_REASON_CODES,
  type CrlReasonName,
  isRevocationReason,
  REVOCATION_TRIAGE_REASONS,
  type TriageReason,
} from './reasons.ts';
import {
  MAX_CHECKS_KEPT,
  OPEN_REVOCATION_STATUSES,
  type Revocation,
  type Triage,
} from './types.ts';
import { judge, PROBLEM_TEXT } from './verdict.ts';

export { RevocationRefusedError };

/** The case and its audit log, as triage and revocation use them. */
export interface RevocationCases {
  getCase(id: string): Promise<CprCase | null>;
  updateCase(id: string, change: (current: CprCase) => CprCase | null): Promise<CprCase>;
  appendEvents(events: readonly AuditEvent[]): Promise<void>;
}

export interface RevocationDeps {
  readonly cases: RevocationCases;
  readonly revocations: RevocationStore;
  readonly inventory: Inventory;
  readonly evidence: Pick<EvidenceStore, 'get'>;
  readonly blocklist: Blocklist;
  /** The issuance system's copy; absent where none is configured. */
  readonly blocklistPublisher?: BlocklistPublisher | null;
  readonly now: () => Date;
}

async function loadCase(deps: RevocationDeps, caseId: string): Promise<CprCase> {
  const c = await deps.cases.getCase(caseId);
  if (!c) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  return c;
}

/** The case's full evidence: every message's evidence file, or the item's sample without them. */
export async function fullEvidence(deps: RevocationDeps, c: CprCase): Promise<Evidence> {
  let full: Evidence = c.evidence ?? EMPTY_EVIDENCE;
  for (const m of c.messages) {
    const file = m.evidenceKey ? await deps.evidence.get(m.evidenceKey) : null;
    if (file) full = mergeEvidence(full, file.evidence);
  }
  return full;
}

function event(
  c: CprCase,
  at: string,
  actor: string,
  type: AuditEventType,
  id: string,
  description: string,
): AuditEvent {
  // Actors come from personActor (the CLI) or are the system's own.
  return {
    caseId: c.id,
    at,
    actor: actor as AuditActor,
    type,
    eventId: `${c.id}:${id}`,
    description,
  };
}

/** Records one event of the revocation system itself about `c` per item, each with its own id. */
async function appendSystemEvents<T>(
  deps: Pick<RevocationDeps, 'cases'>,
  on: { readonly c: CprCase; readonly now: Date; readonly type: AuditEventType },
  items: readonly T[],
  describe: (item: T) => { readonly id: string; readonly description: string },
): Promise<void> {
  const at = on.now.toISOString();
  await deps.cases.appendEvents(
    items.map((item) => {
      const { id, description } = describe(item);
      return event(on.c, at, 'system:revocation', on.type, id, description);
    }),
  );
}

/**
 * Brings the case's obligations in step: blocks every key the case proves compromised (BR
 * 6.1.1.3(4)), and adds an obligation for each affected certificate not yet listed, including
 * inventory certificates imported since on a blocked key. Returns every obligation.
 */
export async function syncObligations(
  caseId: string,
  deps: RevocationDeps,
): Promise<readonly Revocation[]> {
  const c = await loadCase(deps, caseId);
  const now = deps.now();
  const evidence = await fullEvidence(deps, c);
  const keys = provenKeys(evidence);
  if (keys.length > 0) {
    const added = await deps.blocklist.add(
      keys.map((k) => ({
        spkiSha256: k.spkiSha256,
        caseId,
        at: now.toISOString(),
        proof: k.proof,
      })),
    );
    if (added.length > 0) {
      await deps.blocklistPublisher?.publish(await deps.blocklist.list());
      await appendSystemEvents(deps, { c, now, type: 'keyBlocked' }, added, (k) => ({
        id: `blocked:${k.spkiSha256}`,
        description: `key ${k.spkiSha256} (SPKI SHA-256) added to the blocklist: proven by ${k.proof} (BR 6.1.1.3(4))`,
      }));
    }
  }
  const existing = await deps.revocations.list(caseId);
  if (c.status !== 'open') return existing;
  const blocked = keys.map((k) => k.spkiSha256);
  const query = obligationQuery(evidence, blocked);
  const hasQuery = query.sha256s.length + query.serials.length + query.spkiSha256s.length > 0;
  const records = hasQuery ? await deps.inventory.lookup(query) : [];
  const policy = deadlinePolicy(c.deadlines.policyVersion);
  const want = obligationsFor({ case: c, evidence, records, blockedSpkis: blocked, policy, now });
  const have = new Set(existing.map((r) => r.certificate));
  const fresh = want.filter((r) => !have.has(r.certificate));
  if (fresh.length === 0) return existing;
  const created = await deps.revocations.addMissing(fresh);
  await appendSystemEvents(deps, { c, now, type: 'revocationObligation' }, created, (r) => ({
    id: `revocation:${r.certificate}`,
    description:
      r.status === 'notRequired'
        ? `certificate ${r.certificate} needs no revocation: ${r.notRequiredReason}`
        : `revocation obligation for certificate ${r.certificate} (serial ${r.serial ?? 'unknown'}, via ${r.via}), due ${r.dueAt ?? 'when the reason is known'}`,
  }));
  // A revocation deadline the case did not have yet (a late-found certificate) gets checkpoints.
  const dues = [
    ...new Set(created.filter((r) => r.dueAt && r.status === 'pending').map((r) => r.dueAt!)),
  ];
  const missing = dues.filter(
    (d) => !c.deadlines.checkpoints.some((cp) => cp.at === d && cp.level === 'breach'),
  );
  if (missing.length > 0) await addRevocationCheckpoints(deps, caseId, policy, missing);
  return deps.revocations.list(caseId);
}

/** Adds the checkpoint table of each extra due time (counted back from it) to the case. */
async function addRevocationCheckpoints(
  deps: RevocationDeps,
  caseId: string,
  policy: DeadlinePolicy,
  dues: readonly string[],
): Promise<void> {
  await deps.cases.updateCase(caseId, (cur) => {
    let checkpoints = [...cur.deadlines.checkpoints];
    for (const due of dues) {
      const hours = Math.round((Date.parse(due) - Date.parse(cur.receivedAt)) / HOUR_MS);
      const extra = withRevocationCheckpoints([], policy, new Date(cur.receivedAt), [hours]);
      for (const cp of extra) {
        if (!checkpoints.some((x) => x.at === cp.at && x.level === cp.level)) checkpoints.push(cp);
      }
    }
    checkpoints = checkpoints.sort((a, b) => a.at.localeCompare(b.at));
    return checkpoints.length === cur.deadlines.checkpoints.length
      ? null
      : { ...cur, deadlines: { ...cur.deadlines, checkpoints } };
  });
}

export interface TriageInput {
  readonly reason: TriageReason;
  readonly note: string;
  readonly actor: string;
  /** needsInfo: the request was sent by other means (a phone call, another mailbox). */
  readonly infoRequestSentElsewhere?: boolean;
}

export interface TriageResult {
  readonly case: CprCase;
  readonly revocations: readonly Revocation[];
  /** needsInfo: the SES message id of the request we sent, if we sent one. */
  readonly infoRequestMessageId: string | null;
}

/** The deadlines a triage sets: the revocation deadline from the confirmed reason. */
function triagedDeadlines(
  c: CprCase,
  reason: TriageReason,
  policy: DeadlinePolicy,
): CprCase['deadlines'] {
  if (!isRevocationReason(reason)) return c.deadlines;
  const hours = policy.revocationHoursByReason[reason];
  const start = new Date(c.receivedAt);
  const reportOnly = c.deadlines.checkpoints
    .filter((cp) => cp.kind !== 'revocation')
    .map((cp) => (cp.kind === 'all' ? { level: cp.level, at: cp.at } : cp));
  // Checkpoints already escalated stay listed: the escalation records refer to them.
  const escalatedRevocation = c.deadlines.checkpoints.filter(
    (cp) =>
      cp.kind === 'revocation' &&
      c.escalations.some((e) => e.checkpointAt === cp.at && e.level === cp.level),
  );
  const checkpoints = withRevocationCheckpoints(reportOnly, policy, start, [hours]);
  for (const cp of escalatedRevocation) {
    if (!checkpoints.some((x) => x.at === cp.at && x.level === cp.level)) checkpoints.push(cp);
  }
  return {
    ...c.deadlines,
    revocation: new Date(start.getTime() + hours * HOUR_MS).toISOString(),
    checkpoints: checkpoints.sort((a, b) => a.at.localeCompare(b.at)),
  };
}

/** The request for missing information (needsInfo): plain text, no case internals. */
export function infoRequestMail(c: CprCase, caName: string): { subject: string; text: string } {
  return {
    subject: `[${c.id}] More information needed for your certificate problem report`,
    text: [
      'Hello,',
      '',
      `${caName} is investigating your certificate problem report of ${utcMinute(c.receivedAt)} (case ${c.id}).`,
      'To act on it we need at least one identifier of an affected certificate (its serial number',
      'or its SHA-256 fingerprint, or the certificate itself) and the reason for revocation, with',
      'any evidence (for a compromised key: a CSR or a signature made with that key).',
      '',
      `Please reply to this message and keep "[${c.id}]" in the subject.`,
      '',
      `-- ${caName} certificate problem reports`,
    ].join('\n'),
  };
}

/** Where and how a needsInfo request goes, once every precondition of sending it holds. */
interface InfoRequest {
  readonly to: { readonly address: string; readonly domain: string };
  readonly mailer: Mailer;
  readonly sender: SenderSettings;
  readonly limits: PersonMailLimits;
  readonly replies: NonNullable<InfoRequestMail['replies']>;
}

/** What a mailed request for information needs; without any of it the request is refused. */
export interface InfoRequestMail {
  readonly mailer?: Mailer | null;
  readonly sender?: SenderSettings | null;
  /** The per-recipient limits the acknowledgments count against, shared with this mail. */
  readonly mailLimits?: PersonMailLimits | null;
  /** Where the request's Message-ID is registered, so the reporter's answer joins the case. */
  readonly replies?: { readonly messageIds: MessageIdIndex; readonly region: string | null } | null;
}

/** What to do when the request cannot be mailed. */
const INFO_REQUEST_OTHERWISE =
  'send the request by other means and record it with cpr triage CASE --reason needsInfo --sent-elsewhere --note TEXT';

/**
 * Checks, before anything is written, that the request for information can be mailed: a mailer,
 * a reporter address, one SES can send to, and the per-recipient limits to count it against.
 * @throws RevocationRefusedError naming what is missing and what to do instead
 */
function infoRequestRecipient(c: CprCase, deps: InfoRequestMail): InfoRequest {
  const otherwise = INFO_REQUEST_OTHERWISE;
  if (!deps.mailer || !deps.sender || !deps.mailLimits || !deps.replies) {
    throw new RevocationRefusedError(`needsInfo: no mailer configured; ${otherwise}`);
  }
  if (!c.reporter) {
    throw new RevocationRefusedError(`case ${c.id} has no reporter address: ${otherwise}`);
  }
  const to = outboundAddress(c.reporter);
  if (!to.deliverable) {
    throw new RevocationRefusedError(
      `case ${c.id}: SES cannot send to the reporter address ${c.reporter} (${to.reason}): ${otherwise}`,
    );
  }
  return {
    to,
    mailer: deps.mailer,
    sender: deps.sender,
    limits: deps.mailLimits,
    replies: deps.replies,
  };
}

/** Mails the request for information (threaded to the report); returns SES's message id. */
async function sendInfoRequest(c: CprCase, request: InfoRequest): Promise<string> {
  const mail = infoRequestMail(c, request.sender.caName);
  const first = c.messages.find((m) => m.role === 'report') ?? c.messages[0];
  const sent = await request.mailer.send({
    from: request.sender.senderAddress,
    to: request.to.address,
    replyTo: request.sender.replyTo,
    subject: mail.subject,
    text: mail.text,
    inReplyTo: first?.messageIdHeader ?? null,
    // The system's own template, sent at a person's word (RFC 3834 5: not written by a human).
    autoSubmitted: 'auto-generated',
  });
  return sent.messageId;
}

/**
 * A person confirms what the case is. Records who, when, the note and what it was before (audit
 * event), sets the revocation deadline from a revocation reason and re-aims every open
 * obligation at the reason's CRLReason. `notACpr` ends the case's obligations (the clock stops
 * escalating); a later triage undoes it. `needsInfo` asks the reporter for what is missing and
 * keeps the BR 4.9.5 clock running; whether the reporter's answer restarts it is the policy's
 * `needsInfoRestartsClock` (`case/info-arrival.ts`, applied when the reply joins the case).
 */
export async function triageCase(
  caseId: string,
  input: TriageInput,
  deps: RevocationDeps & InfoRequestMail,
): Promise<TriageResult> {
  const before = await loadCase(deps, caseId);
  if (before.status !== 'open') {
    throw new RevocationRefusedError(`case ${caseId} is closed: reopen it before triage`);
  }
  // Every precondition of the request mail first: a refusal must leave the case as it was.
  const request =
    input.reason === 'needsInfo' && !input.infoRequestSentElsewhere
      ? infoRequestRecipient(before, deps)
      : null;
  const now = deps.now();
  const at = now.toISOString();
  if (request) {
    const holder = `infoRequest#${caseId}#${at}`;
    await admitPersonMail(request.limits, request.to, holder, now, INFO_REQUEST_OTHERWISE);
  }
  const policy = deadlinePolicy(before.deadlines.policyVersion);
  const reasonCode = isRevocationReason(input.reason)
    ? CRL_REASON_CODES[REVOCATION_TRIAGE_REASONS[input.reason]]
    : null;
  const triage: Triage = {
    reason: input.reason,
    reasonCode,
    by: input.actor,
    at,
    note: input.note,
    previous: before.triage
      ? `triage:${before.triage.reason}`
      : `classification:${before.classification}`,
  };
  // Sent before anything is recorded: an SES refusal also leaves the case unchanged. The answer
  // may come back without the case id in its subject: its In-Reply-To finds the case.
  const infoRequestMessageId = request ? await sendInfoRequest(before, request) : null;
  if (request && infoRequestMessageId) {
    const { messageIds, region } = request.replies;
    await registerReplyTarget(messageIds, infoRequestMessageId, caseId, region);
  }
  const updated = await deps.cases.updateCase(caseId, (cur) => ({
    ...cur,
    triage,
    triageHistory: cur.triage
      ? [...(cur.triageHistory ?? []), cur.triage]
      : (cur.triageHistory ?? []),
    deadlines: triagedDeadlines(cur, input.reason, policy),
  }));
  const events = [
    event(
      updated,
      at,
      input.actor,
      'triaged',
      `triage:${at}`,
      `triaged as ${input.reason}${reasonCode === null ? '' : ` (CRLReason ${reasonCode})`}, was ${triage.previous}; revocation due ${updated.deadlines.revocation ?? 'not set'}; note: ${input.note}`,
    ),
  ];
  if (input.reason === 'needsInfo') {
    const sentHow = request
      ? `to ${request.to.address} (SES message ${infoRequestMessageId})`
      : `by other means: ${input.note}`;
    events.push(
      event(
        updated,
        at,
        input.actor,
        'infoRequested',
        `info:${at}`,
        `request for missing information sent ${sentHow}`,
      ),
    );
  }
  await deps.cases.appendEvents(events);
  const all = await syncObligations(caseId, deps);
  const expected = isRevocationReason(input.reason)
    ? REVOCATION_TRIAGE_REASONS[input.reason]
    : null;
  const reaimed: Revocation[] = [];
  for (const r of all) {
    if (!OPEN_REVOCATION_STATUSES.has(r.status) && r.status !== 'verified') {
      reaimed.push(r);
      continue;
    }
    reaimed.push(
      await deps.revocations.update(caseId, r.certificate, (cur) => {
        const dueAt =
          cur.dueAt === null || cur.dueAt === before.deadlines.revocation
            ? updated.deadlines.revocation
            : cur.dueAt;
        const reasonCode = expected ?? cur.reasonCode;
        // A verified revocation with a different reason than now confirmed is not verified.
        const status =
          cur.status === 'verified' &&
          expected &&
          cur.checks.length > 0 &&
          !judge(cur.checks, expected).verified
            ? 'recorded'
            : cur.status;
        if (dueAt === cur.dueAt && reasonCode === cur.reasonCode && status === cur.status)
          return null;
        return {
          ...cur,
          dueAt,
          reasonCode,
          status,
          verifiedAt: status === 'verified' ? cur.verifiedAt : null,
        };
      }),
    );
  }
  return { case: await loadCase(deps, caseId), revocations: reaimed, infoRequestMessageId };
}

export type RevokeSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'cert'; readonly values: readonly string[] }
  | { readonly kind: 'serial'; readonly values: readonly string[] };

export interface RevokeInput {
  readonly selector: RevokeSelector;
  readonly reasonCode: CrlReasonName;
  readonly note: string;
  readonly at: Date;
  readonly actor: string;
}

export interface RevokeResult {
  readonly recorded: readonly Revocation[];
  /** The triaged reason when it differs from the recorded one (keyCompromise vs superseded). */
  readonly reasonMismatch: CrlReasonName | null;
}

/** The CA says it revoked: records who, when, which reason, for the selected certificates. */
export async function recordRevocations(
  caseId: string,
  input: RevokeInput,
  deps: RevocationDeps,
): Promise<RevokeResult> {
  const c = await loadCase(deps, caseId);
  if (input.at.getTime() < Date.parse(c.receivedAt)) {
    throw new RevocationRefusedError(
      `--at ${input.at.toISOString()} is before case ${caseId} was received (${c.receivedAt})`,
    );
  }
  const all = await syncObligations(caseId, deps);
  let selected: Revocation[];
  if (input.selector.kind === 'all') {
    selected = all.filter((r) => r.status === 'pending' || r.status === 'recorded');
  } else {
    const field = input.selector.kind === 'cert' ? 'certificate' : 'serial';
    selected = [];
    for (const v of input.selector.values) {
      const hit = all.find((r) => r[field] === v);
      if (!hit) {
        throw new RevocationRefusedError(
          `case ${caseId} has no revocation obligation for ${field === 'certificate' ? 'certificate' : 'serial'} ${v} (it has: ${all.map((r) => (field === 'certificate' ? r.certificate : r.serial)).join(', ') || 'none'})`,
        );
      }
      if (hit.status === 'notRequired') {
        throw new RevocationRefusedError(
          `certificate ${hit.certificate} needs no revocation: ${hit.notRequiredReason}`,
        );
      }
      selected.push(hit);
    }
  }
  if (selected.length === 0)
    throw new RevocationRefusedError(`case ${caseId} has no open revocation obligation`);
  const at = input.at.toISOString();
  const recorded: Revocation[] = [];
  for (const r of selected) {
    recorded.push(
      await deps.revocations.update(caseId, r.certificate, (cur) =>
        cur.status === 'verified' && cur.recordedReason === input.reasonCode
          ? null
          : {
              ...cur,
              status: 'recorded',
              recordedAt: at,
              recordedBy: input.actor,
              recordedReason: input.reasonCode,
              note: input.note,
              verifiedAt: null,
              alertedAt: null,
            },
      ),
    );
  }
  const expected =
    c.triage && isRevocationReason(c.triage.reason)
      ? REVOCATION_TRIAGE_REASONS[c.triage.reason]
      : null;
  const mismatch = expected && expected !== input.reasonCode ? expected : null;
  await deps.cases.appendEvents(
    recorded.map((r) =>
      event(
        c,
        at,
        input.actor,
        'revocationRecorded',
        `revoked:${r.certificate}:${at}`,
        `certificate ${r.certificate} (serial ${r.serial ?? 'unknown'}) revoked by the CA with reason ${input.reasonCode}${mismatch ? ` (TRIAGED AS ${mismatch})` : ''}: ${input.note}`,
      ),
    ),
  );
  return { recorded, reasonMismatch: mismatch };
}

/** What looking at obligations from outside needs: no evidence, inventory or blocklist. */
export interface CheckDeps {
  readonly cases: Pick<RevocationCases, 'getCase' | 'appendEvents'>;
  readonly revocations: Pick<RevocationStore, 'update'>;
  readonly checker: StatusChecker;
  /** Who hears of a revocation not visible from outside; null: nobody (then no alert is marked). */
  readonly notifier: Notifier | null;
  readonly now: () => Date;
}

export interface VerifyDeps extends RevocationDeps, CheckDeps {
  readonly cases: RevocationCases;
  readonly revocations: RevocationStore;
}

export interface VerifyResult {
  readonly revocations: readonly Revocation[];
  /** Certificates whose recorded revocation a relying party cannot see: the team was told. */
  readonly alerted: readonly string[];
}

/** The message that tells the team a recorded revocation is not visible from outside. */
export function notVisibleAlert(c: CprCase, rs: readonly Revocation[]) {
  const lines = [
    `Case ${c.id}: ${rs.length} certificate(s) recorded as revoked are NOT revoked as a relying party sees them.`,
    '',
    ...rs.map(
      (r) =>
        `  - ${r.certificate} serial ${r.serial ?? 'unknown'}: ${r.problems.map((p) => PROBLEM_TEXT[p]).join('; ')} (recorded ${utcMinute(r.recordedAt)} as ${r.recordedReason ?? '?'}, due ${utcMinute(r.dueAt)})`,
    ),
    '',
    'Wrong certificate revoked, a stale OCSP responder or a CRL not yet published: the deadline is judged on what relying parties see.',
    `Check again with: cpr verify ${c.id}`,
  ];
  return {
    subject: `[${c.id}] Revocation not visible from outside: ${rs.length} certificate(s)`.slice(
      0,
      100,
    ),
    message: lines.join('\n'),
    attributes: {
      severity: 'high',
      type: 'revocation.notVisible',
      classification: c.classification,
      caseId: c.id,
    },
  };
}

/** What the checker needs of an obligation. */
export function certificateToCheck(r: Revocation): CertificateToCheck {
  return { certificate: r.certificate, serial: r.serial, issuer: r.issuer, pem: r.pem };
}

/**
 * Looks at each open obligation from outside now, after bringing the case's obligations in step
 * with its evidence (`cpr verify`, the local stack).
 */
export async function verifyCase(caseId: string, deps: VerifyDeps): Promise<VerifyResult> {
  return checkObligations(caseId, await syncObligations(caseId, deps), deps);
}

/**
 * Looks at the given obligations of one case from outside now (the open ones among them).
 * Verified when OCSP says revoked with the triaged reason and the serial is on a current,
 * correctly signed CRL. A recorded revocation that is not visible alerts the team at once (once
 * per recording; the checkpoints repeat it). Returns `obligations` with the checked ones updated.
 */
export async function checkObligations(
  caseId: string,
  obligations: readonly Revocation[],
  deps: CheckDeps,
): Promise<VerifyResult> {
  const c = await deps.cases.getCase(caseId);
  if (!c) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  const all = obligations;
  const open = all.filter((r) => OPEN_REVOCATION_STATUSES.has(r.status));
  if (open.length === 0) return { revocations: all, alerted: [] };
  const now = deps.now();
  const results = await deps.checker.check(open.map(certificateToCheck), now);
  const at = now.toISOString();
  const updated = new Map<string, Revocation>();
  const events: AuditEvent[] = [];
  const alert: Revocation[] = [];
  for (const r of open) {
    const checks = results.get(r.certificate) ?? [];
    const next = await deps.revocations.update(caseId, r.certificate, (cur) => {
      if (!OPEN_REVOCATION_STATUSES.has(cur.status)) return null;
      const verdict = judge(checks, cur.reasonCode);
      const kept = [...cur.checks, ...checks].slice(-MAX_CHECKS_KEPT);
      const verified = verdict.verified;
      return {
        ...cur,
        checks: kept,
        problems: verdict.problems,
        status: verified ? 'verified' : cur.status,
        verifiedAt: verified ? at : null,
      };
    });
    updated.set(r.certificate, next);
    if (next.status === 'verified') {
      events.push(
        event(
          c,
          at,
          'system:revocation',
          'revocationVerified',
          `verified:${r.certificate}`,
          `certificate ${r.certificate} seen revoked from outside: ${checks.map((x) => `${x.source} ${x.result}${x.reasonCode === null ? '' : ` reason ${x.reasonCode}`}`).join(', ')}`,
        ),
      );
    } else if (deps.notifier && next.status === 'recorded' && next.alertedAt === null) {
      alert.push(next);
    }
  }
  if (alert.length > 0 && deps.notifier) {
    const message = notVisibleAlert(c, alert);
    await deps.notifier.publish('team', message);
    await deps.notifier.publish('pager', message);
    // Marked after the publish: a run that dies in between alerts again (at least once), never
    // not at all.
    for (const r of alert) {
      updated.set(
        r.certificate,
        await deps.revocations.update(caseId, r.certificate, (cur) =>
          cur.alertedAt === null && cur.recordedAt === r.recordedAt
            ? { ...cur, alertedAt: at }
            : null,
        ),
      );
    }
    events.push(
      ...alert.map((r) =>
        event(
          c,
          at,
          'system:revocation',
          'revocationNotVisible',
          `notVisible:${r.certificate}:${at}`,
          `certificate ${r.certificate} recorded as revoked but not revoked from outside: ${r.problems.join(', ')}`,
        ),
      ),
    );
  }
  if (events.length > 0) await deps.cases.appendEvents(events);
  return {
    revocations: all.map((r) => updated.get(r.certificate) ?? r),
    alerted: alert.map((r) => r.certificate),
  };
}

/** The blocklist for the issuance system (BR 6.1.1.3(4)), newest last. */
export async function exportBlocklist(
  deps: Pick<RevocationDeps, 'blocklist'>,
): Promise<readonly BlockedKey[]> {
  return [...(await deps.blocklist.list())].sort(
    (a, b) => a.at.localeCompare(b.at) || a.spkiSha256.localeCompare(b.spkiSha256),
  );
}
