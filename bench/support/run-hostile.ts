/**
 * The measured process of `npm run bench:hostile`: runs the intake handler once per crafted
 * mail, with the time budget the deployed function has (its timeout), and prints one JSON line:
 * per mail, the wall time, the case's outcome and whether extraction was truncated.
 */
import { readFile } from 'node:fs/promises';
import { s3Client } from '../../lambdas/adapters/aws-clients.ts';
import { TIME_BUDGET_PROBLEM } from '../../lambdas/domain/evidence/extract.ts';
import { readIntakeConfig } from '../../lambdas/intake/config.ts';
import { intakeDeps, intakeSettings } from '../../lambdas/intake/deps.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { deliverInbound } from '../../local/inbound.ts';

const [budgetArg, ...emlPaths] = process.argv.slice(2);
const budgetMs = Number(budgetArg);
const config = readIntakeConfig();
const deps = intakeDeps(config);
const s3 = s3Client();
const inbound = { bucket: config.inboundBucket, prefix: config.inboundPrefix };

const runs: unknown[] = [];
for (const [i, path] of emlPaths.entries()) {
  const raw = await readFile(path);
  const messageId = `hostile${Date.now()}${i}`;
  const event = await deliverInbound(s3, inbound, raw, {
    messageId,
    timestamp: new Date(),
    source: 'mallory@attacker.example',
    destination: ['cpr@ca.example'],
  });
  (globalThis as { gc?: () => void }).gc?.();
  const t = performance.now();
  // As in Lambda: the deadline is now plus the remaining time, here the whole timeout.
  const [result] = await handleSesEvent(
    event,
    { deps, settings: intakeSettings(config), inboundPrefix: config.inboundPrefix },
    new Date(deps.now().getTime() + budgetMs),
  );
  const ms = performance.now() - t;
  const c = result?.caseId ? await deps.cases.get(result.caseId) : null;
  runs.push({
    path,
    bytes: raw.length,
    ms,
    outcome: result?.outcome,
    truncated: c?.evidence.problems.includes(TIME_BUDGET_PROBLEM) ?? false,
    problems: c?.evidence.problems.slice(0, 3) ?? [],
  });
}
process.stdout.write(`${JSON.stringify({ runs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
process.exit(0);
