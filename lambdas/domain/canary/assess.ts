/**
 * The canary's decisions, with no AWS in them: from what one run observed, which problems there
 * are, which of them the team must be told about now, and the numbers the alarms watch.
 *
 * Two kinds of problem break the CPR path without any error anywhere, which is why a person is
 * told at once: a receipt rule set that is not (or no longer) the active one (SES then receives
 * nothing, HARICA 1963629: the published alias had expired), and an alert subscription nobody
 * confirmed (a mistyped address never confirms, D-Trust 1893610: the internal address had a typo).
 * A stale heartbeat is for the pager, through its alarm; it is mentioned here only for context.
 */
import { CANARY_METRICS } from '../../shared/metric-names.ts';
import { ALERT_TOPICS, type AlertTopic } from '../case/types.ts';
import type { OpenCaseCounts, SubscriptionCounts, TeamAlert } from '../ports/canary.ts';
import { type Heartbeat, heartbeatAgeMs, heartbeatStale } from './token.ts';

/** What one check found, or why it could not find anything. */
export type Observed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

// biome-ignore format: a long list of names, packed to read as one block
export const CANARY_CHECKS = [
  'send', 'ruleSet', 'subscriptions:team', 'subscriptions:escalation', 'subscriptions:pager',
  'heartbeat', 'openCases',
] as const;
export type CanaryCheck = (typeof CANARY_CHECKS)[number];

export interface CanaryObservation {
  readonly sent: Observed<{ readonly messageId: string }>;
  readonly activeRuleSet: Observed<string | null>;
  readonly subscriptions: Readonly<Record<AlertTopic, Observed<SubscriptionCounts>>>;
  readonly heartbeat: Observed<Heartbeat | null>;
  readonly openCases: Observed<OpenCaseCounts>;
}

export interface CanarySettings {
  /** The rule set holding the CPR rule: the one that must be active. */
  readonly expectedRuleSet: string;
  readonly intervalMinutes: number;
  /** For the command in the message; null outside AWS. */
  readonly region: string | null;
}

export type CanaryProblem =
  | { readonly kind: 'ruleSetInactive'; readonly expected: string; readonly active: string | null }
  | { readonly kind: 'subscriptionsPending'; readonly topic: AlertTopic; readonly pending: number }
  | { readonly kind: 'noConfirmedSubscription'; readonly topic: AlertTopic }
  | { readonly kind: 'heartbeatStale'; readonly ageSeconds: number | null }
  | { readonly kind: 'checkFailed'; readonly check: CanaryCheck; readonly error: string };

/** The problems that make the canary tell the team; the others go to the pager through alarms. */
const TELL_THE_TEAM: ReadonlySet<CanaryProblem['kind']> = new Set([
  'ruleSetInactive',
  'subscriptionsPending',
  'noConfirmedSubscription',
]);

type CanaryMetricName = (typeof CANARY_METRICS)[keyof typeof CANARY_METRICS];

export interface CanaryAssessment {
  readonly problems: readonly CanaryProblem[];
  /** Values to publish; a metric the run could not measure is absent, never a made-up 0. */
  readonly metrics: Readonly<Partial<Record<CanaryMetricName, number>>>;
  /** The message for the team topic, or null when nothing needs a person now. */
  readonly alert: TeamAlert | null;
}

/** SNS subjects stop at 100 characters. */
const MAX_SUBJECT = 100;

