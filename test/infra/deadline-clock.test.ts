/**
 * The deadline clock as synthesized: the definition is read from the template (resolved to ASL
 * the same way the local runner does), so these assertions are about what AWS would run.
 */
import { describe, expect, test } from 'vitest';
import { TASK_RETRY } from '../../infra/constructs/deadline-clock.ts';
import { CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import { resolveStateMachine } from '../../local/clock-definition.ts';
import { placeholderArn } from '../../local/state-machine.ts';
import { actionsOf, buildApp, logicalId, resourcesOf, roleStatements } from './support.ts';

const { stack, template, config } = buildApp();
const clock = stack.clock;
const stateMachineId = logicalId(stack, clock.stateMachine);
const logGroupId = logicalId(stack, clock.logGroup);
const resource = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId];
const asl = resolveStateMachine(template.toJSON() as never);
// biome-ignore lint/suspicious/noExplicitAny: ASL states are checked field by field below
const states = asl.States as Record<string, any>;
const fnArn = (fn: { fn: object }) =>
  placeholderArn('lambda', `function:${logicalId(stack, fn.fn as never)}`);
const TASKS = [
  CLOCK_STATES.acknowledge,
  CLOCK_STATES.notifyTeam,
  CLOCK_STATES.plan,
  CLOCK_STATES.evaluate,
] as const;

describe('deadline clock: the state machine', () => {
  test('is a Standard state machine (waits up to a year, exactly-once starts by name)', () => {
    expect(resource?.Properties.StateMachineType).toBe('STANDARD');
  });

  test('logs ALL events with execution data to its own log group, and is traced', () => {
    expect(resource?.Properties.LoggingConfiguration).toEqual({
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } },
      ],
      IncludeExecutionData: true,
      Level: 'ALL',
    });
    expect(resource?.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupId];
    expect(logGroup?.Properties.RetentionInDays).toBe(config.logRetentionDays);
    expect(logGroup?.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\//);
  });

  test('has exactly the states of the contract', () => {
    expect(Object.keys(states).sort()).toEqual(Object.values(CLOCK_STATES).sort());
    expect(asl.StartAt).toBe(CLOCK_STATES.acknowledge);
  });
});

describe('deadline clock: the flow of contract.ts', () => {
  test.each([
    [CLOCK_STATES.acknowledge, () => stack.tasks.acknowledge, { 'caseId.$': '$.caseId' }, '$.ack'],
    [CLOCK_STATES.notifyTeam, () => stack.tasks.notifyTeam, { 'caseId.$': '$.caseId' }, '$.team'],
    [
      CLOCK_STATES.plan,
      () => stack.tasks.checkpoint,
      { 'caseId.$': '$.caseId', afterIndex: -1 },
      '$.next',
    ],
    [
      CLOCK_STATES.evaluate,
      () => stack.tasks.checkpoint,
      { 'caseId.$': '$.caseId', 'evaluateIndex.$': '$.next.index' },
      '$.next',
    ],
  ])('%s invokes its function directly with the contract payload', (name, fn, payload, at) => {
    const state = states[name];
    // payloadResponseOnly: the function ARN is the resource; its return value is the result.
    expect(state.Resource).toBe(fnArn(fn()));
    expect(state.Parameters).toEqual(payload);
    expect(state.ResultPath).toBe(at);
  });

  test('Acknowledge -> NotifyTeam -> PlanClock -> ClockDone', () => {
    expect(states[CLOCK_STATES.acknowledge].Next).toBe(CLOCK_STATES.notifyTeam);
    expect(states[CLOCK_STATES.notifyTeam].Next).toBe(CLOCK_STATES.plan);
    expect(states[CLOCK_STATES.plan].Next).toBe(CLOCK_STATES.done);
  });

  test('ClockDone stops on $.next.done == true, otherwise waits', () => {
    expect(states[CLOCK_STATES.done]).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.next.done', BooleanEquals: true, Next: CLOCK_STATES.stopped }],
      Default: CLOCK_STATES.wait,
    });
    expect(states[CLOCK_STATES.stopped].Type).toBe('Succeed');
  });

  test('WaitForCheckpoint waits until $.next.at, then EvaluateCheckpoint loops to ClockDone', () => {
    expect(states[CLOCK_STATES.wait]).toEqual({
      Type: 'Wait',
      TimestampPath: '$.next.at',
      Next: CLOCK_STATES.evaluate,
    });
    expect(states[CLOCK_STATES.evaluate].Next).toBe(CLOCK_STATES.done);
  });
});

