/**
 * The cases: every read, query and write of a case item goes through here (and through
 * `case-item.ts` for the conversion). The CLI, the canary and the local stack list cases with
 * these queries; nothing else touches the openByDeadline index.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { nextDeadline } from '../../domain/case/build.ts';
import { openObligations } from '../../domain/case/notices.ts';
import type { CprCase } from '../../domain/case/types.ts';
import type { OpenCaseCounts, OpenCases } from '../../domain/ports/canary.ts';
import {
  CaseChangedConcurrentlyError,
  CaseNotFoundError,
  type CaseStore,
} from '../../domain/ports/case-store.ts';
import { caseToItem, itemToCase, itemToNotices } from './case-item.ts';
import { keys, OPEN_INDEX_PARTITION } from './keys.ts';
import { CASES_TABLE_SCHEMA } from './schema.ts';
import { TableItems } from './table-items.ts';

/** Optimistic-lock retries before giving up (the async Lambda retry then takes over). */
export const MAX_UPDATE_ATTEMPTS = 8;

/**
 * One page of the index is 1 MB; 50 pages are tens of thousands of open cases, far beyond a
 * working CA. A bounded count that says so beats a canary that times out.
 */
export const MAX_OPEN_CASE_PAGES = 50;

export class TooManyOpenCasesError extends Error {
  override readonly name = 'TooManyOpenCasesError';
}

type Key = Record<string, unknown> | undefined;

export class DynamoCaseStore extends TableItems implements CaseStore, OpenCases {
  async get(id: string): Promise<CprCase | null> {
    const item = await this.getItem(keys.case(id));
    return item ? itemToCase(item) : null;
  }

  async create(c: CprCase): Promise<{ created: boolean; stored: CprCase }> {
    const first = { ...c, version: 1 };
    if (await this.putIf(caseToItem(first))) return { created: true, stored: first };
    const stored = await this.get(c.id);
    if (!stored) throw new Error(`case ${c.id}: refused as existing, but not found`);
    return { created: false, stored };
  }

  async update(
    id: string,
    change: (current: CprCase) => CprCase | null | Promise<CprCase | null>,
  ): Promise<CprCase> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.get(id);
      if (!current) throw new CaseNotFoundError(`case ${id} does not exist`);
      const next = await change(current);
      if (next === null) return current;
      const written = { ...next, version: current.version + 1 };
      if (await this.putAtVersion(caseToItem(written), current.version)) return written;
    }
    throw new CaseChangedConcurrentlyError(
      `case ${id} was changed by another writer on each of ${MAX_UPDATE_ATTEMPTS} attempts`,
    );
  }

  /** Open cases with a deadline ahead, soonest first (the index's sort key is `${deadline}#${id}`). */
  async listOpenByDeadline(): Promise<CprCase[]> {
    const cases: CprCase[] = [];
    let start: Key;
    do {
      const out = await this.queryOpen({ start });
      cases.push(...(out.Items ?? []).map(itemToCase));
      start = out.LastEvaluatedKey;
    } while (start);
    return cases;
  }

  /** Every case, sorted by next deadline (none last), then by receipt time. */
  async listAll(): Promise<CprCase[]> {
    const cases: CprCase[] = [];
    let start: Key;
    do {
      const out = await this.db.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'itemType = :case',
          ExpressionAttributeValues: { ':case': 'case' },
          ExclusiveStartKey: start,
        }),
      );
      cases.push(...(out.Items ?? []).map(itemToCase));
      start = out.LastEvaluatedKey;
    } while (start);
    const key = (c: CprCase) => nextDeadline(c) ?? '\uffff';
    return cases.sort(
      (a, b) => key(a).localeCompare(key(b)) || a.receivedAt.localeCompare(b.receivedAt),
    );
  }

  /**
   * Counts the open cases and the preliminary-report obligations still owed in them, reading
   * only the notices of each (the canary's dashboard numbers).
   * @throws TooManyOpenCasesError past MAX_OPEN_CASE_PAGES pages
   */
  async countOpenObligations(): Promise<OpenCaseCounts> {
    let cases = 0;
    let obligations = 0;
    let start: Key;
    for (let page = 0; page < MAX_OPEN_CASE_PAGES; page += 1) {
      const out = await this.queryOpen({ start, project: 'notices' });
      for (const item of out.Items ?? []) {
        cases += 1;
        obligations += openObligations(itemToNotices(item)).length;
      }
      start = out.LastEvaluatedKey;
      if (!start) return { cases, obligations };
    }
    throw new TooManyOpenCasesError(`more than ${MAX_OPEN_CASE_PAGES} pages of open cases`);
  }

  /**
   * The ids of the open cases, soonest deadline first, reading only the id of each.
   * @throws TooManyOpenCasesError past MAX_OPEN_CASE_PAGES pages
   */
  async listOpenIds(): Promise<readonly string[]> {
    const ids: string[] = [];
    let start: Key;
    for (let page = 0; page < MAX_OPEN_CASE_PAGES; page += 1) {
      const out = await this.queryOpen({ start, project: 'id' });
      for (const item of out.Items ?? []) ids.push(String(item.id));
      start = out.LastEvaluatedKey;
      if (!start) return ids;
    }
    throw new TooManyOpenCasesError(`more than ${MAX_OPEN_CASE_PAGES} pages of open cases`);
  }

  private queryOpen(options: { readonly start: Key; readonly project?: 'notices' | 'id' }) {
    const index = CASES_TABLE_SCHEMA.openByDeadlineIndex;
    return this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :open',
        ExpressionAttributeNames: {
          '#pk': index.partitionKey,
          ...(options.project ? { '#p': options.project } : {}),
        },
        ExpressionAttributeValues: { ':open': OPEN_INDEX_PARTITION },
        ...(options.project ? { ProjectionExpression: '#p' } : {}),
        ScanIndexForward: true,
        ExclusiveStartKey: options.start,
      }),
    );
  }
}
