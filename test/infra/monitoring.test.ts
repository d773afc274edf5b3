/**
 * Alarms and dashboard as synthesized: each way the CPR path can break pages the pager topic,
 * with the metric, threshold and missing-data rule that make it fire when it should (and not
 * when it should not); the dashboard shows the widgets the team reads.
 */
import { describe, expect, test } from 'vitest';
import { DASHBOARD_WIDGETS } from '../../infra/constructs/dashboard.ts';
import { buildApp, logicalId } from './support.ts';

const { stack, template, config } = buildApp();
const pagerRef = { Ref: logicalId(stack, stack.alerts.pager) };
const teamRef = { Ref: logicalId(stack, stack.alerts.team) };
// biome-ignore lint/suspicious/noExplicitAny: alarm properties are read field by field
type Props = Record<string, any>;
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
  (a) => a.Properties as Props,
);
const alarm = (suffix: string): Props => {
  const found = alarms.find((a) => a.AlarmName === `${config.stackName}-${suffix}`);
  if (!found) throw new Error(`no alarm ${suffix}`);
  return found;
};
const interval = config.canaryIntervalMinutes * 60;

describe('alarms', () => {
  test('every alarm pages the pager topic, and tells it when it clears', () => {
    expect(alarms.length).toBe(17);
    for (const a of alarms) {
      expect(a.AlarmActions).toContainEqual(pagerRef);
      expect(a.OKActions).toContainEqual(pagerRef);
      expect(a.AlarmDescription).toContain('docs/operations.md');
    }
  });

  test('canary heartbeat older than two intervals, or missing, pages', () => {
    expect(alarm('canary-heartbeat-stale')).toMatchObject({
      Namespace: 'CprIntake',
      MetricName: 'CanaryHeartbeatAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'canary' }],
      Statistic: 'Maximum',
      Period: interval,
      Threshold: 2 * interval,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
    });
  });

  test('the threshold follows the canary interval', () => {
    const { template: t } = buildApp({ canaryIntervalMinutes: 5 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CanaryHeartbeatAgeSeconds',
      Period: 300,
      Threshold: 600,
    });
  });

  test('a receipt rule set that is not active pages; a silent canary is left to the heartbeat', () => {
    expect(alarm('receipt-rule-set-inactive')).toMatchObject({
      Namespace: 'CprIntake',
      MetricName: 'ReceiptRuleSetActive',
      Dimensions: [{ Name: 'service', Value: 'canary' }],
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('any intake error pages', () => {
    expect(alarm('intake-errors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.intake.function.fn) } },
      ],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('a single intake throttle pages: reports wait without a case', () => {
    expect(alarm('intake-throttles')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.intake.function.fn) } },
      ],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('an intake event older than 15 minutes in the async queue pages, long before 6 h', () => {
    expect(alarm('intake-event-age')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'AsyncEventAge',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: logicalId(stack, stack.intake.function.fn) } },
      ],
      Statistic: 'Maximum',
      Threshold: 15 * 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  test.each([
    ['intake', () => stack.intake.function.failureQueue],
    ['delivery-events', () => stack.delivery.eventsFunction.failureQueue],
    ['canary', () => stack.canary.function.failureQueue],
    ['revocation-verifier', () => stack.verifier.function.failureQueue],
  ])('a message on the %s failure queue pages', (name, queue) => {
    expect(alarm(`${name}-failure-queue`)).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId(stack, queue() as never), 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('a deadline clock that failed, timed out or was aborted pages', () => {
    const a = alarm('deadline-clock-failed');
    const stateMachine = { Ref: logicalId(stack, stack.clock.stateMachine) };
    const names = (a.Metrics as Props[])
      .filter((m) => m.MetricStat)
      .map((m) => {
        expect(m.MetricStat.Metric.Dimensions).toEqual([
          { Name: 'StateMachineArn', Value: stateMachine },
        ]);
        return m.MetricStat.Metric.MetricName;
      });
    expect(names.sort()).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(a.Threshold).toBe(1);
  });

  test.each([
    ['team', () => stack.alerts.team],
    ['escalation', () => stack.alerts.escalation],
    ['pager', () => stack.alerts.pager],
    ['delivery-events', () => stack.delivery.eventsTopic],
  ])('SNS failing to deliver a %s message pages', (name, topic) => {
    expect(alarm(`${name}-topic-delivery-failed`)).toMatchObject({
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfNotificationsFailed',
      Dimensions: [
        { Name: 'TopicName', Value: { 'Fn::GetAtt': [logicalId(stack, topic()), 'TopicName'] } },
      ],
      Threshold: 1,
    });
  });

  test('when the pager itself cannot deliver, the team hears of it too', () => {
    expect(alarm('pager-topic-delivery-failed').AlarmActions).toEqual([pagerRef, teamRef]);
    expect(alarm('team-topic-delivery-failed').AlarmActions).toEqual([pagerRef]);
  });

  test('an SES bounce rate above 5% pages (SES pauses sending above 10%)', () => {
    expect(alarm('ses-bounce-rate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('an SES complaint rate of 0.1% pages (SES reviews the account there), next to the bounce rate', () => {
    expect(alarm('ses-complaint-rate')).toMatchObject({
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm('ses-complaint-rate').AlarmActions).toEqual(alarm('ses-bounce-rate').AlarmActions);
  });

  test('a breached case pages (Escalation_breach from the checkpoint function)', () => {
    expect(alarm('case-breached')).toMatchObject({
      Namespace: 'CprIntake',
      MetricName: 'Escalation_breach',
      Dimensions: [{ Name: 'service', Value: 'checkpoint' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });
});

/** The dashboard body with every CloudFormation reference replaced by a placeholder. */
function dashboardBody(): { widgets: Props[] } {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const body = dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'REF'))
    .join('');
  return JSON.parse(text) as { widgets: Props[] };
}

describe('dashboard', () => {
  const { widgets } = dashboardBody();
  const titles = widgets.map((w) => w.properties.title).filter(Boolean);
  const widget = (title: string) => widgets.find((w) => w.properties.title === title)!;
  const metricNames = (title: string): string[] =>
    (widget(title).properties.metrics as unknown[][]).map((m) =>
      m.filter((x) => typeof x === 'string').join(' '),
    );

  test('is named after the stack', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: config.stackName,
    });
  });

  test('has every widget the team reads', () => {
    expect(titles.sort()).toEqual(Object.values(DASHBOARD_WIDGETS).sort());
  });

  test('the alarm widget shows every alarm', () => {
    expect(widget(DASHBOARD_WIDGETS.alarms).properties.alarms).toHaveLength(alarms.length);
  });

  test('reports by classification: one line per classification', () => {
    const lines = metricNames(DASHBOARD_WIDGETS.byClassification);
    for (const c of ['keyCompromise', 'misissuance', 'other', 'notACpr', 'unparsed']) {
      expect(lines.some((l) => l.includes(`Classified_${c}`) && l.includes('service intake'))).toBe(
        true,
      );
    }
  });

  test('escalations by level, breaches, open cases and canary freshness use the handlers’ metrics', () => {
    expect(metricNames(DASHBOARD_WIDGETS.escalations).join('|')).toMatch(
      /Escalation_warning.*Escalation_page.*Escalation_breach.*Escalation_repage/,
    );
    expect(metricNames(DASHBOARD_WIDGETS.breaches).join('|')).toContain('Escalation_breach');
    expect(metricNames(DASHBOARD_WIDGETS.open).join('|')).toMatch(/OpenCases.*OpenObligations/);
    expect(metricNames(DASHBOARD_WIDGETS.canary).join('|')).toContain('CanaryHeartbeatAgeSeconds');
  });

  test('errors and failure queues cover every function and queue', () => {
    expect(metricNames(DASHBOARD_WIDGETS.errors)).toHaveLength(7);
    expect(metricNames(DASHBOARD_WIDGETS.failureQueues)).toHaveLength(4);
  });
});
