/**
 * The deadline clock: one Standard execution per case (named after the case id, so a repeated
 * start is refused), waiting for the BR 4.9.5 / 4.9.1.1 checkpoints. The state names and task
 * payloads are the contract in `lambdas/clock/contract.ts`; the local runner executes this very
 * definition (`local/state-machine.ts`).
 *
 *   Acknowledge -> NotifyTeam -> PlanClock -> ClockDone? --done--> ClockStopped
 *                                                ^   `--else--> WaitForCheckpoint
 *                                                |                     |
 *                                                `-- EvaluateCheckpoint <'
 *   a task whose retries are exhausted pages once (Report...Failure) and the clock goes on:
 *   Acknowledge -> NotifyTeam, NotifyTeam -> PlanClock, PlanClock / EvaluateCheckpoint -> the
 *   next checkpoint of the execution's schedule (SkipCheckpoint). Only a pager that cannot be
 *   reached ends in ClockFailed.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Metric, MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  Result,
  type RetryProps,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke, SnsPublish } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CLOCK_STATES } from '../../lambdas/clock/contract.ts';
import { grantTopicPublish } from './alert-topics.ts';
import { cprLogGroup } from './log-group.ts';

/**
 * Retries of every task. A function that throws (SES or DynamoDB throttled, a network blip) is
 * retried 4 times, after up to 2, 4, 8 and 16 s (full jitter, so executions that failed together
 * do not retry together); what still fails pages once and the clock goes on. The task functions are
 * idempotent per case (a retried Acknowledge answers `alreadySent`). The 12 h checkpoints leave room
 * for that, not for hours of silent retrying.
 */
export const TASK_RETRY: Readonly<RetryProps> = {
  errors: [Errors.ALL],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 4,
  jitterStrategy: JitterType.FULL,
};

/** Where a caught error lands in the state: the Report...Failure states and ClockFailed read it there. */
export const ERROR_PATH = '$.error';

export interface ClockTaskFunctions {
  readonly acknowledge: IFunction;
  readonly notifyTeam: IFunction;
  readonly checkpoint: IFunction;
}

export interface DeadlineClockProps {
  readonly tasks: ClockTaskFunctions;
  /** Told when a case's clock fails: its deadlines are no longer watched. */
  readonly pagerTopic: ITopic;
  readonly logRetention: RetentionDays;
  /** Of the execution log group: the timeline of every case's clock. */
  readonly removalPolicy: RemovalPolicy;
}

export class DeadlineClock extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DeadlineClockProps) {
    super(scope, id);

