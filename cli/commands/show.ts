/**
 * `cpr show CASE`: the whole case. The case item keeps a bounded sample of the evidence; the full
 * evidence is the union of the evidence files every message wrote to S3, merged here.
 */
import {
  type CaseEvidence,
  countsOf,
  mergeCaseEvidence,
  nextDeadline,
  serialOnlyMatches,
} from '../../lambdas/domain/case/build.ts';
import { linkKeysToCertificates } from '../../lambdas/domain/case/evidence-set.ts';
import { ACK_NOTICE_ID, openObligations } from '../../lambdas/domain/case/notices.ts';
import type { CprCase } from '../../lambdas/domain/case/types.ts';
import type { Revocation } from '../../lambdas/domain/revocation/types.ts';
import { type Command, parseCommand } from '../command.ts';
import { EXIT } from '../errors.ts';
import { clean, few, json, minuteUtc, table } from '../output.ts';
import type { Services } from '../services.ts';
import { caseIdArg, loadCase } from './shared.ts';

export interface FullEvidence {
  readonly full: CaseEvidence;
  /** Messages whose evidence file is missing: their evidence is known only from the sample. */
  readonly missing: readonly string[];
}

/** Merges every message's evidence file (and the item's sample, a subset) into the full evidence. */
export async function fullEvidenceOf(services: Services, c: CprCase): Promise<FullEvidence> {
  let full: CaseEvidence = {
    evidence: c.evidence,
    affected: c.affected,
    subscribers: c.subscribers,
  };
  const missing: string[] = [];
  // The case's merged file holds every message's evidence: one read instead of one per message.
  const merged = c.mergedEvidenceKey ? await services.evidence.get(c.mergedEvidenceKey) : null;
  if (merged) {
    full = mergeCaseEvidence(full, merged);
    return { full: { ...full, evidence: linkKeysToCertificates(full.evidence) }, missing };
  }
  for (const m of c.messages) {
    const file = m.evidenceKey ? await services.evidence.get(m.evidenceKey) : null;
    if (!file) {
      missing.push(m.sesMessageId);
      continue;
    }
    full = mergeCaseEvidence(full, {
      evidence: file.evidence,
      affected: file.affected,
      subscribers: file.subscribers,
      ...(file.matchedBy ? { matchedBy: file.matchedBy } : {}),
    });
  }
  // A key in a reply proves compromise of a certificate sent in the first report (as intake does).
  return { full: { ...full, evidence: linkKeysToCertificates(full.evidence) }, missing };
}

/** `triage` of `cpr show --json`: `{reason, reasonCode, by, at, note}` or null. */
export function triageJson(c: CprCase) {
  const t = c.triage;
  return t
    ? { reason: t.reason, reasonCode: t.reasonCode, by: t.by, at: t.at, note: t.note }
    : null;
}

/** `revocations` of `cpr show --json` and `cpr verify --json` (docs/cli.md). */
export function revocationsJson(revocations: readonly Revocation[]) {
  return revocations.map((r) => ({
    certificate: r.certificate,
    serial: r.serial,
    issuer: r.issuer,
    reasonCode: r.reasonCode,
    dueAt: r.dueAt,
    status: r.status,
    recordedAt: r.recordedAt,
    verifiedAt: r.verifiedAt,
    checks: r.checks.map((x) => ({
      source: x.source,
      url: x.url,
      at: x.at,
      result: x.result,
      reasonCode: x.reasonCode,
      detail: x.detail,
    })),
  }));
}

