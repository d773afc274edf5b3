/**
 * The intake function: invoked asynchronously by the SES receipt rule after the raw message is in
 * the inbound bucket; copies it to the Object Lock archive, recognises the canary (heartbeat, no
 * case), parses it, writes the evidence JSON, opens or joins the case and starts the case's
 * deadline clock. The canary's secret (CANARY_SECRET_ARN) is bound by the stack, next to the
 * canary that signs with it.
 */

import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { INVENTORY_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import type { IssuerConfig } from '../../lambdas/domain/issuers/config.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { METRIC_SERVICES } from '../../lambdas/shared/metric-names.ts';
import { EVIDENCE_PREFIX } from '../config.ts';
import { lambdaEntry } from '../paths.ts';
import type { AlertTopics } from './alert-topics.ts';
import type { CaseStore } from './case-store.ts';
import { CprFunction } from './cpr-function.ts';
import type { DeadlineClock } from './deadline-clock.ts';
import type { InboundMailBucket } from './inbound-mail-bucket.ts';
import { issuersFile } from './issuers.ts';
import type { MailArchive } from './mail-archive.ts';

/** A raw message can be 40 MB (SES's inbound limit); parsed parts and archives come on top. */
export const INTAKE_MEMORY_MB = 1024;
/** Parsing a 40 MB mass report with thousands of certificates, with headroom. */
export const INTAKE_TIMEOUT = Duration.minutes(2);

export interface IntakeProps {
  readonly mail: InboundMailBucket;
  /** The Object Lock bucket every raw message is copied to, under the same key. */
  readonly archive: MailArchive;
  readonly store: CaseStore;
  readonly clock: DeadlineClock;
  /** The team topic hears of every message that joins a case. */
  readonly alerts: AlertTopics;
  /** Our published CPR addresses (CPR_ADDRESSES, comma-joined). */
  readonly cprAddresses: readonly string[];
  /** From of our notices: also "our own" address, so mail from it is never acknowledged. */
  readonly senderAddress: string;
  readonly deadlinePolicyVersion: string;
  /** The CA's issuing certificates: a certificate matches by issuer and serial only if signed. */
  readonly issuers: readonly IssuerConfig[];
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
      service: METRIC_SERVICES.intake,
      bundledFiles: issuersFile(props.issuers),
    })
      .bindBucketRead(bucket, ENV.inboundBucket, inboundPrefix, {
        prefixEnvName: ENV.inboundPrefix,
      })
      .bindBucketRead(bucket, ENV.evidenceBucket, EVIDENCE_PREFIX, {
        prefixEnvName: ENV.evidencePrefix,
      })
      .bindBucketWrite(bucket, ENV.evidenceBucket, EVIDENCE_PREFIX)
      // HeadObject first (a retry must not add a second locked version), which S3 authorizes as
      // s3:GetObject; with s3:ListBucket a missing key is a 404, not a 403. Then PutObject.
      // No delete, no retention or legal-hold change: compliance mode would refuse them anyway.
      .bindBucketRead(props.archive.bucket, ENV.archiveBucket, inboundPrefix)
      .bindBucketWrite(props.archive.bucket, ENV.archiveBucket, inboundPrefix)
      .bindTable(props.store.cases, ENV.casesTable, 'readWrite')
      .bindAuditLog(props.store.audit)
      .bindTable(props.store.inventory, ENV.inventoryTable, 'getItems', {
        indexNames: [
          INVENTORY_TABLE_SCHEMA.bySha256Index.name,
          INVENTORY_TABLE_SCHEMA.bySpkiIndex.name,
        ],
      })
      .bindStateMachineStart(props.clock.stateMachine, ENV.stateMachineArn)
      // Every message that joins a case is announced to the team.
      .bindTopicPublish(props.alerts.team, ENV.teamTopicArn)
      .setEnv(ENV.cprAddresses, props.cprAddresses.join(','))
      .setEnv(ENV.senderAddress, props.senderAddress)
      .setEnv(ENV.deadlinePolicy, props.deadlinePolicyVersion);
  }
}
