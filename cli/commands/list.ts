/**
 * `cpr list [--open]`: cases with their next deadline and open obligations, soonest first.
 * `--open` lists only open cases with a deadline ahead, already in deadline order; without it,
 * every case (both queries are the case store's).
 */
import { nextDeadline } from '../../lambdas/domain/case/build.ts';
import { openObligations } from '../../lambdas/domain/case/notices.ts';
import type { CprCase } from '../../lambdas/domain/case/types.ts';
import { type Command, parseCommand } from '../command.ts';
import { EXIT } from '../errors.ts';
import { few, json, minuteUtc, table } from '../output.ts';

export interface CaseSummary {
  readonly id: string;
  readonly status: CprCase['status'];
  readonly classification: CprCase['classification'];
  readonly receivedAt: string;
  readonly reporter: string | null;
  readonly nextDeadline: string | null;
  readonly revocationDeadline: string | null;
  readonly openObligations: readonly {
    readonly id: string;
    readonly kind: string;
    readonly recipient: string | null;
    readonly status: string;
    readonly dueAt: string | null;
  }[];
}

export function summaryOf(c: CprCase): CaseSummary {
  return {
    id: c.id,
    status: c.status,
    classification: c.classification,
    receivedAt: c.receivedAt,
    reporter: c.reporter,
    nextDeadline: nextDeadline(c),
    revocationDeadline: c.deadlines.revocation,
    openObligations: (c.status === 'open' ? openObligations(c.notices) : []).map((n) => ({
      id: n.id,
      kind: n.kind,
      recipient: n.recipient,
      status: n.status,
      dueAt: n.dueAt,
    })),
  };
}

export const list: Command = async (ctx, args) => {
  const { values } = parseCommand(
    'list',
    args,
    { open: { type: 'boolean' } },
    { min: 0, max: 0, names: '' },
  );
  const services = await ctx.services(values);
  const cases = values.open
    ? await services.cases.listOpenByDeadline()
    : await services.cases.listAll();
  const summaries = cases.map(summaryOf);
  if (values.json) {
    ctx.io.out(json(summaries));
    return EXIT.ok;
  }
  if (summaries.length === 0) {
    ctx.io.out(values.open ? 'No open case has a deadline ahead.' : 'No cases.');
    return EXIT.ok;
  }
  ctx.io.out(
    table(
      [
        'CASE',
        'STATUS',
        'CLASSIFICATION',
        'RECEIVED',
        'NEXT DEADLINE',
        'OPEN OBLIGATIONS',
        'REPORTER',
      ],
      summaries.map((s) => [
        s.id,
        s.status,
        s.classification,
        minuteUtc(s.receivedAt),
        minuteUtc(s.nextDeadline),
        few(s.openObligations.map((o) => o.id)),
        s.reporter,
      ]),
    ),
  );
  return EXIT.ok;
};