/** The `--json` form: the field names are a contract for scripts (docs/cli.md). */
export function caseJson(
  c: CprCase,
  { full, missing }: FullEvidence,
  revocations: readonly Revocation[] = [],
) {
  const ack = c.notices.find((n) => n.id === ACK_NOTICE_ID);
  const e = full.evidence;
  return {
    id: c.id,
    status: c.status,
    receivedAt: c.receivedAt,
    reporter: c.reporter,
    subject: c.subject,
    classification: c.classification,
    classificationSignals: c.classificationSignals,
    revocationRequested: c.revocationRequested,
    acknowledgment: {
      decision: c.acknowledgment.decision,
      reason: c.acknowledgment.reason,
      status: ack?.status ?? null,
    },
    verdicts: c.verdicts,
    evidence: {
      certificates: e.certificates.map((x) => ({
        sha256: x.sha256,
        serial: x.serial,
        subject: x.subject,
        issuer: x.issuer,
        sans: x.sans,
        notBefore: x.notBefore,
        notAfter: x.notAfter,
        spkiSha256: x.spkiSha256,
        keyCompromised: x.keyCompromised,
        precertificate: x.precertificate === true,
        signedBy: x.signedBy ?? null,
        source: x.source,
      })),
      /** Certificates the parser refused or re-encoded: their fingerprint as sent, and why. */
      unparsedCertificates: e.unparsedCertificates,
      serials: e.serials,
      ambiguousSerials: e.ambiguousSerials,
      sha256Fingerprints: e.sha256Fingerprints,
      crtshIds: e.crtshIds,
      keys: e.keys.map((k) => ({
        spkiSha256: k.spkiSha256,
        matches: k.matches,
        format: k.format,
        algorithm: k.algorithm,
        source: k.source,
        proof: k.proof,
        proofFailure: k.proofFailure,
      })),
      csrs: e.csrs.map((r) => ({
        spkiSha256: r.spkiSha256,
        matches: r.matches,
        subject: r.subject,
        signatureValid: r.signatureValid,
        attestation: r.attestation,
        source: r.source,
      })),
      lints: e.lints,
      problems: e.problems,
    },
    /** False when an evidence file is missing and some evidence may be known only as a sample. */
    evidenceComplete: missing.length === 0 || !c.evidenceTruncated,
    evidenceCounts: countsOf(full),
    affected: full.affected,
    /** How each inventory certificate was matched: sha256, issuerSerial, precertificate, spki, serialOnly. */
    inventoryMatches: full.matchedBy ?? {},
    /** Matched only by a serial written in the text, with no certificate: the weakest link. */
    serialOnlyMatches: serialOnlyMatches(full),
    subscribers: full.subscribers.map((s) => ({ name: s.name, email: s.email })),
    notices: c.notices,
    nextDeadline: nextDeadline(c),
    openObligations: c.status === 'open' ? openObligations(c.notices).map((n) => n.id) : [],
    deadlines: c.deadlines,
    escalations: c.escalations,
    messages: c.messages.map((m) => m.sesMessageId),
    messageDetails: c.messages,
    parseError: c.parseError,
    closedAt: c.closedAt,
    closeReason: c.closeReason,
    triage: triageJson(c),
    revocations: revocationsJson(revocations),
  };
}

export type CaseJson = ReturnType<typeof caseJson>;

