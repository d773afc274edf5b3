/** The intake stack: inbound mail bucket, case tables, deadline clock and the intake function. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type CprConfig, EVIDENCE_PREFIX } from '../config.ts';
import { CaseStore, dataRemovalPolicy } from '../constructs/case-store.ts';
import { DeadlineClock } from '../constructs/deadline-clock.ts';
import { InboundMailBucket } from '../constructs/inbound-mail-bucket.ts';
import { Intake } from '../constructs/intake.ts';

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
} as const;

export interface CprIntakeStackProps extends StackProps {
  readonly config: CprConfig;
}

export class CprIntakeStack extends Stack {
  readonly mail: InboundMailBucket;
  readonly store: CaseStore;
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
    this.clock = new DeadlineClock(this, 'DeadlineClock', {
      logRetention: config.logRetentionDays,
      removalPolicy,
    });
    this.intake = new Intake(this, 'Intake', {
      mail: this.mail,
      store: this.store,
      clock: this.clock,
      cprAddresses: config.cprAddresses,
      deadlinePolicyVersion: config.deadlinePolicyVersion,
      logRetention: config.logRetentionDays,
      removalPolicy,
    });

    const outputs: Record<keyof typeof STACK_OUTPUTS, string> = {
      inboundBucket: this.mail.bucket.bucketName,
      keyPrefixes: JSON.stringify({ inbound: config.inboundPrefix, evidence: EVIDENCE_PREFIX }),
      casesTable: this.store.cases.tableName,
      inventoryTable: this.store.inventory.tableName,
      deadlineStateMachine: this.clock.stateMachine.stateMachineArn,
      intakeFunction: this.intake.function.fn.functionName,
      intakeFailureQueue: this.intake.function.failureQueue.queueUrl,
    };
    for (const [key, value] of Object.entries(outputs)) {
      const outputKey = STACK_OUTPUTS[key as keyof typeof STACK_OUTPUTS];
      new CfnOutput(this, outputKey, { value });
    }
  }
}