/** Judges one canary run. Pure: `now` is the run's time. */
export function assessCanary(
  observed: CanaryObservation,
  settings: CanarySettings,
  now: Date,
): CanaryAssessment {
  const problems: CanaryProblem[] = [];
  const metrics: Partial<Record<CanaryMetricName, number>> = {};
  const failed = (check: CanaryCheck, error: string) =>
    problems.push({ kind: 'checkFailed', check, error });

  metrics[CANARY_METRICS.sent] = observed.sent.ok ? 1 : 0;
  if (!observed.sent.ok) failed('send', observed.sent.error);

  if (observed.activeRuleSet.ok) {
    const active = observed.activeRuleSet.value;
    const isOurs = active === settings.expectedRuleSet;
    metrics[CANARY_METRICS.ruleSetActive] = isOurs ? 1 : 0;
    if (!isOurs)
      problems.push({ kind: 'ruleSetInactive', expected: settings.expectedRuleSet, active });
  } else {
    failed('ruleSet', observed.activeRuleSet.error);
  }

  let pending = 0;
  let withoutSubscriber = 0;
  let allCounted = true;
  for (const topic of ALERT_TOPICS) {
    const counts = observed.subscriptions[topic];
    if (!counts.ok) {
      allCounted = false;
      failed(`subscriptions:${topic}`, counts.error);
      continue;
    }
    pending += counts.value.pending;
    if (counts.value.pending > 0) {
      problems.push({ kind: 'subscriptionsPending', topic, pending: counts.value.pending });
    }
    if (counts.value.confirmed === 0) {
      withoutSubscriber += 1;
      problems.push({ kind: 'noConfirmedSubscription', topic });
    }
  }
  if (allCounted) {
    metrics[CANARY_METRICS.pendingSubscriptions] = pending;
    metrics[CANARY_METRICS.topicsWithoutSubscriber] = withoutSubscriber;
  }

  if (observed.heartbeat.ok) {
    const heartbeat = observed.heartbeat.value;
    const ageMs = heartbeatAgeMs(heartbeat, now);
    // No heartbeat at all publishes nothing: the alarm treats missing data as breaching.
    if (ageMs !== null)
      metrics[CANARY_METRICS.heartbeatAge] = Math.max(0, Math.round(ageMs / 1000));
    if (heartbeatStale(heartbeat, now, settings.intervalMinutes * 60_000)) {
      problems.push({
        kind: 'heartbeatStale',
        ageSeconds: ageMs === null ? null : Math.round(ageMs / 1000),
      });
    }
  } else {
    failed('heartbeat', observed.heartbeat.error);
  }

  if (observed.openCases.ok) {
    metrics[CANARY_METRICS.openCases] = observed.openCases.value.cases;
    metrics[CANARY_METRICS.openObligations] = observed.openCases.value.obligations;
  } else {
    failed('openCases', observed.openCases.error);
  }

  metrics[CANARY_METRICS.checkFailures] = problems.filter((p) => p.kind === 'checkFailed').length;

  const urgent = problems.filter((p) => TELL_THE_TEAM.has(p.kind));
  const alert = urgent.length === 0 ? null : teamAlert(urgent, problems, settings, now);
  return { problems, metrics, alert };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeAge(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  return `${(seconds / 3600).toFixed(1)} hours`;
}

/** One line per problem: what is wrong, what it breaks, what to do. */
export function describeProblem(p: CanaryProblem, settings: CanarySettings): string {
  switch (p.kind) {
    case 'ruleSetInactive': {
      const region = settings.region ? ` --region ${settings.region}` : '';
      return (
        `The SES receipt rule set "${p.expected}" is not the active one ` +
        `(active: ${p.active === null ? 'none' : `"${p.active}"`}). Mail to the CPR addresses ` +
        'is not received by this system. Activate it: ' +
        `aws ses set-active-receipt-rule-set --rule-set-name ${p.expected}${region}`
      );
    }
    case 'subscriptionsPending':
      return (
        `${plural(p.pending, 'subscription', 'subscriptions')} of the ${p.topic} topic ` +
        `${p.pending === 1 ? 'is' : 'are'} still pending confirmation: until someone confirms, ` +
        'that endpoint receives nothing, and a mistyped address never confirms. Confirm it ' +
        '(the link in the SNS mail), or correct the address in the configuration and deploy.'
      );
    case 'noConfirmedSubscription':
      return `The ${p.topic} topic has no confirmed subscription: its alerts reach nobody.`;
    case 'heartbeatStale':
      return p.ageSeconds === null
        ? 'No canary mail has ever arrived at intake (no heartbeat recorded).'
        : `The last canary mail arrived ${describeAge(p.ageSeconds)} ago ` +
            `(expected every ${settings.intervalMinutes} minutes).`;
    case 'checkFailed':
      return `Could not check ${p.check}: ${p.error}`;
  }
}

function teamAlert(
  urgent: readonly CanaryProblem[],
  all: readonly CanaryProblem[],
  settings: CanarySettings,
  now: Date,
): TeamAlert {
  const others = all.filter((p) => !urgent.includes(p));
  const lines = [
    `The CPR intake self-test of ${now.toISOString()} found ` +
      `${plural(urgent.length, 'problem', 'problems')} that can keep Certificate Problem ` +
      'Reports or alerts from reaching you:',
    '',
    ...urgent.map((p) => `- ${describeProblem(p, settings)}`),
  ];
  if (others.length > 0) {
    lines.push(
      '',
      'Also seen in this run:',
      ...others.map((p) => `- ${describeProblem(p, settings)}`),
    );
  }
  lines.push(
    '',
    `This message repeats every ${settings.intervalMinutes} minutes until the problem is fixed. ` +
      'What each problem means and what to do: docs/operations.md.',
  );
  const subject = `CPR intake self-test: ${plural(urgent.length, 'problem needs', 'problems need')} attention`;
  return { subject: subject.slice(0, MAX_SUBJECT), message: lines.join('\n') };
}
