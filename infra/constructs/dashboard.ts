/**
 * The CloudWatch dashboard the compliance team lives in: what came in, what is open and due,
 * what was sent and how fast, what escalated, and whether the path itself is healthy. Metrics
 * come from the handlers (Powertools EMF, `lambdas/shared/metric-names.ts`) and from AWS.
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Color,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  type IMetric,
  type IWidget,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  CLASSIFICATIONS,
  ESCALATION_LEVELS,
  NOTICE_KINDS,
} from '../../lambdas/domain/case/types.ts';
import {
  ACKNOWLEDGE_METRICS,
  CANARY_METRICS,
  CHECKPOINT_METRICS,
  DELIVERY_EVENT_METRICS,
  INTAKE_METRICS,
  METRIC_SERVICES,
} from '../../lambdas/shared/metric-names.ts';
import {
  BOUNCE_RATE_THRESHOLD,
  type CprAlarms,
  handlerMetric,
  sesReputationMetric,
} from './alarms.ts';

/** The titles of the widgets, so tests and docs/operations.md refer to the same names. */
export const DASHBOARD_WIDGETS = {
  alarms: 'Alarms',
  received: 'Reports received',
  byClassification: 'Reports by classification',
  open: 'Open cases and owed preliminary reports',
  acknowledgments: 'Acknowledgments sent and suppressed',
  timeToNotice: 'Time from receipt to acknowledgment and to each notice',
  escalations: 'Escalations by level',
  breaches: 'Breaches (missed BR deadlines) in the period',
  canary: 'Canary freshness (age of the last heartbeat)',
  pathChecks: 'Mail path checks',
  errors: 'Function errors',
  failureQueues: 'Failure queue depth (events waiting for replay)',
  clock: 'Deadline clock executions',
  reputation: 'SES reputation (notices)',
  alertDelivery: 'Alert delivery failures (SNS)',
} as const;

const HOUR = Duration.hours(1);
const WIDTH = 8;
const HEIGHT = 6;
const DAY_SECONDS = 24 * 3600;

export interface CprDashboardProps {
  readonly dashboardName: string;
  readonly alarms: CprAlarms;
  readonly canaryIntervalMinutes: number;
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly failureQueues: Readonly<Record<string, IQueue>>;
  readonly stateMachine: IStateMachine;
  readonly topics: Readonly<Record<string, ITopic>>;
}

