/**
 * One revocation obligation per affected certificate: those in the mail, those sharing a proven
 * key (inventory SPKI), those resolved from a serial or fingerprint. A certificate already
 * expired or revoked before the report needs nothing, and says why.
 */
import type { CprCase } from '../case/types.ts';
import { type CertificateEvidence, type Evidence, unparsedIdentifiers } from '../evidence/types.ts';
import type { InventoryQuery, InventoryRecord } from '../inventory/types.ts';
import type { DeadlinePolicy } from '../policy/deadline-policy.ts';
import { HOUR_MS } from '../policy/deadline-policy.ts';
import {
  type CrlReasonName,
  isRevocationReason,
  REVOCATION_TRIAGE_REASONS,
  type RevocationTriageReason,
} from './reasons.ts';
import type { Revocation } from './types.ts';

/** Certificates of one case the clock watches; past this, the case says so and a person splits it. */
export const MAX_REVOCATIONS_PER_CASE = 20_000;

/** The reason the case is triaged with, if it is a revocation reason. */
export function triagedReason(c: CprCase): RevocationTriageReason | null {
  const r = c.triage?.reason;
  return r && isRevocationReason(r) ? r : null;
}

/** The CRLReason the CA must use for this case, or null before triage. */
export function expectedReasonCode(c: CprCase): CrlReasonName | null {
  const r = triagedReason(c);
  return r ? REVOCATION_TRIAGE_REASONS[r] : null;
}

/** The keys this case proves compromised: private keys, and CSRs whose signature verifies. */
export function provenKeys(e: Evidence): { spkiSha256: string; proof: string }[] {
  const out = new Map<string, string>();
  // A key proves compromise only if it signed (forged keys carry `proof: false`).
  for (const k of e.keys) if (k.proof !== false) out.set(k.spkiSha256, 'privateKey');
  for (const r of e.csrs)
    if (r.signatureValid && !out.has(r.spkiSha256)) out.set(r.spkiSha256, 'csr');
  return [...out].map(([spkiSha256, proof]) => ({ spkiSha256, proof }));
}

/** What to ask the inventory: every identifier in the report, and every blocked key of the case. */
export function obligationQuery(e: Evidence, blockedSpkis: readonly string[]): InventoryQuery {
  const { sha256s, serials } = wantedIdentifiers(e);
  return {
    sha256s: [...sha256s],
    serials: [...serials],
    spkiSha256s: [...new Set([...provenKeys(e).map((k) => k.spkiSha256), ...blockedSpkis])],
  };
}

/** Fingerprints and serials of the report, including those of certificates the parser refused. */
function wantedIdentifiers(e: Evidence): { sha256s: Set<string>; serials: Set<string> } {
  const unparsed = unparsedIdentifiers(e);
  return {
    sha256s: new Set([
      ...e.certificates.map((c) => c.sha256),
      ...e.sha256Fingerprints,
      ...unparsed.sha256s,
    ]),
    serials: new Set([...e.certificates.map((c) => c.serial), ...e.serials, ...unparsed.serials]),
  };
}

export interface ObligationInput {
  readonly case: CprCase;
  readonly evidence: Evidence;
  readonly records: readonly InventoryRecord[];
  /** Keys on the blocklist because of this case. */
  readonly blockedSpkis: readonly string[];
  readonly policy: DeadlinePolicy;
  readonly now: Date;
}

/**
 * The due time of a certificate's revocation. Counted from receipt (BR 4.9.1.1); a certificate
 * found only after that deadline passed (imported later, issued on a blocked key) gets the
 * reason's full period from when it was found, rather than a deadline already missed.
 */
export function dueAtFor(c: CprCase, policy: DeadlinePolicy, foundAt: Date): string | null {
  const caseDue = c.deadlines.revocation;
  if (!caseDue) return null;
  if (foundAt.getTime() <= Date.parse(caseDue)) return caseDue;
  const reason = triagedReason(c);
  const hours = reason ? policy.revocationHoursByReason[reason] : policy.untriagedRevocationHours;
  return new Date(foundAt.getTime() + hours * HOUR_MS).toISOString();
}

function notRequiredReason(
  receivedAt: string,
  notAfter: string | null,
  record: InventoryRecord | undefined,
): string | null {
  if (notAfter && Date.parse(notAfter) < Date.parse(receivedAt)) {
    return `expired before the report: notAfter ${notAfter}, report received ${receivedAt}`;
  }
  if (record?.revokedAt && Date.parse(record.revokedAt) < Date.parse(receivedAt)) {
    return `already revoked before the report: revoked ${record.revokedAt}${record.revocationReason ? ` (${record.revocationReason})` : ''}, report received ${receivedAt}`;
  }
  return null;
}

/** Every obligation the case should have, as fresh records (the store keeps existing ones). */
export function obligationsFor(input: ObligationInput): Revocation[] {
  const { evidence: e, records, now } = input;
  const c = input.case;
  const bySha = new Map<
    string,
    { mail?: CertificateEvidence; record?: InventoryRecord; via: string }
  >();
  const { sha256s: wantSha, serials: wantSerial } = wantedIdentifiers(e);
  const wantSpki = new Set([...provenKeys(e).map((k) => k.spkiSha256), ...input.blockedSpkis]);
  for (const m of e.certificates) bySha.set(m.sha256, { mail: m, via: 'mail' });
  for (const r of records) {
    const via = wantSha.has(r.sha256)
      ? 'fingerprint'
      : wantSerial.has(r.serial)
        ? 'serial'
        : wantSpki.has(r.spkiSha256)
          ? 'key'
          : null;
    if (!via) continue;
    const existing = bySha.get(r.sha256);
    bySha.set(r.sha256, existing ? { ...existing, record: r } : { record: r, via });
  }
  const expected = expectedReasonCode(c);
  const out: Revocation[] = [];
  for (const [sha256, { mail, record, via }] of [...bySha].sort(([a], [b]) => a.localeCompare(b))) {
    if (out.length >= MAX_REVOCATIONS_PER_CASE) break;
    const notAfter = mail?.notAfter ?? record?.notAfter ?? null;
    const why = notRequiredReason(c.receivedAt, notAfter, record);
    out.push({
      caseId: c.id,
      certificate: sha256,
      serial: mail?.serial ?? record?.serial ?? null,
      issuer: mail?.issuer ?? record?.issuer ?? null,
      subject: mail?.subject ?? null,
      notBefore: mail?.notBefore ?? record?.notBefore ?? null,
      notAfter,
      dnsNames: mail?.sans ?? [],
      spkiSha256: mail?.spkiSha256 ?? record?.spkiSha256 ?? null,
      pem: record?.pem ?? null,
      reasonCode: expected,
      dueAt: dueAtFor(c, input.policy, now),
      status: why ? 'notRequired' : 'pending',
      via,
      foundAt: now.toISOString(),
      recordedAt: null,
      recordedBy: null,
      recordedReason: null,
      note: null,
      verifiedAt: null,
      checks: [],
      problems: [],
      alertedAt: null,
      notRequiredReason: why,
      version: 0,
    });
  }
  return out;
}
