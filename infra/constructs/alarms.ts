/**
 * What pages someone: every way the CPR path can break without anyone noticing otherwise. All
 * alarms notify the pager topic when they fire and when they clear; docs/operations.md says,
 * alarm by alarm, what it means and what to do. Names are `<stack>-<what>`, so a page says which
 * deployment it is about.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  CANARY_METRICS,
  CHECKPOINT_METRICS,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
  type MetricService,
} from '../../lambdas/shared/metric-names.ts';

/** SES reviews an account above 5% bounces and may pause it above 10%: page at 5%. */
export const BOUNCE_RATE_THRESHOLD = 0.05;
/**
 * An intake event that waited longer than this for a successful invocation (throttled, failing,
 * retried) is a report with no case yet while its BR 4.9.5 clock runs: page long before Lambda
 * gives up on it (ASYNC_MAX_EVENT_AGE, 6 h) and drops it into the failure queue.
 */
export const INTAKE_EVENT_AGE_THRESHOLD = Duration.minutes(15);
/**
 * SES reviews an account at a 0.1% complaint rate and may pause it at 0.5% (SES developer guide,
 * sending review FAQs): page at 0.1%. Complaints come from people who got mail they did not
 * ask for, which is what forged reports would make of our acknowledgments.
 */
export const COMPLAINT_RATE_THRESHOLD = 0.001;
/** Lambda, SQS and SNS publish per minute or per five minutes; five is the shortest useful period. */
const SHORT_PERIOD = Duration.minutes(5);
/** SES computes reputation over a representative volume, slowly; an hour of it is one datapoint. */
const REPUTATION_PERIOD = Duration.hours(1);

/** An EMF metric of one handler (namespace CprIntake, dimension service=...). */
export function handlerMetric(
  service: MetricService,
  metricName: string,
  options: { statistic?: string; period?: Duration; label?: string } = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? SHORT_PERIOD,
    ...(options.label && { label: options.label }),
  });
}

/** SES's account-level reputation metric (a fraction, 0 to 1). */
export function sesReputationMetric(name: 'BounceRate' | 'ComplaintRate'): Metric {
  return new Metric({
    namespace: 'AWS/SES',
    metricName: `Reputation.${name}`,
    statistic: 'Maximum',
    period: REPUTATION_PERIOD,
  });
}

export interface AlarmsProps {
  /** Prefix of every alarm name. */
  readonly stackName: string;
  readonly pager: ITopic;
  /** Also told when the pager topic itself fails to deliver. */
  readonly team: ITopic;
  readonly canaryIntervalMinutes: number;
  readonly intakeFunction: IFunction;
  /** Every failure queue (intake, delivery events, canary), by a short name. */
  readonly failureQueues: Readonly<Record<string, IQueue>>;
  readonly stateMachine: IStateMachine;
  /** The topics whose delivery failures page (team, escalation, pager, delivery events). */
  readonly topics: Readonly<Record<string, ITopic>>;
}

export class CprAlarms extends Construct {
  /** The canary's heartbeat is older than two intervals, or there is none. */
  readonly heartbeatStale: Alarm;
  readonly ruleSetInactive: Alarm;
  readonly intakeErrors: Alarm;
  /** Intake was refused capacity: mail bombing, or the account's concurrency used up elsewhere. */
  readonly intakeThrottles: Alarm;
  /** Intake events wait too long in Lambda's asynchronous queue. */
  readonly intakeEventAge: Alarm;
  readonly failureQueues: Readonly<Record<string, Alarm>>;
  readonly clockExecutionsFailed: Alarm;
  readonly notificationsFailed: Readonly<Record<string, Alarm>>;
  readonly bounceRate: Alarm;
  readonly complaintRate: Alarm;
  readonly caseBreached: Alarm;
  /** Every alarm of the stack, for the dashboard's status widget. */
  readonly all: readonly Alarm[];

  private readonly props: AlarmsProps;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.props = props;
    const interval = Duration.minutes(props.canaryIntervalMinutes);
    const canary = METRIC_SERVICES.canary;

    this.heartbeatStale = this.alarm('CanaryHeartbeatStale', 'canary-heartbeat-stale', {
      metric: handlerMetric(canary, CANARY_METRICS.heartbeatAge, {
        statistic: 'Maximum',
        period: interval,
      }),
      threshold: 2 * props.canaryIntervalMinutes * 60,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No datapoint means no heartbeat ever, or no canary run: both are the path being broken.
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'No canary mail has reached intake for more than two canary intervals: mail to the CPR ' +
        'address may not be received or processed (DNS/MX, SES receiving, the receipt rule, ' +
        'intake), or the canary itself stopped.',
    });

