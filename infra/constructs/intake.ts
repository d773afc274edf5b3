/**
 * The intake function: invoked asynchronously by the SES receipt rule after the raw message is in
 * the inbound bucket; parses it, writes the evidence JSON, opens or joins the case and starts the
 * case's deadline clock.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { EVIDENCE_PREFIX } from '../config.ts';
import { lambdaEntry } from '../paths.ts';
import type { CaseStore } from './case-store.ts';
import { CprFunction } from './cpr-function.ts';
import type { DeadlineClock } from './deadline-clock.ts';
import type { InboundMailBucket } from './inbound-mail-bucket.ts';

/** A raw message can be 40 MB (SES's inbound limit); parsed parts and archives come on top. */
export const INTAKE_MEMORY_MB = 1024;
/** Parsing a 40 MB mass report with thousands of certificates, with headroom. */
export const INTAKE_TIMEOUT = Duration.minutes(2);

export interface IntakeProps {
  readonly mail: InboundMailBucket;
  readonly store: CaseStore;
  readonly clock: DeadlineClock;
  /** Our published CPR addresses (CPR_ADDRESSES, comma-joined). */
  readonly cprAddresses: readonly string[];
  readonly deadlinePolicyVersion: string;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class Intake extends Construct {
  readonly function: CprFunction;

  constructor(scope: Construct, id: string, props: IntakeProps) {
    super(scope, id);
    const { bucket, inboundPrefix } = props.mail;

    this.function = new CprFunction(this, 'Function', {
      entry: lambdaEntry('intake/handler.ts'),
      description: 'CPR intake: raw message from S3 to case, evidence and deadline clock',
      memorySize: INTAKE_MEMORY_MB,
      timeout: INTAKE_TIMEOUT,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      serviceName: 'cpr-intake',
      metricsNamespace: 'CprIntake',
    })
      .bindBucketRead(bucket, ENV.inboundBucket, inboundPrefix, {
        prefixEnvName: ENV.inboundPrefix,
      })
      .bindBucketRead(bucket, ENV.evidenceBucket, EVIDENCE_PREFIX, {
        prefixEnvName: ENV.evidencePrefix,
      })
      .bindBucketWrite(bucket, ENV.evidenceBucket, EVIDENCE_PREFIX)
      .bindTable(props.store.cases, ENV.casesTable, 'readWrite')
      .bindTable(props.store.inventory, ENV.inventoryTable, 'read')
      .bindStateMachineStart(props.clock.stateMachine, ENV.stateMachineArn)
      .setEnv(ENV.cprAddresses, props.cprAddresses.join(','))
      .setEnv(ENV.deadlinePolicy, props.deadlinePolicyVersion);
  }
}
