import { describe, expect, test } from 'vitest';
import {
  CASE_ITEM_BUDGET,
  fitCaseItem,
  itemBytes,
  MAX_CASE_ITEM_BYTES,
  recentMessages,
} from '../../../lambdas/domain/case/item-budget.ts';
import type { CaseMessage, CprCase, Escalation } from '../../../lambdas/domain/case/types.ts';
import { sampleCase } from '../../support/case-factory.ts';

const message = (i: number, subjectChars = 100): CaseMessage => ({
  sesMessageId: `ses-${i}`,
  receivedAt: new Date(Date.UTC(2026, 10, 27, 9, 0, i)).toISOString(),
  from: `sender-${i}@researcher.example`,
  subject: 'S'.repeat(subjectChars),
  messageIdHeader: `m-${i}@researcher.example`,
  role: i === 0 ? 'report' : 'reply',
  rawKey: `inbound/ses-${i}`,
  evidenceKey: `evidence/C/ses-${i}.json`,
});

describe('recentMessages', () => {
  test('keeps the report and the latest replies within the byte budget, in order', () => {
    const all = Array.from({ length: 1_000 }, (_, i) => message(i, 4_000));
    const kept = recentMessages(all);
    expect(kept[0]?.sesMessageId).toBe('ses-0');
    expect(kept.at(-1)?.sesMessageId).toBe('ses-999');
    expect(itemBytes(kept)).toBeLessThanOrEqual(CASE_ITEM_BUDGET.messagesBytes + 100);
    const ids = kept.slice(1).map((m) => Number(m.sesMessageId.slice(4)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});

describe('fitCaseItem: nothing is refused for size', () => {
  const escalation = (level: Escalation['level'], at: string, open: number): Escalation => ({
    level,
    checkpointAt: at,
    at,
    openObligations: Array.from({ length: open }, (_, i) => ({
      noticeId: `subscriber:admin-${i}@subscriber-${i}.example`,
      dueAt: '2026-11-28T09:00:00.000Z',
    })),
    status: 'sent',
    sentAt: at,
  });

  test('a case that fits is returned unchanged', () => {
    const c = sampleCase();
    expect(fitCaseItem(c)).toBe(c);
  });

  test('a case grown past the limit keeps its status, deadlines and every notice', () => {
    const base = sampleCase();
    const huge: CprCase = {
      ...base,
      messages: Array.from({ length: 200 }, (_, i) => message(i, 4_000)),
      escalations: Array.from({ length: 9 }, (_, i) =>
        escalation(i < 3 ? 'warning' : 'repage', `2026-11-27T${10 + i}:00:00.000Z`, 2_000),
      ),
      affected: Array.from({ length: 500 }, (_, i) => i.toString(16).padStart(64, '0')),
    };
    expect(itemBytes(huge)).toBeGreaterThan(MAX_CASE_ITEM_BYTES);
    const fitted = fitCaseItem(huge);
    expect(fitted).not.toBeNull();
    expect(itemBytes(fitted)).toBeLessThanOrEqual(MAX_CASE_ITEM_BYTES);
    expect(fitted?.status).toBe(base.status);
    expect(fitted?.deadlines).toEqual(base.deadlines);
    expect(fitted?.notices.map((n) => [n.id, n.status, n.dueAt])).toEqual(
      base.notices.map((n) => [n.id, n.status, n.dueAt]),
    );
    expect(fitted?.escalations.map((e) => [e.level, e.checkpointAt, e.status])).toEqual(
      huge.escalations.map((e) => [e.level, e.checkpointAt, e.status]),
    );
    expect(fitted?.messages[0]?.sesMessageId).toBe('ses-0');
  });
});