    this.ruleSetInactive = this.alarm('ReceiptRuleSetInactive', 'receipt-rule-set-inactive', {
      metric: handlerMetric(canary, CANARY_METRICS.ruleSetActive, {
        statistic: 'Minimum',
        period: interval,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // A canary that does not run is the heartbeat alarm's to report.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        "The account's active SES receipt rule set is not the one with the CPR rule: SES " +
        'receives no mail for the CPR addresses.',
    });

    this.intakeErrors = this.alarm('IntakeErrors', 'intake-errors', {
      metric: props.intakeFunction.metricErrors({ period: SHORT_PERIOD, statistic: 'Sum' }),
      threshold: 1,
      description:
        'The intake function failed on a message. Lambda retries twice; what still fails lands ' +
        'in the intake failure queue (raw message safe in S3, replay with `cpr replay`).',
    });

    this.intakeThrottles = this.alarm('IntakeThrottles', 'intake-throttles', {
      metric: props.intakeFunction.metricThrottles({ period: SHORT_PERIOD, statistic: 'Sum' }),
      threshold: 1,
      description:
        'Lambda refused to run intake for lack of concurrency (a mail flood, or other functions ' +
        'of the account using it up). SES hands the event over anyway; Lambda keeps retrying ' +
        'it for up to 6 hours, and reports wait without a case meanwhile.',
    });

    this.intakeEventAge = this.alarm('IntakeEventAge', 'intake-event-age', {
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'AsyncEventAge',
        dimensionsMap: { FunctionName: props.intakeFunction.functionName },
        statistic: 'Maximum',
        period: SHORT_PERIOD,
      }),
      threshold: INTAKE_EVENT_AGE_THRESHOLD.toMilliseconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `An intake event waited more than ${INTAKE_EVENT_AGE_THRESHOLD.toMinutes()} minutes ` +
        'between SES handing it over and a successful run (throttling, or errors being retried): ' +
        'reports are arriving but not becoming cases, while their deadlines run.',
    });

    this.failureQueues = Object.fromEntries(
      Object.entries(props.failureQueues).map(([name, queue]) => [
        name,
        this.alarm(`${pascal(name)}FailureQueue`, `${name}-failure-queue`, {
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: SHORT_PERIOD,
            statistic: 'Maximum',
          }),
          threshold: 1,
          description:
            `An event the ${name} function could not process after its retries is waiting in ` +
            'its failure queue.',
        }),
      ]),
    );

    const sm = props.stateMachine;
    this.clockExecutionsFailed = this.alarm('ClockExecutionsFailed', 'deadline-clock-failed', {
      metric: new MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: sm.metricFailed({ period: SHORT_PERIOD, statistic: 'Sum' }),
          timedOut: sm.metricTimedOut({ period: SHORT_PERIOD, statistic: 'Sum' }),
          aborted: sm.metricAborted({ period: SHORT_PERIOD, statistic: 'Sum' }),
        },
        label: 'Executions failed, timed out or aborted',
        period: SHORT_PERIOD,
      }),
      threshold: 1,
      description:
        "A case's deadline clock stopped (failed, timed out or aborted): its BR deadlines are " +
        'no longer watched.',
    });

    this.notificationsFailed = Object.fromEntries(
      Object.entries(props.topics).map(([name, topic]) => [
        name,
        this.alarm(
          `${pascal(name)}NotificationsFailed`,
          `${name}-topic-delivery-failed`,
          {
            metric: topic.metricNumberOfNotificationsFailed({
              period: SHORT_PERIOD,
              statistic: 'Sum',
            }),
            threshold: 1,
            description:
              `SNS could not deliver a message of the ${name} topic to a subscriber ` +
              '(an endpoint refuses, an SMS failed, a Lambda subscriber is missing).',
          },
          // When the pager's own endpoints fail, the page about it must go somewhere else too.
          topic === props.pager ? [props.team] : [],
        ),
      ]),
    );

    this.bounceRate = this.alarm('SesBounceRate', 'ses-bounce-rate', {
      metric: sesReputationMetric('BounceRate'),
      threshold: BOUNCE_RATE_THRESHOLD,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        "The account's SES bounce rate is above 5%: SES may review the account and pause " +
        'sending above 10%, which would stop every notice.',
    });

    this.complaintRate = this.alarm('SesComplaintRate', 'ses-complaint-rate', {
      metric: sesReputationMetric('ComplaintRate'),
      threshold: COMPLAINT_RATE_THRESHOLD,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        "The account's SES complaint rate is 0.1% or more: SES reviews the account there and " +
        'may pause sending at 0.5%, which would stop every notice. Look for acknowledgments ' +
        'to forged senders.',
    });

    this.caseBreached = this.alarm('CaseBreached', 'case-breached', {
      metric: handlerMetric(METRIC_SERVICES.checkpoint, CHECKPOINT_METRICS.escalation('breach')),
      threshold: 1,
      description:
        'A case passed its 24-hour checkpoint with a BR 4.9.5 / 4.9.1.1 obligation still open: ' +
        'a missed deadline is a CCADB incident (preliminary incident report within 72 hours).',
    });

    this.all = [
      this.heartbeatStale,
      this.ruleSetInactive,
      this.intakeErrors,
      this.intakeThrottles,
      this.intakeEventAge,
      ...Object.values(this.failureQueues),
      this.clockExecutionsFailed,
      ...Object.values(this.notificationsFailed),
      this.bounceRate,
      this.complaintRate,
      this.caseBreached,
    ];
  }

  private alarm(
    id: string,
    name: string,
    spec: {
      metric: IMetric;
      threshold: number;
      description: string;
      comparisonOperator?: ComparisonOperator;
      treatMissingData?: TreatMissingData;
    },
    alsoNotify: readonly ITopic[] = [],
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.props.stackName}-${name}`,
      alarmDescription: `${spec.description} What to do: docs/operations.md, "${name}".`,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator:
        spec.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Silence is no news for counters of failures: no failure, no datapoint.
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    for (const topic of [this.props.pager, ...alsoNotify]) {
      alarm.addAlarmAction(new SnsAction(topic));
      // The all-clear too, so a pager service can resolve its incident.
      alarm.addOkAction(new SnsAction(topic));
    }
    return alarm;
  }
}

function pascal(name: string): string {
  return name.replace(/(^|[-_ ])(\w)/g, (_, __, c: string) => c.toUpperCase());
}
