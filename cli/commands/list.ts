/**
 * `cpr list [--open]`: cases with their next deadline and open obligations, soonest first.
 * `--open` reads the openByDeadline index (only open cases with a deadline ahead, already in
 * deadline order); without it the whole table is scanned for case items.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { OPEN_INDEX_PARTITION } from '../../lambdas/adapters/dynamo/keys.ts';
import { CASES_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
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
import type { Services } from '../services.ts';

/** Attributes of the item that are storage keys, not part of the case. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'itemType'] as const;

function toCase(item: Record<string, unknown>): CprCase {
  const copy: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  return copy as unknown as CprCase;
}

/** Open cases with a deadline ahead, soonest first (the GSI's sort key is `${deadline}#${id}`). */
export async function openCasesByDeadline(services: Services): Promise<CprCase[]> {
  const index = CASES_TABLE_SCHEMA.openByDeadlineIndex;
  const cases: CprCase[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await services.db.send(
      new QueryCommand({
        TableName: services.deployment.casesTable,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :open',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':open': OPEN_INDEX_PARTITION },
        ScanIndexForward: true,
        ExclusiveStartKey: start,
      }),
    );
    cases.push(...(out.Items ?? []).map(toCase));
    start = out.LastEvaluatedKey;
  } while (start);
  return cases;
}

/** Every case, sorted by next deadline (none last), then by receipt time. */
export async function allCases(services: Services): Promise<CprCase[]> {
  const cases: CprCase[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await services.db.send(
      new ScanCommand({
        TableName: services.deployment.casesTable,
        FilterExpression: 'itemType = :case',
        ExpressionAttributeValues: { ':case': 'case' },
        ExclusiveStartKey: start,
      }),
    );
    cases.push(...(out.Items ?? []).map(toCase));
    start = out.LastEvaluatedKey;
  } while (start);
  const key = (c: CprCase) => nextDeadline(c) ?? '\uffff';
  return cases.sort(
    (a, b) => key(a).localeCompare(key(b)) || a.receivedAt.localeCompare(b.receivedAt),
  );
}

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
  const cases = values.open ? await openCasesByDeadline(services) : await allCases(services);
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
        obligationsText(s.openObligations),
        s.reporter,
      ]),
    ),
  );
  return EXIT.ok;
};
