/** `cpr close CASE --reason TEXT`: closes the case (its clock stops escalating) with an audit event. */
import { closeCase } from '../../lambdas/domain/case/notice-transitions.ts';
import { openObligations } from '../../lambdas/domain/case/notices.ts';
import { type Command, parseCommand, requiredOption } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';
import { json, minuteUtc } from '../output.ts';
import { caseIdArg, loadCase } from './shared.ts';

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
  const current = await loadCase(services, caseId);
  if (current.status === 'closed') {
    throw new CliError(
      `case ${caseId} is already closed (${minuteUtc(current.closedAt)}: ${current.closeReason ?? 'no reason'})`,
    );
  }
  const actor = await services.actor();
  const at = ctx.now().toISOString();
  const closed = await services.cases.updateCase(caseId, (c) => closeCase(c, at, reason));
  if (closed.closedAt !== at || closed.closeReason !== reason) {
    throw new CliError(
      `case ${caseId} was closed by someone else meanwhile: ${closed.closeReason ?? ''}`,
    );
  }
  const stillOpen = openObligations(current.notices).map((n) => n.id);
  await services.cases.appendEvents([
    {
      caseId,
      at: closed.closedAt ?? at,
      actor,
      type: 'closed',
      eventId: `${caseId}:closed`,
      description: `case closed: ${reason}${stillOpen.length > 0 ? ` (obligations still open: ${stillOpen.join(', ')})` : ''}`,
    },
  ]);
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