describe('deadline clock: failures', () => {
  test.each(TASKS)(
    '%s retries every error with backoff after the Lambda service errors',
    (name) => {
      const retry = states[name].Retry as { ErrorEquals: string[] }[];
      // States.ALL must be the last retrier; a function that throws is retried, not failed.
      expect(retry.at(-1)).toEqual({
        ErrorEquals: ['States.ALL'],
        IntervalSeconds: TASK_RETRY.interval?.toSeconds(),
        BackoffRate: 2,
        MaxAttempts: 4,
        JitterStrategy: 'FULL',
      });
      expect(retry[0]?.ErrorEquals).toContain('Lambda.ServiceException');
    },
  );

  /** Where each task's failure goes on to after its page: no task stops the clock. */
  const FAILURE_ROUTES = [
    [CLOCK_STATES.acknowledge, CLOCK_STATES.reportAcknowledgeFailure, CLOCK_STATES.notifyTeam],
    [CLOCK_STATES.notifyTeam, CLOCK_STATES.reportNotifyTeamFailure, CLOCK_STATES.plan],
    [CLOCK_STATES.plan, CLOCK_STATES.reportPlanFailure, CLOCK_STATES.fromFirstCheckpoint],
    [CLOCK_STATES.evaluate, CLOCK_STATES.reportCheckpointFailure, CLOCK_STATES.skipCheckpoint],
  ] as const;

  test.each(FAILURE_ROUTES)(
    '%s catches everything into %s, which pages and goes on to %s',
    (task, report, next) => {
      expect(states[task].Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: report },
      ]);
      const r = states[report];
      expect(r.Resource).toBe('arn:aws:states:::sns:publish');
      expect(r.Parameters.TopicArn).toBe(
        placeholderArn('sns', logicalId(stack, stack.alerts.pager)),
      );
      const message = r.Parameters['Message.$'] as string;
      for (const path of ['$.caseId', '$$.Execution.Id', '$.error.Error', '$.error.Cause']) {
        expect(message).toContain(path);
      }
      expect(r.ResultPath).toBeNull();
      expect(r.Next).toBe(next);
      expect(r.Retry.at(-1).ErrorEquals).toEqual(['States.ALL']);
      // Only when the pager itself cannot be reached does the execution fail.
      expect(r.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.reportError', Next: CLOCK_STATES.failed },
      ]);
    },
  );

  test('after a failed plan or evaluation the clock takes the next checkpoint of its schedule', () => {
    expect(states[CLOCK_STATES.fromFirstCheckpoint]).toMatchObject({
      Type: 'Pass',
      Result: { index: -1 },
      ResultPath: '$.next',
      Next: CLOCK_STATES.skipCheckpoint,
    });
    expect(states[CLOCK_STATES.skipCheckpoint].Parameters).toEqual({
      'index.$': 'States.MathAdd($.next.index, 1)',
      'count.$': 'States.ArrayLength($.deadlines.checkpoints)',
    });
    expect(states[CLOCK_STATES.checkpointLeft]).toEqual({
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.skip.index',
          NumericLessThanPath: '$.skip.count',
          Next: CLOCK_STATES.scheduledCheckpoint,
        },
      ],
      Default: CLOCK_STATES.stopped,
    });
    expect(states[CLOCK_STATES.nextFromSchedule]).toMatchObject({
      ResultPath: '$.next',
      Next: CLOCK_STATES.wait,
    });
  });

  test('ClockFailed fails the execution with the original error', () => {
    expect(states[CLOCK_STATES.failed]).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  test('the executions-failed metric is there for the alarm', () => {
    const metric = clock.metricExecutionsFailed();
    expect(metric.metricName).toBe('ExecutionsFailed');
    expect(metric.namespace).toBe('AWS/States');
    expect(Object.keys(metric.dimensions ?? {})).toEqual(['StateMachineArn']);
  });
});

describe('deadline clock: role', () => {
  const statements = roleStatements(template, logicalId(stack, clock.stateMachine.role));
  const functionArns = [
    stack.tasks.acknowledge,
    stack.tasks.notifyTeam,
    stack.tasks.checkpoint,
  ].map((f) => ({ 'Fn::GetAtt': [logicalId(stack, f.fn), 'Arn'] }));

  test('invokes only the three task functions (and their versions)', () => {
    const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    const resources = invoke.flatMap(resourcesOf);
    expect(resources).toEqual(expect.arrayContaining(functionArns));
    expect(resources).toHaveLength(6);
  });

  test('publishes only to the pager topic, with its key only through SNS', () => {
    const publish = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sns:')));
    expect(publish.flatMap(actionsOf)).toEqual(['sns:Publish']);
    expect(publish.flatMap(resourcesOf)).toEqual([{ Ref: logicalId(stack, stack.alerts.pager) }]);
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(kms[0]?.Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack, stack.alerts.key), 'Arn'] });
    expect(JSON.stringify(kms[0]?.Condition)).toContain('kms:ViaService');
  });

  test('everything else is its own logging and tracing', () => {
    const other = statements
      .flatMap(actionsOf)
      .filter(
        (a) => !/^(lambda:InvokeFunction|sns:Publish|kms:(GenerateDataKey|Decrypt))$/.test(a),
      );
    for (const action of other) expect(action).toMatch(/^(logs|xray):/);
  });
});