function human(j: CaseJson): string {
  const e = j.evidence;
  const lines: string[] = [
    `${j.id}  ${j.status}  ${j.classification}${j.revocationRequested ? '  (revocation requested)' : ''}`,
    `Signals      ${j.classificationSignals.join(', ') || 'none'}`,
    `Received     ${minuteUtc(j.receivedAt)}`,
    `Reporter     ${clean(j.reporter)}`,
    `Subject      ${clean(j.subject)}`,
    `Ack          ${j.acknowledgment.decision}${j.acknowledgment.reason ? ` (${j.acknowledgment.reason})` : ''}, ${clean(j.acknowledgment.status)}`,
    `Verdicts     spam ${j.verdicts.spam}, virus ${j.verdicts.virus}, SPF ${j.verdicts.spf}, DKIM ${j.verdicts.dkim}, DMARC ${j.verdicts.dmarc}${j.verdicts.dmarcPolicy ? ` (p=${j.verdicts.dmarcPolicy})` : ''}`,
    `Next due     ${minuteUtc(j.nextDeadline)}`,
  ];
  if (j.closedAt) lines.push(`Closed       ${minuteUtc(j.closedAt)}: ${clean(j.closeReason)}`);
  if (j.parseError) lines.push(`Parse error  ${clean(j.parseError)}`);
  lines.push(
    '',
    'Deadlines',
    `  preliminary report to the reporter    ${minuteUtc(j.deadlines.reporterReport)}`,
    `  preliminary report to Subscribers     ${minuteUtc(j.deadlines.subscriberReport)}`,
    `  revocation                            ${minuteUtc(j.deadlines.revocation)}`,
    `  triage                                ${j.triage ? `${j.triage.reason} by ${clean(j.triage.by)} at ${minuteUtc(j.triage.at)}: ${clean(j.triage.note)}` : 'NOT TRIAGED'}`,
    '',
    `Revocations ${j.revocations.length}`,
    indent(
      table(
        ['CERTIFICATE', 'SERIAL', 'STATUS', 'REASON', 'DUE', 'RECORDED', 'VERIFIED'],
        j.revocations
          .slice(0, 50)
          .map((r) => [
            r.certificate,
            r.serial,
            r.status,
            r.reasonCode,
            minuteUtc(r.dueAt),
            minuteUtc(r.recordedAt),
            minuteUtc(r.verifiedAt),
          ]),
      ),
    ),
    '',
    'Notices',
    indent(
      table(
        ['ID', 'KIND', 'RECIPIENT', 'STATUS', 'DUE', 'SENT', 'BY'],
        j.notices.map((n) => [
          n.id,
          n.kind,
          n.recipient,
          n.status,
          minuteUtc(n.dueAt),
          minuteUtc(n.sentAt),
          n.actor,
        ]),
      ),
    ),
    '',
    `Evidence${j.evidenceComplete ? '' : ' (INCOMPLETE: an evidence file is missing)'}`,
    `  certificates ${e.certificates.length}${e.unparsedCertificates.length > 0 ? ` (and ${e.unparsedCertificates.length} unparsed)` : ''}, private keys ${e.keys.length}, CSRs ${e.csrs.length}, serials ${e.serials.length}, fingerprints ${e.sha256Fingerprints.length}, crt.sh ids ${e.crtshIds.length}`,
  );
  if (e.certificates.length > 0) {
    lines.push(
      indent(
        table(
          ['SHA-256', 'SERIAL', 'SUBJECT', 'NOT AFTER', 'KEY COMPROMISED'],
          e.certificates
            .slice(0, 20)
            .map((x) => [
              x.sha256,
              x.serial,
              x.subject,
              minuteUtc(x.notAfter),
              x.keyCompromised ? 'yes' : 'no',
            ]),
        ),
      ),
    );
    if (e.certificates.length > 20)
      lines.push(`  ... ${e.certificates.length - 20} more (see --json)`);
  }
  for (const u of e.unparsedCertificates.slice(0, 10)) {
    const serial =
      u.serialCandidates.length > 0 ? ` serial ${u.serialCandidates.join(' or ')}` : '';
    lines.push(`  UNPARSED certificate ${u.sha256}${serial}: ${clean(u.error)}`);
  }
  if (e.unparsedCertificates.length > 10) {
    lines.push(
      `  ... ${e.unparsedCertificates.length - 10} more unparsed certificates (see --json)`,
    );
  }
  for (const k of e.keys)
    lines.push(
      k.proof
        ? `  private key (${clean(k.algorithm)}) spki ${k.spkiSha256} matches ${few(k.matches)}`
        : `  private key (${clean(k.algorithm)}) NO PROOF OF POSSESSION: ${clean(k.proofFailure ?? 'not checked')}; claims spki ${k.spkiSha256}`,
    );
  for (const r of e.csrs) {
    lines.push(
      `  CSR${r.signatureValid ? '' : ' (SIGNATURE INVALID)'} spki ${r.spkiSha256} matches ${few(r.matches)}`,
    );
  }
  if (e.lints.length > 0) {
    lines.push(
      '  lints:',
      indent(
        table(
          ['SEVERITY', 'CODE', 'CERTIFICATE', 'RULE', 'DETAIL'],
          e.lints
            .slice(0, 30)
            .map((l) => [l.severity, l.code, l.certificate.slice(0, 16), l.rule, clean(l.detail)]),
        ),
      ),
    );
    if (e.lints.length > 30) lines.push(`  ... ${e.lints.length - 30} more lints (see --json)`);
  }
  if (e.serials.length > 0) lines.push(`  serials: ${few(e.serials, 10)}`);
  for (const a of e.ambiguousSerials.slice(0, 10)) {
    lines.push(
      `  ambiguous serial ${clean(a.text)}: hex ${a.asHex} or decimal (= hex ${a.asDecimal}); neither is in the inventory`,
    );
  }
  if (e.ambiguousSerials.length > 10) {
    lines.push(`  ... ${e.ambiguousSerials.length - 10} more ambiguous serials (see --json)`);
  }
  if (e.sha256Fingerprints.length > 0)
    lines.push(`  fingerprints: ${few(e.sha256Fingerprints, 5)}`);
  if (e.crtshIds.length > 0) lines.push(`  crt.sh ids: ${few(e.crtshIds, 10)}`);
  for (const p of e.problems.slice(0, 10)) lines.push(`  problem: ${clean(p)}`);
  lines.push(
    '',
    `Affected certificates ${j.affected.length}${j.affected.length > 0 ? `: ${few(j.affected, 5)}` : ''}`,
    ...(j.serialOnlyMatches.length > 0
      ? [
          `  of which ${j.serialOnlyMatches.length} matched only by a serial in the text (no certificate): ${few(j.serialOnlyMatches, 5)}`,
        ]
      : []),
    `Subscribers ${j.subscribers.length}${
      j.subscribers.length > 0
        ? `: ${few(
            j.subscribers.map((s) => `${clean(s.name)} <${clean(s.email)}>`),
            5,
          )}`
        : ''
    }`,
  );
  if (j.escalations.length > 0) {
    lines.push('', 'Escalations');
    for (const x of j.escalations)
      lines.push(`  ${minuteUtc(x.sentAt ?? x.at)}  ${x.level}  ${x.status}`);
  }
  lines.push(
    '',
    'Messages',
    indent(
      table(
        ['SES MESSAGE ID', 'ROLE', 'RECEIVED', 'FROM'],
        j.messageDetails.map((m) => [m.sesMessageId, m.role, minuteUtc(m.receivedAt), m.from]),
      ),
    ),
  );
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export const show: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand('show', args, {}, { min: 1, max: 1, names: 'CASE' });
  const id = caseIdArg('show', positionals[0]);
  const services = await ctx.services(values);
  const c = await loadCase(services, id);
  const revocations = await services.revocation().revocations.list(id);
  const j = caseJson(c, await fullEvidenceOf(services, c), revocations);
  ctx.io.out(values.json ? json(j) : human(j));
  return EXIT.ok;
};
