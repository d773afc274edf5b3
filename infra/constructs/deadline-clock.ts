/**
 * The deadline clock: one Standard execution per case (named after the case id, so a repeated
 * start is refused), waiting for the BR 4.9.5 / 4.9.1.1 checkpoints.
 */
import { type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface DeadlineClockProps {
  readonly logRetention: RetentionDays;
  /** Of the execution log group: the timeline of every case's clock. */
  readonly removalPolicy: RemovalPolicy;
}

export class DeadlineClock extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: DeadlineClockProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account-wide
      // CloudWatch Logs resource policy (5,120 characters) with one entry per state machine.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-deadline-clock`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // PLACEHOLDER: the deadline-clock issue replaces this with the real definition (Wait until
    // the 12 h / 20 h / 24 h checkpoints, read the case, escalate what is still open). Until then
    // an execution only proves that intake started the clock for the case.
    const definition = new Pass(this, 'ClockStarted', {
      comment: 'Placeholder until the deadline-clock issue adds the escalation checkpoints',
    }).next(new Succeed(this, 'Done'));

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      comment: 'CPR deadline clock, one execution per case',
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });

    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error(`${this.node.path}: state machine role has no default policy`);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only what Step Functions needs for its own logging and tracing: the CloudWatch Logs ' +
        'delivery actions (logs:CreateLogDelivery, ..., logs:DescribeLogGroups) and the X-Ray ' +
        'actions support no resource-level permissions. Task permissions come later, per resource.',
    });
  }
}
