/**
 * `cpr verify CASE [--json]`: asks each issuer's OCSP responder and CRL now, as a relying party,
 * and prints what they say. A revocation becomes verified only when both agree with the triage.
 */

import { verifyCase } from '../../lambdas/domain/revocation/use-cases.ts';
import { PROBLEM_TEXT } from '../../lambdas/domain/revocation/verdict.ts';
import { type Command, parseCommand } from '../command.ts';
import { EXIT } from '../errors.ts';
import { json, minuteUtc, table } from '../output.ts';
import { caseIdArg } from './shared.ts';
import { revocationsJson } from './show.ts';

export const verify: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'verify',
    args,
    {},
    { min: 1, max: 1, names: 'CASE' },
  );
  const caseId = caseIdArg('verify', positionals[0]);
  const services = await ctx.services(values);
  const checker = await services.checker();
  // The stack's verifier tells the team; this command prints (no one else is alerted from here).
  const r = await verifyCase(caseId, {
    ...services.revocation(),
    now: ctx.now,
    checker,
    notifier: null,
  });
  if (values.json) {
    ctx.io.out(json(revocationsJson(r.revocations)));
    return EXIT.ok;
  }
  ctx.io.out(
    table(
      ['CERTIFICATE', 'SERIAL', 'STATUS', 'OCSP', 'CRL', 'DUE', 'PROBLEMS'],
      r.revocations.map((x) => {
        const ocsp = x.checks.findLast((c) => c.source === 'ocsp');
        const crl = x.checks.findLast((c) => c.source === 'crl');
        return [
          x.certificate,
          x.serial,
          x.status,
          ocsp ? `${ocsp.result}${ocsp.reasonCode === null ? '' : ` (${ocsp.reasonCode})`}` : '-',
          crl ? `${crl.result}${crl.reasonCode === null ? '' : ` (${crl.reasonCode})`}` : '-',
          minuteUtc(x.dueAt),
          x.status === 'notRequired'
            ? (x.notRequiredReason ?? '')
            : x.problems.map((p) => PROBLEM_TEXT[p]).join('; '),
        ];
      }),
    ),
  );
  return EXIT.ok;
};