    this.logGroup = cprLogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account-wide
      // CloudWatch Logs resource policy (5,120 characters) with one entry per state machine.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-deadline-clock`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    const caseId = JsonPath.stringAt('$.caseId');
    const invoke = (name: string, fn: IFunction, payload: Record<string, unknown>, at: string) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: TaskInput.fromObject(payload),
        // The function's return value is the result; no Invoke envelope (StatusCode, Payload).
        payloadResponseOnly: true,
        resultPath: at,
      });

    const acknowledge = invoke(
      CLOCK_STATES.acknowledge,
      props.tasks.acknowledge,
      { caseId },
      '$.ack',
    );
    const notifyTeam = invoke(
      CLOCK_STATES.notifyTeam,
      props.tasks.notifyTeam,
      { caseId },
      '$.team',
    );
    const plan = invoke(
      CLOCK_STATES.plan,
      props.tasks.checkpoint,
      { caseId, afterIndex: -1 },
      '$.next',
    );
    const evaluate = invoke(
      CLOCK_STATES.evaluate,
      props.tasks.checkpoint,
      { caseId, evaluateIndex: JsonPath.numberAt('$.next.index') },
      '$.next',
    );

    const failed = new Fail(this, CLOCK_STATES.failed, {
      comment: 'Only when the pager itself cannot be told: the executions-failed alarm sees it',
      errorPath: JsonPath.stringAt(`${ERROR_PATH}.Error`),
      causePath: JsonPath.stringAt(`${ERROR_PATH}.Cause`),
    });
    /**
     * Pages once, with the step that failed and its error, then goes on to `next`: no single
     * task's failure stops the clock. If even the pager cannot be told, the execution fails.
     */
    const reportThen = (name: string, step: string, consequence: string, next: IChainable) => {
      const report = new SnsPublish(this, name, {
        topic: props.pagerTopic,
        subject: `CPR deadline clock: ${step} failed`,
        message: TaskInput.fromText(
          JsonPath.format(
            `Case {}: ${step} failed after its retries; ${consequence} ` +
              'Execution: {}. Error: {}: {}',
            caseId,
            JsonPath.executionId,
            JsonPath.stringAt(`${ERROR_PATH}.Error`),
            JsonPath.stringAt(`${ERROR_PATH}.Cause`),
          ),
        ),
        resultPath: JsonPath.DISCARD,
      });
      report.addRetry(TASK_RETRY);
      report.addCatch(failed, { errors: [Errors.ALL], resultPath: '$.reportError' });
      report.next(next);
      return report;
    };
    const catchInto = (task: LambdaInvoke, handler: IChainable) => {
      task.addRetry(TASK_RETRY);
      // States.ALL catches every error a task raises; States.Runtime (a bad path in this
      // definition) is not catchable and fails the execution directly.
      task.addCatch(handler, { errors: [Errors.ALL], resultPath: ERROR_PATH });
    };

    const done = new Choice(this, CLOCK_STATES.done);
    const stopped = new Succeed(this, CLOCK_STATES.stopped, {
      comment: 'Case closed, obligations met, or no checkpoint left',
    });
    const wait = new Wait(this, CLOCK_STATES.wait, {
      time: WaitTime.timestampPath('$.next.at'),
    });

    // After a failed plan or evaluation, the clock goes on with the schedule it was started
    // with ($.deadlines.checkpoints): the next index, waited for like any other. The loop is
    // bounded by the schedule's length, and every pass waits for a later checkpoint.
    const skip = new Pass(this, CLOCK_STATES.skipCheckpoint, {
      parameters: {
        index: JsonPath.mathAdd(JsonPath.numberAt('$.next.index'), 1),
        count: JsonPath.arrayLength(JsonPath.listAt('$.deadlines.checkpoints')),
      },
      resultPath: '$.skip',
    });
    const scheduled = new Pass(this, CLOCK_STATES.scheduledCheckpoint, {
      parameters: {
        index: JsonPath.numberAt('$.skip.index'),
        checkpoint: JsonPath.arrayGetItem(
          JsonPath.listAt('$.deadlines.checkpoints'),
          JsonPath.numberAt('$.skip.index'),
        ),
      },
      resultPath: '$.skip',
    });
    const nextFromSchedule = new Pass(this, CLOCK_STATES.nextFromSchedule, {
      parameters: {
        done: false,
        index: JsonPath.numberAt('$.skip.index'),
        level: JsonPath.stringAt('$.skip.checkpoint.level'),
        at: JsonPath.stringAt('$.skip.checkpoint.at'),
      },
      resultPath: '$.next',
    });
    skip.next(
      new Choice(this, CLOCK_STATES.checkpointLeft)
        .when(
          Condition.numberLessThanJsonPath('$.skip.index', '$.skip.count'),
          scheduled.next(nextFromSchedule).next(wait),
        )
        .otherwise(stopped),
    );
    const fromFirst = new Pass(this, CLOCK_STATES.fromFirstCheckpoint, {
      result: Result.fromObject({ index: -1 }),
      resultPath: '$.next',
    });
    fromFirst.next(skip);

    catchInto(
      acknowledge,
      reportThen(
        CLOCK_STATES.reportAcknowledgeFailure,
        'the acknowledgment',
        'the clock goes on without it (the reporter may not have been acknowledged).',
        notifyTeam,
      ),
    );
    catchInto(
      notifyTeam,
      reportThen(
        CLOCK_STATES.reportNotifyTeamFailure,
        'the team notice',
        'the clock goes on: tell the team about this case yourself.',
        plan,
      ),
    );
    catchInto(
      plan,
      reportThen(
        CLOCK_STATES.reportPlanFailure,
        'planning the checkpoints',
        'the clock goes on with the schedule it was started with.',
        fromFirst,
      ),
    );
    catchInto(
      evaluate,
      reportThen(
        CLOCK_STATES.reportCheckpointFailure,
        'a checkpoint evaluation',
        'this checkpoint escalated nothing; the clock goes on to the next one.',
        skip,
      ),
    );

    const definition = acknowledge
      .next(notifyTeam)
      .next(plan)
      .next(
        done
          .when(Condition.booleanEquals('$.next.done', true), stopped)
          .otherwise(wait.next(evaluate).next(done)),
      );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      comment: 'CPR deadline clock, one execution per case',
      tracingEnabled: true,
      // Execution data is case ids, checkpoint times and task results: no key material, and it
      // is the case's timeline an incident report needs (CCADB: to the minute, UTC).
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    // SnsPublish grants sns:Publish only; the pager topic is encrypted.
    grantTopicPublish(this.stateMachine, props.pagerTopic);

    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error(`${this.node.path}: state machine role has no default policy`);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only what Step Functions needs for its own logging and tracing: the CloudWatch Logs ' +
        'delivery actions (logs:CreateLogDelivery, ..., logs:DescribeLogGroups) and the X-Ray ' +
        'actions support no resource-level permissions. Task permissions name their resources.',
    });
    for (const fn of new Set(Object.values(props.tasks))) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionLogicalId(fn)}.Arn>:*]`,
        reason:
          'LambdaInvoke grants lambda:InvokeFunction on this one function and its versions and ' +
          'aliases (`<arn>:*`); the state machine invokes the unqualified function only.',
      });
    }
  }

  /** Executions that ended in ClockFailed or failed outright (alarms.ts pages on them). */
  metricExecutionsFailed(options?: MetricOptions): Metric {
    return this.stateMachine.metricFailed(options);
  }
}

function functionLogicalId(fn: IFunction): string {
  const child = fn.node.defaultChild;
  if (!child || !('logicalId' in child)) {
    throw new Error(`${fn.node.path}: only functions defined in this app can be clock tasks`);
  }
  return Stack.of(fn).resolve((child as { logicalId: string }).logicalId);
}
