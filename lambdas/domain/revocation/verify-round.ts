/**
 * One round of the scheduled verifier: every recorded revocation of the open cases that is not
 * yet seen from outside is looked at through `checkObligations` (the same checks, records and
 * alert as `cpr verify` and the local stack). A round does bounded work: the revocations looked
 * at least recently go first, the rest wait for the next round. Running a round twice is
 * harmless: each check is recorded, a verified revocation is not looked at again, and the alert
 * is sent once per recording.
 */
import type { RevocationStore, StatusChecker } from './ports.ts';
import type { Revocation } from './types.ts';
import { type CheckDeps, certificateToCheck, checkObligations } from './use-cases.ts';

/**
 * Certificates looked at per round. At the per-host limit of 20 OCSP requests a second, 1,000
 * requests to one responder take 50 s; with one read and one write per certificate the round
 * stays well inside the function's timeout. A mass revocation is worked through over rounds.
 */
export const MAX_CERTIFICATES_PER_ROUND = 1_000;

/** The ids of the open cases (the verifier reads nothing else of them in bulk). */
export interface OpenCaseIds {
  listOpenIds(): Promise<readonly string[]>;
}

export interface VerifyRoundDeps extends CheckDeps {
  readonly openCases: OpenCaseIds;
  readonly revocations: Pick<RevocationStore, 'list' | 'update'>;
}

export interface VerifyRoundLimits {
  readonly maxCertificates: number;
}

export interface VerifyRoundResult {
  /** Cases with a recorded revocation looked at this round. */
  readonly cases: number;
  /** Certificates looked at, and of them now verified and newly alerted. */
  readonly checked: number;
  readonly verified: number;
  readonly alerted: number;
  /** Recorded revocations left for the next round by the per-round limit. */
  readonly deferred: number;
  /** Cases whose checks failed (the others were still checked), with the error. */
  readonly failed: readonly { readonly caseId: string; readonly error: string }[];
}

/** Newest check, or the recording when never checked: the longest-unseen come first. */
function lastLookedAt(r: Revocation): string {
  return r.checks.at(-1)?.at ?? r.recordedAt ?? '';
}

export async function verifyRound(
  deps: VerifyRoundDeps,
  limits: VerifyRoundLimits = { maxCertificates: MAX_CERTIFICATES_PER_ROUND },
): Promise<VerifyRoundResult> {
  const waiting: Revocation[] = [];
  for (const caseId of await deps.openCases.listOpenIds()) {
    for (const r of await deps.revocations.list(caseId)) {
      if (r.status === 'recorded') waiting.push(r);
    }
  }
  waiting.sort(
    (a, b) =>
      lastLookedAt(a).localeCompare(lastLookedAt(b)) ||
      a.caseId.localeCompare(b.caseId) ||
      a.certificate.localeCompare(b.certificate),
  );
  const chosen = waiting.slice(0, limits.maxCertificates);
  const byCase = new Map<string, Revocation[]>();
  for (const r of chosen) byCase.set(r.caseId, [...(byCase.get(r.caseId) ?? []), r]);
  // One look for the whole round: each CRL is downloaded once and every responder sees one
  // stream of requests under its rate limit, however many cases share an issuer.
  const seen = await deps.checker.check(chosen.map(certificateToCheck), deps.now());
  const roundChecker: StatusChecker = {
    check: async (certificates) =>
      new Map(certificates.map((c) => [c.certificate, seen.get(c.certificate) ?? []])),
  };
  let verified = 0;
  let alerted = 0;
  const failed: { caseId: string; error: string }[] = [];
  for (const [caseId, rs] of byCase) {
    try {
      const result = await checkObligations(caseId, rs, { ...deps, checker: roundChecker });
      verified += result.revocations.filter((r) => r.status === 'verified').length;
      alerted += result.alerted.length;
    } catch (error) {
      // One unreadable case must not keep the others from being looked at.
      failed.push({ caseId, error: (error as Error).message });
    }
  }
  return {
    cases: byCase.size,
    checked: chosen.length,
    verified,
    alerted,
    deferred: waiting.length - chosen.length,
    failed,
  };
}
