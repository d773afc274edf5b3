/**
 * `cpr triage CASE... --reason REASON --note TEXT [--sent-elsewhere]`: a person confirms what the
 * case is. Several cases at once dismiss bounces, out-of-office replies and newsletters in one
 * command (`--reason notACpr`). The domain records who, when, the note and what the case was.
 */
import { isTriageReason, TRIAGE_REASONS } from '../../lambdas/domain/revocation/reasons.ts';
import { triageCase } from '../../lambdas/domain/revocation/use-cases.ts';
import { type Command, parseCommand, requiredOption } from '../command.ts';
import { EXIT, UsageError } from '../errors.ts';
import { json, minuteUtc } from '../output.ts';
import { caseIdArg } from './shared.ts';

/** One command dismisses at most this many cases: a typo must not dismiss the whole table. */
export const MAX_CASES_PER_TRIAGE = 500;

export const triage: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'triage',
    args,
    {
      reason: { type: 'string' },
      note: { type: 'string' },
      'sent-elsewhere': { type: 'boolean' },
    },
    { min: 1, max: MAX_CASES_PER_TRIAGE, names: 'CASE' },
  );
  const reason = requiredOption('triage', 'reason', values.reason);
  if (!isTriageReason(reason)) {
    throw new UsageError(`--reason must be one of ${TRIAGE_REASONS.join(', ')}`, 'triage');
  }
  const note = requiredOption('triage', 'note', values.note);
  const ids = positionals.map((p) => caseIdArg('triage', p));
  if (ids.length > 1 && reason !== 'notACpr') {
    throw new UsageError('several cases at once only with --reason notACpr', 'triage');
  }
  const services = await ctx.services(values);
  const actor = await services.actor();
  const needsMail = reason === 'needsInfo' && !values['sent-elsewhere'];
  const deps = {
    ...services.revocation(),
    now: ctx.now,
    mailer: needsMail ? await services.mailer() : null,
    sender: needsMail ? services.sender() : null,
    mailLimits: needsMail ? services.mailLimits() : null,
    replies: needsMail
      ? { messageIds: services.noticeDeps(ctx.now).messageIds, region: services.deployment.region }
      : null,
  };
  const out = [];
  for (const id of ids) {
    const r = await triageCase(
      id,
      { reason, note, actor, infoRequestSentElsewhere: Boolean(values['sent-elsewhere']) },
      deps,
    );
    out.push(r);
    if (!values.json) {
      const t = r.case.triage!;
      ctx.io.out(
        `${id}: triaged as ${t.reason}${t.reasonCode === null ? '' : ` (CRLReason ${t.reasonCode})`} by ${t.by}, was ${t.previous}; revocation due ${minuteUtc(r.case.deadlines.revocation)}; ${r.revocations.length} certificate(s)${r.infoRequestMessageId ? `; information requested (SES message ${r.infoRequestMessageId})` : ''}`,
      );
    }
  }
  if (values.json) {
    ctx.io.out(
      json(
        out.map((r) => ({
          caseId: r.case.id,
          triage: r.case.triage,
          revocationDue: r.case.deadlines.revocation,
          revocations: r.revocations.length,
          infoRequestMessageId: r.infoRequestMessageId,
        })),
      ),
    );
  }
  return EXIT.ok;
};
