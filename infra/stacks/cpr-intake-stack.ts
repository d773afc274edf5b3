/**
 * The intake stack: inbound mail bucket, case tables, alert topics, notice sending, the deadline
 * clock with its task functions, and the intake function.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type CprConfig, EVIDENCE_PREFIX } from '../config.ts';
import { AlertTopics } from '../constructs/alert-topics.ts';
import { CaseStore, dataRemovalPolicy } from '../constructs/case-store.ts';
import { ClockTasks } from '../constructs/clock-tasks.ts';
import type { CprFunction } from '../constructs/cpr-function.ts';
import { DeadlineClock } from '../constructs/deadline-clock.ts';
import { InboundMailBucket } from '../constructs/inbound-mail-bucket.ts';
import { Intake } from '../constructs/intake.ts';
import { NoticeDelivery } from '../constructs/notice-delivery.ts';

/**
 * Output keys of the stack: tools (the replay CLI, the canary) find the deployed resources
 * through `DescribeStacks` by these names, so they are a contract like the ENV names.
 */
export const STACK_OUTPUTS = {
  inboundBucket: 'InboundBucketName',
  /** JSON `{"inbound": "...", "evidence": "evidence/"}`: a bare '' is not a valid output value. */
  keyPrefixes: 'KeyPrefixes',
  casesTable: 'CasesTableName',
  inventoryTable: 'InventoryTableName',
  deadlineStateMachine: 'DeadlineStateMachineArn',
  intakeFunction: 'IntakeFunctionName',
  intakeFailureQueue: 'IntakeFailureQueueUrl',
  teamTopic: 'TeamTopicArn',
  escalationTopic: 'EscalationTopicArn',
  pagerTopic: 'PagerTopicArn',
  deliveryEventsTopic: 'DeliveryEventsTopicArn',
  configurationSet: 'SesConfigurationSetName',
  acknowledgeFunction: 'AcknowledgeFunctionName',
  notifyTeamFunction: 'NotifyTeamFunctionName',
  checkpointFunction: 'CheckpointFunctionName',
  deliveryEventsFunction: 'DeliveryEventsFunctionName',
  deliveryEventsFailureQueue: 'DeliveryEventsFailureQueueUrl',
} as const;

export interface CprIntakeStackProps extends StackProps {
  readonly config: CprConfig;
}

export class CprIntakeStack extends Stack {
  readonly mail: InboundMailBucket;
  readonly store: CaseStore;
  readonly alerts: AlertTopics;
  readonly delivery: NoticeDelivery;
  readonly tasks: ClockTasks;
  readonly clock: DeadlineClock;
  readonly intake: Intake;

  constructor(scope: Construct, id: string, props: CprIntakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = dataRemovalPolicy(config.protection.retainData);

    this.mail = new InboundMailBucket(this, 'InboundMail', {
      inboundPrefix: config.inboundPrefix,
      removalPolicy,
    });
    this.store = new CaseStore(this, 'CaseStore', {
      removalPolicy,
      deletionProtection: config.protection.deletionProtection,
    });
    const logRetention = config.logRetentionDays;
    this.alerts = new AlertTopics(this, 'Alerts', {
      subscriptions: config.subscriptions,
      removalPolicy,
    });
    this.delivery = new NoticeDelivery(this, 'NoticeDelivery', {
      senderAddress: config.senderAddress,
      alerts: this.alerts,
      store: this.store,
      inboundBucket: this.mail.bucket,
      logRetention,
      removalPolicy,
    });
    this.tasks = new ClockTasks(this, 'ClockTasks', {
      store: this.store,
      alerts: this.alerts,
      delivery: this.delivery,
      inboundBucket: this.mail.bucket,
      senderAddress: config.senderAddress,
      caName: config.caName,
      cprAddresses: config.cprAddresses,
      logRetention,
      removalPolicy,
    });
    this.clock = new DeadlineClock(this, 'DeadlineClock', {
      tasks: {
        acknowledge: this.tasks.acknowledge.fn,
        notifyTeam: this.tasks.notifyTeam.fn,
        checkpoint: this.tasks.checkpoint.fn,
      },
      pagerTopic: this.alerts.pager,
      logRetention,
      removalPolicy,
    });
    this.intake = new Intake(this, 'Intake', {
      mail: this.mail,
      store: this.store,
      clock: this.clock,
      cprAddresses: config.cprAddresses,
      deadlinePolicyVersion: config.deadlinePolicyVersion,
      logRetention,
      removalPolicy,
    });

    const outputs: Record<keyof typeof STACK_OUTPUTS, string> = {
      inboundBucket: this.mail.bucket.bucketName,
      keyPrefixes: JSON.stringify({ inbound: config.inboundPrefix, evidence: EVIDENCE_PREFIX }),
      casesTable: this.store.cases.tableName,
      inventoryTable: this.store.inventory.tableName,
      deadlineStateMachine: this.clock.stateMachine.stateMachineArn,
      intakeFunction: this.intake.function.fn.functionName,
      intakeFailureQueue: requireFailureQueue(this.intake.function).queueUrl,
      teamTopic: this.alerts.team.topicArn,
      escalationTopic: this.alerts.escalation.topicArn,
      pagerTopic: this.alerts.pager.topicArn,
      deliveryEventsTopic: this.delivery.eventsTopic.topicArn,
      configurationSet: this.delivery.configurationSet.configurationSetName,
      acknowledgeFunction: this.tasks.acknowledge.fn.functionName,
      notifyTeamFunction: this.tasks.notifyTeam.fn.functionName,
      checkpointFunction: this.tasks.checkpoint.fn.functionName,
      deliveryEventsFunction: this.delivery.eventsFunction.fn.functionName,
      deliveryEventsFailureQueue: requireFailureQueue(this.delivery.eventsFunction).queueUrl,
    };
    for (const [key, value] of Object.entries(outputs)) {
      const outputKey = STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS];
      new CfnOutput(this, outputKey, { value });
    }
  }
}

function requireFailureQueue(fn: CprFunction): IQueue {
  if (!fn.failureQueue) throw new Error(`${fn.node.path}: an async function without failure queue`);
  return fn.failureQueue;
}
