/**
 * The local stand-in for the scheduled verifier: every few seconds of real time, each open case's
 * recorded revocations are looked at from outside (OCSP and CRL of the issuers in CPR_ISSUERS),
 * verified ones are marked, and one still visible as good alerts the team at once.
 */
import { readFile } from 'node:fs/promises';
import { RelyingPartyChecker } from '../lambdas/adapters/revocation/checker.ts';
import { revocationIssuers } from '../lambdas/adapters/revocation/issuers.ts';
import type { ClockTaskDeps } from '../lambdas/clock/tasks.ts';
import { verifyCase } from '../lambdas/domain/revocation/use-cases.ts';

/** Real seconds between rounds: soon enough to look "at once", polite to a local responder. */
export const LOCAL_VERIFY_INTERVAL_MS = 5_000;

export async function startLocalVerifier(
  issuersFile: string,
  deps: ClockTaskDeps,
  openCases: () => readonly string[],
  log: (line: string) => void,
): Promise<{ stop(): void }> {
  const issuers = revocationIssuers(await readFile(issuersFile, 'utf8'));
  const checker = new RelyingPartyChecker({ issuers });
  const revocation = deps.revocation;
  if (!revocation) throw new Error('the local verifier needs the revocation storage');
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      for (const caseId of openCases()) {
        const pending = (await revocation.revocations.list(caseId)).some(
          (r) => r.status === 'recorded',
        );
        if (!pending) continue;
        const r = await verifyCase(caseId, { ...revocation, checker, notifier: deps.notifier });
        const verified = r.revocations.filter((x) => x.status === 'verified').length;
        log(
          `[verify] ${caseId}: ${verified}/${r.revocations.length} verified${r.alerted.length ? `, ${r.alerted.length} not visible (team alerted)` : ''}`,
        );
      }
    } catch (error) {
      log(`[verify] round failed: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void round(), LOCAL_VERIFY_INTERVAL_MS);
  timer.unref();
  log(
    `revocation checks: ${issuers.length} issuer(s) from ${issuersFile}, every ${LOCAL_VERIFY_INTERVAL_MS / 1000} s`,
  );
  return { stop: () => clearInterval(timer) };
}
