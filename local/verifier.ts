/**
 * The local stand-in for the scheduled verifier: every few seconds of real time, one round of the
 * verifier (`verifyRound`, as in AWS) looks at the open cases' recorded revocations from outside
 * (OCSP and CRL of the issuers in CPR_ISSUERS); one still visible as good alerts the team at once.
 */
import { readFile } from 'node:fs/promises';
import { RelyingPartyChecker } from '../lambdas/adapters/revocation/checker.ts';
import { revocationIssuers } from '../lambdas/adapters/revocation/issuers.ts';
import type { ClockTaskDeps } from '../lambdas/clock/tasks.ts';
import { verifyRound } from '../lambdas/domain/revocation/verify-round.ts';

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
      // The same round as the scheduled verifier in AWS; the open cases are the running clocks.
      const r = await verifyRound({
        ...revocation,
        openCases: { listOpenIds: async () => openCases() },
        checker,
        notifier: deps.notifier,
      });
      if (r.checked > 0) {
        log(
          `[verify] ${r.checked} recorded revocation(s) in ${r.cases} case(s): ${r.verified} verified${r.alerted ? `, ${r.alerted} not visible (team alerted)` : ''}${r.deferred ? `, ${r.deferred} left for the next round` : ''}`,
        );
      }
      for (const f of r.failed) log(`[verify] ${f.caseId} failed: ${f.error}`);
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
