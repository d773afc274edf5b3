/** `cpr close CASE --reason TEXT`: closes the case (its clock stops escalating) with an audit event. */
import { CaseCloseRefusedError, closeCase } from '../../lambdas/domain/case/close-case.ts';
import { type Command, parseCommand, requiredOption } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';
import { json, minuteUtc } from '../output.ts';
import { caseIdArg } from './shared.ts';

export const close: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'close',
    args,
    { reason: { type: 'string' } },
    {
      min: 1,
      max: 1,
      names: 'CASE',
    },
  );
  const caseId = caseIdArg('close', positionals[0]);
  const reason = requiredOption('close', 'reason', values.reason);
  const services = await ctx.services(values);
  const actor = await services.actor();
  let result: Awaited<ReturnType<typeof closeCase>>;
  try {
    result = await closeCase(
      caseId,
      { reason, actor },
      { cases: services.cases, audit: services.audit, now: ctx.now },
    );
  } catch (error) {
    if (error instanceof CaseCloseRefusedError) throw new CliError(error.message);
    throw error;
  }
  const { closed, stillOpen } = result;
  if (values.json) {
    ctx.io.out(
      json({
        caseId,
        status: closed.status,
        closedAt: closed.closedAt,
        closeReason: closed.closeReason,
        openObligations: stillOpen,
      }),
    );
  } else {
    ctx.io.out(`${caseId}: closed at ${minuteUtc(closed.closedAt)} by ${actor}`);
    if (stillOpen.length > 0) {
      ctx.io.out(
        `warning: obligations still open and no longer escalated: ${stillOpen.join(', ')}`,
      );
    }
  }
  return EXIT.ok;
};
