/**
 * When a revocation counts as done. The draft ballot "Improve CPRs and Clarify the Meaning of
 * Revocation" (cabforum/servercert PR 622) says a certificate is revoked when a CRL at its CDP
 * lists the serial *and* OCSP answers revoked; a relying party sees nothing else. So a
 * revocation is verified only when both say so, OCSP with the reason that triage confirmed.
 */
import { CRL_REASON_CODES, type CrlReasonName } from './reasons.ts';
import type { RevocationCheck, VerifyProblem } from './types.ts';

export type Verdict =
  | { readonly verified: true; readonly problems: readonly [] }
  | { readonly verified: false; readonly problems: readonly VerifyProblem[] };

/**
 * Judges one round of checks (the newest OCSP answer and the newest CRL look-up). `expected` is
 * the triaged reason; when it is null (not triaged yet) any revocation reason is accepted, since
 * the case has not said which one is due.
 */
export function judge(checks: readonly RevocationCheck[], expected: CrlReasonName | null): Verdict {
  const ocsp = checks.findLast((c) => c.source === 'ocsp');
  const crl = checks.findLast((c) => c.source === 'crl');
  const problems: VerifyProblem[] = [];
  if (!ocsp || ocsp.result === 'error') problems.push('ocspError');
  else if (ocsp.result === 'good') problems.push('ocspGood');
  else if (ocsp.result === 'unknown') problems.push('ocspUnknown');
  else if (expected !== null && (ocsp.reasonCode ?? 0) !== CRL_REASON_CODES[expected])
    problems.push('wrongReason');
  if (!crl || crl.result === 'error' || crl.result === 'unknown') problems.push('crlError');
  else if (crl.result === 'good') problems.push('notOnCrl');
  else if (
    expected !== null &&
    (crl.reasonCode ?? 0) !== CRL_REASON_CODES[expected] &&
    !problems.includes('wrongReason')
  )
    problems.push('wrongReason');
  return problems.length === 0 ? { verified: true, problems: [] } : { verified: false, problems };
}

/** What each problem means, for the people reading an alert. */
export const PROBLEM_TEXT: Readonly<Record<VerifyProblem, string>> = {
  ocspGood: 'OCSP still answers good',
  ocspUnknown: 'OCSP answers unknown (wrong responder or issuer?)',
  ocspError: 'OCSP gave no usable answer',
  wrongReason: 'revoked with a different reason code than triaged',
  notOnCrl: 'the serial is not on the current CRL',
  crlError: 'no current, correctly signed CRL',
};
