/**
 * `cpr list [--open]`: cases with their next deadline and open obligations, soonest first.
 * `--open` lists only open cases with a deadline ahead, already in deadline order; without it,
 * every case (both queries are the case store's).
 */
import { nextDeadline } from '../../lambdas/domain/case/build.ts';
import { openObligations } from '../../lambdas/domain/case/notices.ts';
import type { CprCase } from '../../lambdas/domain/case/types.ts';
import {
  dismissed,
  openRevocations as openRevocationsOf,
  triageOwed,
} from '../../lambdas/domain/escalation/checkpoint.ts';
import type { Revocation } from '../../lambdas/domain/revocation/types.ts';
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

export function summaryOf(c: CprCase, revocations: readonly Revocation[] = []): CaseSummary {
  const openRevs = c.status === 'open' && !dismissed(c) ? openRevocationsOf(c, revocations) : [];
  return {
    id: c.id,
    status: c.status,
    classification: c.classification,
    receivedAt: c.receivedAt,
    reporter: c.reporter,
    nextDeadline: nextDeadline(c),
    revocationDeadline: c.deadlines.revocation,
    openObligations: [
      ...(c.status === 'open' && !dismissed(c) ? openObligations(c.notices) : []).map((n) => ({
        id: n.id,
        kind: n.kind as string,
        recipient: n.recipient,
        status: n.status as string,
        dueAt: n.dueAt,
      })),
      ...(triageOwed(c)
        ? [
            {
              id: 'triage',
              kind: 'triage',
              recipient: null,
              status: 'pending',
              dueAt: c.deadlines.triage ?? null,
            },
          ]
        : []),
      ...openRevs.map((r) => ({
        id: `revocation:${r.certificate}`,
        kind: 'revocation',
        recipient: null,
        status: r.status,
        dueAt: r.dueAt,
      })),
    ],
  };
}

/** Notices and triage by id; revocations counted (a mass report has thousands). */
function obligationsText(open: CaseSummary['openObligations']): string {
  const revs = open.filter((o) => o.kind === 'revocation');
  const others = open.filter((o) => o.kind !== 'revocation').map((o) => o.id);
  const unverified = revs.filter((r) => r.status === 'recorded').length;
  if (revs.length > 0) {
    others.push(
      `${revs.length} revocation(s)${unverified > 0 ? ` (${unverified} recorded, not verified)` : ''}`,
    );
  }
  return few(others);
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
  // The revocation obligations are items of their own: read for the cases shown as open.
  const store = services.revocation().revocations;
  const summaries = await Promise.all(
    cases.map(async (c) => summaryOf(c, c.status === 'open' ? await store.list(c.id) : [])),
  );
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
      // biome-ignore format: a long list of names, packed to read as one block
      [
        'CASE', 'STATUS', 'CLASSIFICATION', 'RECEIVED', 'NEXT DEADLINE', 'OPEN OBLIGATIONS',
        'REPORTER',
      ],
      summaries.map((s) => [
        s.id,
        s.status,
        s.classification,
        minuteUtc(s.receivedAt),
        minuteUtc(s.nextDeadline),
        obligationsText(s.openObligations),
        s.reporter,
      ]),
    ),
  );
  return EXIT.ok;
};
