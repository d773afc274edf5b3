import { describe, expect, test } from 'vitest';
import {
  CASE_SCHEMA_VERSION,
  caseToItem,
  itemToCase,
  itemToNotices,
  StoredCaseUnreadableError,
} from '../../../lambdas/adapters/dynamo/case-item.ts';
import {
  itemToEvent,
  StoredItemUnreadableError,
} from '../../../lambdas/adapters/dynamo/stored-items.ts';
import { sampleCase } from '../../support/case-factory.ts';

describe('itemToCase: the one way a stored case is read', () => {
  test('a written case reads back equal, without the storage attributes', () => {
    const c = { ...sampleCase(), version: 3 };
    const item = caseToItem(c);
    expect(item).toMatchObject({
      pk: `CASE#${c.id}`,
      sk: 'CASE',
      schemaVersion: CASE_SCHEMA_VERSION,
    });
    expect(item.gsi1pk).toBe('OPEN');
    expect(itemToCase(item)).toEqual(c);
  });

  test('a closed case leaves the open index', () => {
    const item = caseToItem({ ...sampleCase(), status: 'closed', closedAt: 'x', closeReason: 'y' });
    expect(item.gsi1pk).toBeUndefined();
  });

  test('an item of another schema version is refused by name, not half-read', () => {
    const item = { ...caseToItem(sampleCase()), schemaVersion: CASE_SCHEMA_VERSION + 1 };
    expect(() => itemToCase(item)).toThrow(StoredCaseUnreadableError);
    const { schemaVersion: _v, ...unversioned } = caseToItem(sampleCase());
    expect(() => itemToCase(unversioned)).toThrow(/schema version undefined/);
  });

  test('an item of another type is not a case', () => {
    expect(() => itemToCase({ ...caseToItem(sampleCase()), itemType: 'message' })).toThrow(
      /is a message item, not a case/,
    );
  });

  test.each([
    ['a status outside the closed set', { status: 'reopened-ish' }, /status/],
    ['a missing deadline', { deadlines: { policyVersion: 'br-2.2' } }, /deadlines/],
    [
      'a notice without history',
      { notices: [{ id: 'reporter', kind: 'reporterReport' }] },
      /notices/,
    ],
    ['a version that is not a count', { version: -1 }, /version/],
  ])('%s is refused with the path that is wrong', (_label, patch, path) => {
    const item = { ...caseToItem(sampleCase()), ...patch };
    expect(() => itemToCase(item)).toThrow(StoredCaseUnreadableError);
    expect(() => itemToCase(item)).toThrow(path);
  });

  test('a notice actor that pretends to be an unknown system actor is refused', () => {
    const c = sampleCase();
    const item = caseToItem(c) as { notices: { actor: string | null }[] };
    item.notices[0]!.actor = 'system:somebody';
    expect(() => itemToCase(item as Record<string, unknown>)).toThrow(/reserved/);
  });

  test('attributes written by a newer version survive a read (and so the next write)', () => {
    const item = { ...caseToItem(sampleCase()), laterField: { kept: true } };
    const read = itemToCase(item) as unknown as Record<string, unknown>;
    expect(read.laterField).toEqual({ kept: true });
    expect(caseToItem(read as never).laterField).toEqual({ kept: true });
  });

  test('projected notices are validated too', () => {
    expect(itemToNotices({ notices: caseToItem(sampleCase()).notices })).toHaveLength(3);
    expect(() => itemToNotices({ notices: [{ id: 1 }] })).toThrow(StoredCaseUnreadableError);
  });
});

describe('audit events read back', () => {
  const event = {
    pk: 'CASE#x',
    sk: 'EVENT#e',
    itemType: 'event',
    caseId: 'x',
    at: '2026-11-27T09:00:00.000Z',
    actor: 'system:intake',
    type: 'received',
    description: 'message received',
    eventId: 'e',
  };

  test('a stored event reads back typed', () => {
    expect(itemToEvent(event)).toMatchObject({ type: 'received', actor: 'system:intake' });
  });

  test('a type outside the closed set is a named error', () => {
    expect(() => itemToEvent({ ...event, type: 'madeUp' })).toThrow(StoredItemUnreadableError);
  });
});
