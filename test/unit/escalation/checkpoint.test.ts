import { describe, expect, test } from 'vitest';
import { personActor } from '../../../lambdas/domain/audit/events.ts';
import { markClosed } from '../../../lambdas/domain/case/close-case.ts';
import { markNoticeSent } from '../../../lambdas/domain/case/notice-transitions.ts';
import {
  evaluateCheckpoint,
  nextCheckpoint,
  recordEscalationPending,
  recordEscalationSent,
} from '../../../lambdas/domain/escalation/checkpoint.ts';
import { sampleCase } from '../../support/case-factory.ts';

const sent = (id: string) => ({
  at: '2026-11-27T10:00:00.000Z',
  actor: personActor('alice'),
  channel: 'email',
  messageId: id,
  note: null,
});
const at12 = new Date('2026-11-27T21:00:00.000Z');

describe('checkpoints', () => {
  test('the first checkpoint is the 12 h warning', () => {
    expect(nextCheckpoint(sampleCase(), -1)).toEqual({
      index: 0,
      level: 'warning',
      at: '2026-11-27T21:00:00.000Z',
    });
  });

  test('with every obligation met nothing escalates and the clock is done', () => {
    let c = markNoticeSent(sampleCase(), 'reporter', sent('a'))!;
    c = markNoticeSent(c, 'subscriber:rsa-admin@subscriber.example', sent('b'))!;
    expect(evaluateCheckpoint(c, c.deadlines.checkpoints[0]!, at12)).toEqual({
      action: 'none',
      why: 'obligationsMet',
    });
    expect(nextCheckpoint(c, -1)).toBeNull();
  });

  test('an open subscriber obligation escalates, naming it and its deadline', () => {
    const c = markNoticeSent(sampleCase(), 'reporter', sent('a'))!;
    const d = evaluateCheckpoint(c, c.deadlines.checkpoints[0]!, at12);
    expect(d.action).toBe('escalate');
    if (d.action !== 'escalate') return;
    expect(d.escalation.openObligations).toEqual([
      { noticeId: 'subscriber:rsa-admin@subscriber.example', dueAt: '2026-11-28T09:00:00.000Z' },
    ]);
  });

  test('a checkpoint escalated once is skipped, also after a restart', () => {
    const c0 = sampleCase();
    const d = evaluateCheckpoint(c0, c0.deadlines.checkpoints[0]!, at12);
    if (d.action !== 'escalate') throw new Error('expected an escalation');
    const pending = recordEscalationPending(c0, d.escalation)!;
    expect(recordEscalationPending(pending, d.escalation)).toBeNull();
    const done = recordEscalationSent(
      pending,
      'warning',
      d.escalation.checkpointAt,
      '2026-11-27T21:00:01.000Z',
    )!;
    expect(evaluateCheckpoint(done, done.deadlines.checkpoints[0]!, at12)).toEqual({
      action: 'none',
      why: 'alreadySent',
    });
    expect(nextCheckpoint(done, -1)?.level).toBe('page');
  });

  test('a pending (unconfirmed) escalation is sent again rather than lost', () => {
    const c0 = sampleCase();
    const d = evaluateCheckpoint(c0, c0.deadlines.checkpoints[0]!, at12);
    if (d.action !== 'escalate') throw new Error('expected an escalation');
    const pending = recordEscalationPending(c0, d.escalation)!;
    expect(evaluateCheckpoint(pending, pending.deadlines.checkpoints[0]!, at12).action).toBe(
      'escalate',
    );
    expect(nextCheckpoint(pending, -1)?.level).toBe('warning');
  });

  test('a closed case stops the clock', () => {
    const c = markClosed(sampleCase(), '2026-11-27T12:00:00.000Z', 'not a CPR')!;
    expect(evaluateCheckpoint(c, c.deadlines.checkpoints[1]!, at12)).toEqual({
      action: 'none',
      why: 'closed',
    });
    expect(nextCheckpoint(c, -1)).toBeNull();
  });

  test('too early is not due', () => {
    const c = sampleCase();
    expect(
      evaluateCheckpoint(c, c.deadlines.checkpoints[0]!, new Date('2026-11-27T20:59:59.000Z')),
    ).toEqual({
      action: 'none',
      why: 'notDue',
    });
  });
});

describe('escalation routes', () => {
  test('warnings go to the escalation list, pages and breaches to the pager, breaches also to the team', async () => {
    const { escalationRoutes } = await import('../../../lambdas/domain/escalation/checkpoint.ts');
    expect(escalationRoutes('warning', 'keyCompromise')).toEqual(['escalation']);
    expect(escalationRoutes('page', 'misissuance')).toEqual(['pager']);
    expect(escalationRoutes('breach', 'other')).toEqual(['pager', 'team']);
    expect(escalationRoutes('repage', 'unparsed')).toEqual(['pager']);
  });

  test('a case classified notACpr never pages, but still escalates', async () => {
    const { escalationRoutes } = await import('../../../lambdas/domain/escalation/checkpoint.ts');
    for (const level of ['warning', 'page', 'breach', 'repage'] as const) {
      expect(escalationRoutes(level, 'notACpr')).toEqual(['escalation']);
    }
  });
});
