/**
 * What people read: the team notice, escalations and bounce alerts (SNS), and the acknowledgment
 * to the reporter (mail). Plain text, UTC times to the minute, no key material: counts and
 * hashes only. The acknowledgment never claims more than the system knows (Sectigo, bug
 * 1650845: a reply said "revoked" for the wrong certificate).
 */
import { openObligations } from '../case/notices.ts';
import type {
  CaseMessage,
  CheckpointKind,
  CprCase,
  Escalation,
  EscalationLevel,
  EvidenceCounts,
  Notice,
} from '../case/types.ts';
import { singleLine } from '../mail/header-values.ts';
import type { Revocation } from '../revocation/types.ts';
import { PROBLEM_TEXT } from '../revocation/verdict.ts';
import { BIDI_CONTROLS } from '../text/display.ts';

/** SNS subjects are limited to 100 characters. */
export const SNS_SUBJECT_MAX = 100;
/** SNS messages are limited to 256 KB; we stay far below so SMS/email renderers cope. */
export const SNS_MESSAGE_MAX = 60_000;
/** Affected Subscribers listed by name in one message; the rest are counted. */
export const MAX_LISTED_SUBSCRIBERS = 20;

export function utcMinute(iso: string | null): string {
  if (!iso) return 'not set';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Sender-controlled text (subjects, names) as one line with no controls and no bidi controls (an
 * override could make a name or address read as another one), marked when cut.
 */
function safeLine(text: string | null, max = 200): string {
  if (text === null) return '(none)';
  // One character over the limit tells `clip` that there was more.
  return clip(singleLine(text.replace(BIDI_CONTROLS, ''), max + 1), max);
}

export interface SnsMessage {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

function flags(c: CprCase): string[] {
  const out: string[] = [];
  if (c.verdicts.spam === 'FAIL') out.push('SPAM verdict');
  if (c.verdicts.virus === 'FAIL') out.push('VIRUS verdict');
  if (c.verdicts.dmarc === 'FAIL')
    out.push(`DMARC fail (policy ${c.verdicts.dmarcPolicy ?? 'unknown'})`);
  if (c.classification === 'unparsed') out.push('UNPARSED: read the raw message');
  return out;
}

function obligationLines(notices: readonly Notice[]): string[] {
  return notices.map((n) => {
    const who = n.kind === 'reporterReport' ? 'reporter' : 'subscriber';
    const to = n.recipient ?? 'UNKNOWN recipient';
    return `  - preliminary report to ${who} ${to}: ${n.status}, due ${utcMinute(n.dueAt)}`;
  });
}

/** Lint findings listed in the team notice; the rest are counted (`cpr show` has them all). */
export const MAX_LISTED_LINTS = 10;

function lintLines(c: CprCase): string[] {
  const lints = c.evidence.lints;
  if (lints.length === 0) return [];
  const listed = lints
    .slice(0, MAX_LISTED_LINTS)
    .map(
      (l) =>
        `  - ${l.severity} ${l.code} (${l.rule}) on ${l.certificate.slice(0, 16)}: ${safeLine(l.detail, 120)}`,
    );
  const more = lints.length - listed.length;
  return [
    `Certificate lints: ${lints.length}`,
    ...listed,
    ...(more > 0 ? [`  ... and ${more} more`] : []),
  ];
}

/** Certificates the parser refused: a person reads them from the raw mail. */
function unparsedCertificateLines(c: CprCase): string[] {
  const list = c.evidence.unparsedCertificates;
  if (list.length === 0) return [];
  const listed = list.slice(0, MAX_LISTED_LINTS).map((u) => {
    const serial =
      u.serialCandidates.length > 0 ? `, serial ${u.serialCandidates.join(' or ')}` : '';
    return `  - sha256 ${u.sha256}${serial}: ${safeLine(u.error, 160)}`;
  });
  return [
    `Unparsed certificates (read them from the raw message): ${c.evidenceCounts.unparsedCertificates}`,
    ...listed,
    ...(c.evidenceCounts.unparsedCertificates > listed.length
      ? [`  ... and ${c.evidenceCounts.unparsedCertificates - listed.length} more`]
      : []),
  ];
}

/** Digit-only serials neither reading of which the inventory knows: both are shown. */
function ambiguousSerialLines(c: CprCase): string[] {
  const pairs = c.evidence.ambiguousSerials;
  if (pairs.length === 0) return [];
  const listed = pairs
    .slice(0, MAX_LISTED_LINTS)
    .map((a) => `  - ${safeLine(a.text, 60)}: as hex ${a.asHex}, as decimal ${a.asDecimal} (hex)`);
  return [
    `Ambiguous serials (not in the inventory either way): ${pairs.length}`,
    ...listed,
    ...(pairs.length > listed.length ? [`  ... and ${pairs.length - listed.length} more`] : []),
  ];
}

function subscriberLines(c: CprCase): string[] {
  if (c.subscribers.length === 0)
    return ['  (unknown: no affected certificate found in the inventory)'];
  const listed = c.subscribers
    .slice(0, MAX_LISTED_SUBSCRIBERS)
    .map((s) => `  - ${safeLine(s.name, 80)} <${safeLine(s.email)}>`);
  const more = c.evidenceCounts.subscribers - listed.length;
  return more > 0 ? [...listed, `  ... and ${more} more`] : listed;
}

function severity(c: CprCase): string {
  return c.classification === 'keyCompromise'
    ? 'high'
    : c.classification === 'notACpr'
      ? 'low'
      : 'normal';
}

/** Where the raw mail and full evidence are, for the engineer who opens the alert. */
export interface Locations {
  readonly rawMail: (rawKey: string) => string;
}

/** The team notice sent when a case opens. */
export function teamNotice(c: CprCase, where: Locations): SnsMessage {
  const f = flags(c);
  const counts = c.evidenceCounts;
  const lines = [
    `New certificate problem report ${c.id}`,
    '',
    `Received:        ${utcMinute(c.receivedAt)}`,
    `Reporter:        ${c.reporter ? safeLine(c.reporter) : 'unknown (no valid From address)'}`,
    `Subject:         ${safeLine(c.subject)}`,
    `Classification:  ${c.classification}${c.revocationRequested ? ' (revocation requested)' : ''}`,
    `Signals:         ${safeLine(c.classificationSignals.join(', ') || 'none', 400)}`,
    `Flags:           ${f.length > 0 ? f.join('; ') : 'none'}`,
    `Acknowledgment:  ${c.acknowledgment.decision === 'send' ? 'sent automatically (not the preliminary report)' : `suppressed (${c.acknowledgment.reason})`}`,
    '',
    `Evidence: ${counts.certificates} certificates, ${counts.keys} private keys, ${counts.csrs} CSRs, ${counts.serials} serials, ${counts.sha256Fingerprints} fingerprints, ${counts.crtshIds} crt.sh ids`,
    ...lintLines(c),
    ...unparsedCertificateLines(c),
    ...ambiguousSerialLines(c),
    `Affected certificates: ${counts.affected}`,
    'Affected Subscribers:',
    ...subscriberLines(c),
    '',
    'Deadlines (BR 4.9.5, 4.9.1.1):',
    ...obligationLines(openObligations(c.notices)),
    `  - revocation: ${utcMinute(c.deadlines.revocation)}${c.deadlines.revocation ? '' : ' (until the reason is known)'}`,
    `Escalation checkpoints: ${c.deadlines.checkpoints
      .slice(0, 3)
      .map((cp) => `${cp.level} ${utcMinute(cp.at)}`)
      .join(', ')}`,
    '',
    `Raw message: ${c.messages.map((m) => where.rawMail(m.rawKey)).join(', ')}`,
    `Deadline policy: ${c.deadlines.policyVersion}`,
  ];
  return {
    subject: clip(
      `[${c.id}] New CPR: ${c.classification}${f.length > 0 ? ` (${f.join(', ')})` : ''}`,
      SNS_SUBJECT_MAX,
    ),
    message: clip(lines.join('\n'), SNS_MESSAGE_MAX),
    attributes: {
      severity: severity(c),
      type: 'newCase',
      classification: c.classification,
      caseId: c.id,
    },
  };
}

/** What a joining message added, in words; "nothing new" when it added nothing. */
export function describeAdded(added: EvidenceCounts | null): string {
  if (!added) return 'not known (another message joined meanwhile; see the case)';
  const parts = (
    [
      ['certificates', 'certificates'],
      ['unparsedCertificates', 'unparsed certificates'],
      ['keys', 'private keys'],
      ['csrs', 'CSRs'],
      ['serials', 'serials'],
      ['ambiguousSerials', 'serials of unknown base'],
      ['sha256Fingerprints', 'fingerprints'],
      ['crtshIds', 'crt.sh ids'],
      ['affected', 'affected certificates'],
      ['subscribers', 'Subscribers'],
    ] as const
  )
    .filter(([k]) => added[k] > 0)
    .map(([k, words]) => `${added[k]} new ${words}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing new';
}

/**
 * The team hears of every message that joins a case (a reply, a duplicate), saying what it
 * added, whether its sender is a known party, and whether it reopened the case.
 */
export function joinNotice(
  c: CprCase,
  m: CaseMessage,
  join: {
    readonly added: EvidenceCounts | null;
    readonly senderUnknown: boolean;
    readonly reopened: boolean;
  },
  where: Locations,
): SnsMessage {
  const lines = [
    `A ${m.role} joined case ${c.id}${join.reopened ? ' and REOPENED it' : ''}`,
    '',
    `Received:        ${utcMinute(m.receivedAt)}`,
    `From:            ${m.from ? safeLine(m.from) : 'unknown (no valid From address)'}${join.senderUnknown ? ' (NOT a known party to the case: check who this is)' : ''}`,
    `Subject:         ${safeLine(m.subject)}`,
    `Added:           ${describeAdded(join.added)}`,
    `Case:            ${c.status}, ${c.classification}`,
  ];
  if (join.reopened) {
    lines.push(
      '',
      "New obligations (BR 4.9.5), from this message's receipt:",
      ...obligationLines(openObligations(c.notices)),
    );
  }
  lines.push('', `Raw message: ${where.rawMail(m.rawKey)}`);
  return {
    subject: clip(
      `[${c.id}] ${join.reopened ? 'Reopened by a' : 'New'} ${m.role}${join.senderUnknown ? ' from an unknown sender' : ''}`,
      SNS_SUBJECT_MAX,
    ),
    message: clip(lines.join('\n'), SNS_MESSAGE_MAX),
    attributes: {
      severity: join.reopened ? 'high' : 'normal',
      type: join.reopened ? 'caseReopened' : 'messageJoined',
      classification: c.classification,
      caseId: c.id,
    },
  };
}

const LEVEL_WORDS: Readonly<Record<EscalationLevel, string>> = {
  warning: 'WARNING',
  page: 'PAGE',
  breach: 'BREACH',
  repage: 'STILL BREACHED',
};

/** Which deadlines a breach message says have passed. */
function passed(reports: boolean, revocation: boolean): string {
  if (revocation && !reports) return 'BR 4.9.1.1 revocation';
  if (revocation) return 'BR 4.9.5 and the BR 4.9.1.1 revocation';
  return 'BR 4.9.5';
}

/** Certificates listed by hash in one escalation; the rest are counted. */
export const MAX_LISTED_CERTIFICATES = 50;

function revocationLines(revocations: readonly Revocation[]): string[] {
  const listed = revocations.slice(0, MAX_LISTED_CERTIFICATES).map((r) => {
    const state =
      r.status === 'recorded'
        ? `recorded as revoked ${utcMinute(r.recordedAt)} but NOT visible from outside (${r.problems.map((p) => PROBLEM_TEXT[p]).join('; ') || 'not checked yet'})`
        : 'NOT revoked';
    return `  - certificate ${r.certificate} serial ${r.serial ?? 'unknown'}: ${state}, due ${utcMinute(r.dueAt)}`;
  });
  const more = revocations.length - listed.length;
  return more > 0 ? [...listed, `  ... and ${more} more (cpr show CASE --json)`] : listed;
}

/**
 * An escalation: names each open obligation and its deadline, the triage if it is owed, and
 * every certificate still unrevoked (or revoked but not visible from outside).
 */
export function escalationNotice(
  c: CprCase,
  e: Escalation,
  revocations: readonly Revocation[] = [],
  kind: CheckpointKind = 'report',
): SnsMessage {
  const named = new Set(e.openObligations.map((o) => o.noticeId));
  const open = c.notices.filter((n) => named.has(n.id));
  const revs = revocations.filter((r) => named.has(`revocation:${r.certificate}`));
  const untriaged = named.has('triage');
  const count = open.length + revs.length + (untriaged ? 1 : 0);
  const lines = [
    `${LEVEL_WORDS[e.level]}: case ${c.id} has ${count} open obligation(s) at ${utcMinute(e.checkpointAt)}`,
    '',
    `Received:       ${utcMinute(c.receivedAt)}`,
    `Reporter:       ${c.reporter ? safeLine(c.reporter) : 'unknown'}`,
    `Classification: ${c.classification}${c.triage ? ` (triaged: ${c.triage.reason})` : ''}`,
    '',
    'Open obligations:',
    ...obligationLines(open),
    ...(untriaged
      ? [
          `  - NOT TRIAGED: confirm the reason (cpr triage CASE --reason ...), due ${utcMinute(c.deadlines.triage ?? null)}`,
        ]
      : []),
    ...(revs.length > 0
      ? [
          '',
          `Certificates not revoked as relying parties see them (${revs.length}):`,
          ...revocationLines(revs),
        ]
      : []),
    '',
    e.level === 'breach' || e.level === 'repage'
      ? `The ${passed(open.length > 0 || untriaged, revs.some((r) => r.dueAt !== null && r.dueAt <= e.checkpointAt) || (kind === 'revocation' && revs.length > 0))} deadline has passed: this is a reportable incident (CCADB: preliminary incident report within 72 hours).`
      : revs.length > 0 && open.length === 0
        ? 'Revoke, then record it: cpr revoke CASE --cert SHA256 --reason-code NAME --note TEXT; check with cpr verify CASE'
        : 'Send the preliminary reports, then record them: cpr notice CASE --to ... --sent, or cpr send CASE ...',
  ];
  return {
    subject: clip(
      `[${c.id}] ${LEVEL_WORDS[e.level]}: ${count} CPR obligation(s) open`,
      SNS_SUBJECT_MAX,
    ),
    message: clip(lines.join('\n'), SNS_MESSAGE_MAX),
    attributes: {
      severity: e.level === 'warning' ? 'normal' : 'high',
      type: `escalation.${e.level}`,
      classification: c.classification,
      caseId: c.id,
    },
  };
}

/** Sent at once when a notice bounces or draws a complaint: the obligation is open again. */
export function deliveryProblemNotice(
  c: CprCase,
  n: Notice,
  outcome: 'bounced' | 'complained',
  diagnostic: string | null,
): SnsMessage {
  const what =
    n.kind === 'acknowledgment'
      ? 'acknowledgment (the reporter may be unreachable)'
      : `preliminary report to ${n.kind === 'reporterReport' ? 'the reporter' : 'a Subscriber'}`;
  const lines = [
    `The ${what} for case ${c.id} ${outcome === 'bounced' ? 'BOUNCED' : 'drew a COMPLAINT'}.`,
    '',
    `Recipient:  ${n.recipient ?? 'unknown'}`,
    `Sent:       ${utcMinute(n.sentAt)} (SES message ${n.messageId ?? 'unknown'})`,
    `Diagnostic: ${safeLine(diagnostic, 500)}`,
    `Due:        ${utcMinute(n.dueAt)}`,
    '',
    n.kind === 'acknowledgment'
      ? 'Find another way to reach the reporter; the preliminary report is still owed.'
      : 'The obligation is open again: find a working address and send the report again.',
  ];
  return {
    subject: clip(`[${c.id}] Notice ${outcome}: ${n.recipient ?? n.id}`, SNS_SUBJECT_MAX),
    message: lines.join('\n'),
    attributes: {
      severity: 'high',
      type: `notice.${outcome}`,
      classification: c.classification,
      caseId: c.id,
    },
  };
}

export interface OutgoingMail {
  readonly subject: string;
  readonly text: string;
}

/**
 * The automatic acknowledgment. It says what arrived (counts, never the material), what happens
 * next and by when, and that it is not the preliminary report.
 */
export function acknowledgmentMail(c: CprCase, ca: { readonly name: string }): OutgoingMail {
  const n = c.evidenceCounts;
  const received = [
    n.certificates > 0 ? `${n.certificates} certificate(s)` : null,
    n.keys > 0 ? `${n.keys} private key(s) (we keep only the hash of the public key)` : null,
    n.csrs > 0 ? `${n.csrs} certificate signing request(s)` : null,
    n.serials > 0 ? `${n.serials} serial number(s)` : null,
    n.sha256Fingerprints > 0 ? `${n.sha256Fingerprints} fingerprint(s)` : null,
    n.crtshIds > 0 ? `${n.crtshIds} crt.sh reference(s)` : null,
  ].filter((x): x is string => x !== null);
  const text = [
    'Hello,',
    '',
    `${ca.name} received your certificate problem report at ${utcMinute(c.receivedAt)} and opened case ${c.id}.`,
    '',
    received.length > 0
      ? `We found in your message: ${received.join(', ')}.`
      : 'We found no certificate, key or serial number in your message; our team will read it in full.',
    '',
    'This is an automatic acknowledgment, not our findings. Our team is investigating and will send',
    `a preliminary report by ${utcMinute(c.deadlines.reporterReport)} (within 24 hours of receipt, as the`,
    'CA/Browser Forum Baseline Requirements, section 4.9.5, require).',
    '',
    `To add information, reply to this message and keep "[${c.id}]" in the subject.`,
    '',
    `-- ${ca.name} certificate problem reports`,
  ].join('\n');
  return {
    subject: `[${c.id}] Certificate problem report received`,
    text,
  };
}
