/** The canary's decisions: which problems, which of them the team hears about, which numbers. */
import { describe, expect, test } from 'vitest';
import {
  assessCanary,
  type CanaryObservation,
  type CanarySettings,
  describeProblem,
} from '../../../lambdas/domain/canary/assess.ts';
import type { Heartbeat } from '../../../lambdas/domain/canary/token.ts';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const SETTINGS: CanarySettings = {
  expectedRuleSet: 'CprIntake-inbound',
  intervalMinutes: 15,
  region: 'eu-west-1',
};

function heartbeat(minutesAgo: number): Heartbeat {
  const receivedAt = new Date(NOW.getTime() - minutesAgo * 60_000);
  return {
    receivedAt: receivedAt.toISOString(),
    sentAt: new Date(receivedAt.getTime() - 4_000).toISOString(),
    sesMessageId: 'ses-canary-1',
    latencyMs: 4_000,
  };
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const failed = (error: string) => ({ ok: false as const, error });
const subscribed = ok({ confirmed: 1, pending: 0 });

/** A healthy run: everything as it should be. */
function healthy(overrides: Partial<CanaryObservation> = {}): CanaryObservation {
  return {
    sent: ok({ messageId: 'ses-out-1' }),
    activeRuleSet: ok('CprIntake-inbound'),
    subscriptions: { team: subscribed, escalation: subscribed, pager: subscribed },
    heartbeat: ok(heartbeat(15)),
    openCases: ok({ cases: 3, obligations: 5 }),
    ...overrides,
  };
}

/** The canary's view of a healthy stack but for the topics' subscriptions. */
const withSubscriptions = (
  team: CanaryObservation['subscriptions']['team'],
  escalation: CanaryObservation['subscriptions']['escalation'],
  pager: CanaryObservation['subscriptions']['pager'],
) => assessCanary(healthy({ subscriptions: { team, escalation, pager } }), SETTINGS, NOW);

describe('assessCanary: a healthy path', () => {
  test('has no problem, tells nobody, and publishes every number', () => {
    const a = assessCanary(healthy(), SETTINGS, NOW);
    expect(a.problems).toEqual([]);
    expect(a.alert).toBeNull();
    expect(a.metrics).toEqual({
      CanarySent: 1,
      ReceiptRuleSetActive: 1,
      PendingSubscriptions: 0,
      AlertTopicsWithoutSubscriber: 0,
      CanaryHeartbeatAgeSeconds: 900,
      OpenCases: 3,
      OpenObligations: 5,
      CanaryCheckFailures: 0,
    });
  });

  test('a heartbeat exactly two intervals old is not stale yet', () => {
    const a = assessCanary(healthy({ heartbeat: ok(heartbeat(30)) }), SETTINGS, NOW);
    expect(a.problems).toEqual([]);
  });
});

describe('assessCanary: the receipt rule set', () => {
  test('another active rule set is reported to the team with the command that fixes it', () => {
    const a = assessCanary(healthy({ activeRuleSet: ok('default-rule-set') }), SETTINGS, NOW);
    expect(a.problems).toEqual([
      { kind: 'ruleSetInactive', expected: 'CprIntake-inbound', active: 'default-rule-set' },
    ]);
    expect(a.metrics.ReceiptRuleSetActive).toBe(0);
    expect(a.alert?.subject).toBe('CPR intake self-test: 1 problem needs attention');
    expect(a.alert?.message).toContain(
      'aws ses set-active-receipt-rule-set --rule-set-name CprIntake-inbound --region eu-west-1',
    );
    expect(a.alert?.message).toContain('(active: "default-rule-set")');
  });

  test('no active rule set at all is the same problem', () => {
    const a = assessCanary(healthy({ activeRuleSet: ok(null) }), SETTINGS, NOW);
    expect(a.problems).toEqual([
      { kind: 'ruleSetInactive', expected: 'CprIntake-inbound', active: null },
    ]);
    expect(a.alert?.message).toContain('(active: none)');
  });

  test('without a region (local stack) the command has no --region', () => {
    const a = assessCanary(
      healthy({ activeRuleSet: ok(null) }),
      { ...SETTINGS, region: null },
      NOW,
    );
    expect(a.alert?.message).toMatch(/--rule-set-name CprIntake-inbound\n/);
  });
});

describe('assessCanary: subscriptions', () => {
  test('a pending subscription is reported per topic and counted', () => {
    const a = withSubscriptions(
      ok({ confirmed: 1, pending: 1 }),
      subscribed,
      ok({ confirmed: 2, pending: 2 }),
    );
    expect(a.problems).toEqual([
      { kind: 'subscriptionsPending', topic: 'team', pending: 1 },
      { kind: 'subscriptionsPending', topic: 'pager', pending: 2 },
    ]);
    expect(a.metrics.PendingSubscriptions).toBe(3);
    expect(a.alert?.subject).toBe('CPR intake self-test: 2 problems need attention');
    expect(a.alert?.message).toContain('1 subscription of the team topic is still pending');
    expect(a.alert?.message).toContain('2 subscriptions of the pager topic are still pending');
    expect(a.alert?.message).toContain('a mistyped address never confirms');
  });

  test('a topic whose only subscription is pending has no confirmed one either', () => {
    const a = withSubscriptions(subscribed, subscribed, ok({ confirmed: 0, pending: 1 }));
    expect(a.problems).toEqual([
      { kind: 'subscriptionsPending', topic: 'pager', pending: 1 },
      { kind: 'noConfirmedSubscription', topic: 'pager' },
    ]);
    expect(a.metrics.AlertTopicsWithoutSubscriber).toBe(1);
    expect(a.alert?.message).toContain('The pager topic has no confirmed subscription');
  });

  test('a failed count publishes no total (a partial sum would look like "all clear")', () => {
    const a = withSubscriptions(subscribed, failed('AccessDenied: no'), subscribed);
    expect(a.metrics.PendingSubscriptions).toBeUndefined();
    expect(a.metrics.AlertTopicsWithoutSubscriber).toBeUndefined();
    expect(a.problems).toEqual([
      { kind: 'checkFailed', check: 'subscriptions:escalation', error: 'AccessDenied: no' },
    ]);
    expect(a.metrics.CanaryCheckFailures).toBe(1);
  });
});

describe('assessCanary: the heartbeat', () => {
  test('a missing heartbeat is stale, publishes no age (the alarm breaches on missing data)', () => {
    const a = assessCanary(healthy({ heartbeat: ok(null) }), SETTINGS, NOW);
    expect(a.problems).toEqual([{ kind: 'heartbeatStale', ageSeconds: null }]);
    expect(a.metrics.CanaryHeartbeatAgeSeconds).toBeUndefined();
  });

  test('a heartbeat older than two intervals is stale, but goes to the pager, not the team', () => {
    const a = assessCanary(healthy({ heartbeat: ok(heartbeat(47)) }), SETTINGS, NOW);
    expect(a.problems).toEqual([{ kind: 'heartbeatStale', ageSeconds: 2820 }]);
    expect(a.metrics.CanaryHeartbeatAgeSeconds).toBe(2820);
    expect(a.alert).toBeNull();
  });

  test('is mentioned for context when the team is told anyway', () => {
    const a = assessCanary(
      healthy({ heartbeat: ok(heartbeat(47)), activeRuleSet: ok(null) }),
      SETTINGS,
      NOW,
    );
    expect(a.alert?.message).toContain('Also seen in this run:');
    expect(a.alert?.message).toContain('The last canary mail arrived 47 minutes ago');
  });

  test('a heartbeat from a clock slightly ahead never publishes a negative age', () => {
    const a = assessCanary(healthy({ heartbeat: ok(heartbeat(-0.1)) }), SETTINGS, NOW);
    expect(a.metrics.CanaryHeartbeatAgeSeconds).toBe(0);
  });
});

describe('assessCanary: checks that could not run', () => {
  test('a failed send counts 0 sent and is a failed check, not a team alert', () => {
    const a = assessCanary(healthy({ sent: failed('MessageRejected: x') }), SETTINGS, NOW);
    expect(a.metrics.CanarySent).toBe(0);
    expect(a.problems).toEqual([
      { kind: 'checkFailed', check: 'send', error: 'MessageRejected: x' },
    ]);
    expect(a.alert).toBeNull();
  });

  test('an unreadable rule set publishes no ReceiptRuleSetActive (no false "inactive" page)', () => {
    const a = assessCanary(healthy({ activeRuleSet: failed('Throttling: slow') }), SETTINGS, NOW);
    expect(a.metrics.ReceiptRuleSetActive).toBeUndefined();
    expect(a.problems).toEqual([
      { kind: 'checkFailed', check: 'ruleSet', error: 'Throttling: slow' },
    ]);
  });

  test('every failure is counted, and none hides the others', () => {
    const a = assessCanary(
      healthy({
        heartbeat: failed('ResourceNotFound: t'),
        openCases: failed('ResourceNotFound: t'),
        activeRuleSet: ok(null),
      }),
      SETTINGS,
      NOW,
    );
    expect(a.metrics.CanaryCheckFailures).toBe(2);
    expect(a.metrics.OpenCases).toBeUndefined();
    expect(a.problems.map((p) => p.kind)).toEqual([
      'ruleSetInactive',
      'checkFailed',
      'checkFailed',
    ]);
    expect(a.alert?.message).toContain('Could not check heartbeat: ResourceNotFound: t');
  });
});

describe('the team alert', () => {
  test('fits an SNS subject and says it repeats every interval', () => {
    const a = assessCanary(healthy({ activeRuleSet: ok(null) }), SETTINGS, NOW);
    expect(a.alert?.subject.length).toBeLessThanOrEqual(100);
    expect(a.alert?.message).toContain('repeats every 15 minutes until the problem is fixed');
    expect(a.alert?.message).toContain('docs/operations.md');
    expect(a.alert?.message).toContain(NOW.toISOString());
  });

  test('describes ages in words a person reads', () => {
    expect(describeProblem({ kind: 'heartbeatStale', ageSeconds: 90 }, SETTINGS)).toContain(
      '90 seconds ago',
    );
    expect(describeProblem({ kind: 'heartbeatStale', ageSeconds: 3 * 3600 }, SETTINGS)).toContain(
      '3.0 hours ago',
    );
    expect(describeProblem({ kind: 'heartbeatStale', ageSeconds: null }, SETTINGS)).toContain(
      'No canary mail has ever arrived',
    );
  });
});