export class CprDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: CprDashboardProps) {
    super(scope, id);
    const { intake, acknowledge, checkpoint, deliveryEvents, canary } = METRIC_SERVICES;
    const count = (
      service: (typeof METRIC_SERVICES)[keyof typeof METRIC_SERVICES],
      name: string,
      label: string,
    ) => handlerMetric(service, name, { period: HOUR, label });
    /** The canary's gauges, hourly: the lowest or highest value it saw in the hour. */
    const gauge = (name: string, statistic: 'Minimum' | 'Maximum', label: string) =>
      handlerMetric(canary, name, { statistic, period: HOUR, label });
    const heartbeatLimit = 2 * props.canaryIntervalMinutes * 60;
    const graph = (title: string, left: IMetric[], extra: Partial<GraphWidgetProps> = {}) =>
      new GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...extra });

    const widgets: IWidget[][] = [
      [
        new TextWidget({
          markdown: [
            `# CPR intake: ${props.dashboardName}`,
            'Every Certificate Problem Report that reaches the CPR address, what is owed and ' +
              'when, and whether the mail path itself works (the canary). Counts are per hour. ' +
              'What each alarm means and what to do: `docs/operations.md`. Case details: ' +
              '`cpr list --open`, `cpr show CASE`.',
          ].join('\n\n'),
          width: 24,
          height: 3,
        }),
      ],
      [
        new AlarmStatusWidget({
          title: DASHBOARD_WIDGETS.alarms,
          alarms: [...props.alarms.all],
          width: 24,
          height: 4,
        }),
      ],
      [
        graph(DASHBOARD_WIDGETS.received, [
          count(intake, INTAKE_METRICS.reportsReceived, 'Reports received'),
          count(intake, INTAKE_METRICS.duplicateDeliveries, 'Duplicate deliveries (ignored)'),
          count(intake, INTAKE_METRICS.parseFailures, 'Unparsable (a person must read them)'),
        ]),
        graph(
          DASHBOARD_WIDGETS.byClassification,
          CLASSIFICATIONS.map((c) => count(intake, INTAKE_METRICS.classified(c), c)),
          { stacked: true },
        ),
        graph(DASHBOARD_WIDGETS.open, [
          gauge(CANARY_METRICS.openCases, 'Maximum', 'Open cases with a deadline ahead'),
          gauge(CANARY_METRICS.openObligations, 'Maximum', 'Preliminary reports still owed'),
        ]),
      ],
      [
        graph(DASHBOARD_WIDGETS.acknowledgments, [
          count(acknowledge, ACKNOWLEDGE_METRICS.sent, 'Sent'),
          count(acknowledge, ACKNOWLEDGE_METRICS.notSent, 'Not sent (closed, no recipient)'),
          count(intake, INTAKE_METRICS.acknowledgmentsSuppressed, 'Suppressed (loop safety)'),
        ]),
        graph(
          DASHBOARD_WIDGETS.timeToNotice,
          [
            handlerMetric(acknowledge, ACKNOWLEDGE_METRICS.timeToAcknowledgment, {
              statistic: 'Maximum',
              period: HOUR,
              label: 'Acknowledgment (max)',
            }),
            ...NOTICE_KINDS.filter((k) => k !== 'acknowledgment').map((kind) =>
              handlerMetric(deliveryEvents, DELIVERY_EVENT_METRICS.timeToNoticeDelivered(kind), {
                statistic: 'Maximum',
                period: HOUR,
                label: `${kind} delivered (max)`,
              }),
            ),
          ],
          {
            leftYAxis: { label: 'seconds after receipt', showUnits: false, min: 0 },
            leftAnnotations: [
              { value: DAY_SECONDS, label: 'BR 4.9.5: 24 hours', color: Color.RED },
            ],
          },
        ),
        graph(
          DASHBOARD_WIDGETS.escalations,
          ESCALATION_LEVELS.map((level) =>
            count(checkpoint, CHECKPOINT_METRICS.escalation(level), level),
          ),
          { stacked: true },
        ),
      ],
      [
        new SingleValueWidget({
          title: DASHBOARD_WIDGETS.breaches,
          metrics: [
            handlerMetric(checkpoint, CHECKPOINT_METRICS.escalation('breach'), {
              label: 'Cases past a BR deadline',
            }),
          ],
          setPeriodToTimeRange: true,
          width: WIDTH,
          height: HEIGHT,
        }),
        graph(
          DASHBOARD_WIDGETS.canary,
          [
            handlerMetric(canary, CANARY_METRICS.heartbeatAge, {
              statistic: 'Maximum',
              period: Duration.minutes(props.canaryIntervalMinutes),
              label: 'Heartbeat age (s)',
            }),
          ],
          {
            right: [count(intake, INTAKE_METRICS.canaryHeartbeats, 'Canaries recognised')],
            leftAnnotations: [
              { value: heartbeatLimit, label: 'Alarm: two intervals', color: Color.RED },
            ],
          },
        ),
        graph(DASHBOARD_WIDGETS.pathChecks, [
          gauge(CANARY_METRICS.ruleSetActive, 'Minimum', 'Receipt rule set active (1 = yes)'),
          gauge(
            CANARY_METRICS.pendingSubscriptions,
            'Maximum',
            'Subscriptions pending confirmation',
          ),
          gauge(
            CANARY_METRICS.topicsWithoutSubscriber,
            'Maximum',
            'Alert topics without a confirmed subscriber',
          ),
          count(canary, CANARY_METRICS.sent, 'Canaries sent'),
          count(canary, CANARY_METRICS.checkFailures, 'Canary checks that could not run'),
        ]),
      ],
      [
        graph(
          DASHBOARD_WIDGETS.errors,
          Object.entries(props.functions).map(([name, fn]) =>
            fn.metricErrors({ period: HOUR, statistic: 'Sum', label: name }),
          ),
        ),
        graph(
          DASHBOARD_WIDGETS.failureQueues,
          Object.entries(props.failureQueues).map(([name, queue]) =>
            queue.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(5),
              statistic: 'Maximum',
              label: name,
            }),
          ),
        ),
        graph(DASHBOARD_WIDGETS.clock, [
          props.stateMachine.metricStarted({ period: HOUR, label: 'Started (one per case)' }),
          props.stateMachine.metricSucceeded({ period: HOUR, label: 'Stopped normally' }),
          props.stateMachine.metricFailed({ period: HOUR, label: 'Failed' }),
          props.stateMachine.metricTimedOut({ period: HOUR, label: 'Timed out' }),
          props.stateMachine.metricAborted({ period: HOUR, label: 'Aborted' }),
        ]),
      ],
      [
        graph(
          DASHBOARD_WIDGETS.reputation,
          [sesReputationMetric('BounceRate'), sesReputationMetric('ComplaintRate')],
          {
            leftAnnotations: [
              { value: BOUNCE_RATE_THRESHOLD, label: 'Bounce alarm (5%)', color: Color.RED },
            ],
          },
        ),
        graph(
          DASHBOARD_WIDGETS.alertDelivery,
          Object.entries(props.topics).map(([name, topic]) =>
            topic.metricNumberOfNotificationsFailed({
              period: HOUR,
              statistic: 'Sum',
              label: name,
            }),
          ),
        ),
      ],
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(7),
      widgets,
    });
  }
}
