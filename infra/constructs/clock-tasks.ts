/**
 * The functions the deadline clock's tasks invoke (see `lambdas/clock/contract.ts`): acknowledge
 * the reporter, notify the team, plan and evaluate the escalation checkpoints. Step Functions
 * invokes them synchronously and does the retrying and catching, so they have no asynchronous
 * failure queue. Each has its own role with only what its task needs.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { INVENTORY_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { BLOCKLIST_OBJECT_KEY } from '../../lambdas/adapters/s3/blocklist-export.ts';
import type { AcknowledgmentLimits } from '../../lambdas/domain/notices/acknowledgment-limits.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { METRIC_SERVICES, type MetricService } from '../../lambdas/shared/metric-names.ts';
import { EVIDENCE_PREFIX } from '../config.ts';
import { lambdaEntry } from '../paths.ts';
import type { AlertTopics } from './alert-topics.ts';
import type { CaseStore } from './case-store.ts';
import { CprFunction, type CprFunctionProps } from './cpr-function.ts';
import {
  NOTICE_FUNCTION_MEMORY_MB,
  NOTICE_FUNCTION_TIMEOUT,
  type NoticeDelivery,
} from './notice-delivery.ts';

export interface ClockTasksProps {
  readonly store: CaseStore;
  readonly alerts: AlertTopics;
  readonly delivery: NoticeDelivery;
  /** Only its name: the team notice links the raw message in the console. */
  readonly inboundBucket: IBucket;
  /** The compromised-key blocklist's own bucket: the checkpoint rewrites its one object. */
  readonly blocklist: IBucket;
  readonly senderAddress: string;
  readonly caName: string;
  /** Our published CPR addresses; the acknowledgment's Reply-To is the first. */
  readonly cprAddresses: readonly string[];
  readonly acknowledgmentLimits: AcknowledgmentLimits;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class ClockTasks extends Construct {
  /** Sends the reporter the acknowledgment (not the BR 4.9.5 preliminary report). */
  readonly acknowledge: CprFunction;
  /** Tells the team a case opened, with what intake found. */
  readonly notifyTeam: CprFunction;
  /** Plans the next checkpoint and, at a checkpoint, escalates the obligations still open. */
  readonly checkpoint: CprFunction;

  constructor(scope: Construct, id: string, props: ClockTasksProps) {
    super(scope, id);
    const common = (
      entry: string,
      description: string,
      service: MetricService,
    ): CprFunctionProps => ({
      entry: lambdaEntry(entry),
      description,
      memorySize: NOTICE_FUNCTION_MEMORY_MB,
      timeout: NOTICE_FUNCTION_TIMEOUT,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      service,
      invocation: 'sync',
    });
    const { cases, audit } = props.store;
    const { alerts, delivery } = props;

    this.acknowledge = new CprFunction(
      this,
      'Acknowledge',
      common(
        'acknowledge/handler.ts',
        'CPR clock: acknowledges receipt to the reporter',
        METRIC_SERVICES.acknowledge,
      ),
    )
      .bindTable(cases, ENV.casesTable, 'getAndPut')
      .bindAuditLog(audit)
      // From is always the configured sender: the role cannot send as any other address of the
      // verified domain. (Recipients are whoever reported, so they cannot be pinned.)
      .bindSendEmail(delivery.configurationSet, delivery.senderIdentityArns, ENV.configurationSet, {
        fromAddress: props.senderAddress,
      })
      .setEnv(ENV.senderAddress, props.senderAddress)
      .setEnv(ENV.caName, props.caName)
      .setEnv(ENV.cprAddresses, props.cprAddresses.join(','))
      .setEnv(ENV.ackLimitPerAddress, String(props.acknowledgmentLimits.perAddress))
      .setEnv(ENV.ackLimitPerDomain, String(props.acknowledgmentLimits.perDomain))
      .setEnv(ENV.ackLimitWindowHours, String(props.acknowledgmentLimits.windowHours));

    this.notifyTeam = new CprFunction(
      this,
      'NotifyTeam',
      common(
        'notify-team/handler.ts',
        'CPR clock: tells the team a case opened',
        METRIC_SERVICES.notifyTeam,
      ),
    )
      .bindTable(cases, ENV.casesTable, 'getAndPut')
      .bindAuditLog(audit)
      .bindTopicPublish(alerts.team, ENV.teamTopicArn)
      .setEnv(ENV.inboundBucket, props.inboundBucket.bucketName);

    this.checkpoint = new CprFunction(
      this,
      'Checkpoint',
      common(
        'checkpoint/handler.ts',
        'CPR clock: plans and evaluates the escalation checkpoints',
        METRIC_SERVICES.checkpoint,
      ),
    )
      // The case, its audit events and outbound records by key; Query lists a case's revocation
      // obligations and the blocklist partition.
      .bindTable(cases, ENV.casesTable, 'getPutAndQuery')
      .bindAuditLog(audit)
      // Revocation obligations: every affected certificate, and the inventory re-checked for
      // certificates on a blocked key while the case is open (by serial and SPKI: its indexes);
      // the blocklist's S3 copy.
      .bindTable(props.store.inventory, ENV.inventoryTable, 'getItems', {
        indexNames: [
          INVENTORY_TABLE_SCHEMA.bySha256Index.name,
          INVENTORY_TABLE_SCHEMA.bySpkiIndex.name,
        ],
      })
      .bindBucketRead(props.inboundBucket, ENV.evidenceBucket, EVIDENCE_PREFIX, {
        prefixEnvName: ENV.evidencePrefix,
      })
      .bindObjectWrite(props.blocklist, ENV.blocklistBucket, BLOCKLIST_OBJECT_KEY)
      .bindTopicPublish(alerts.team, ENV.teamTopicArn)
      .bindTopicPublish(alerts.escalation, ENV.escalationTopicArn)
      .bindTopicPublish(alerts.pager, ENV.pagerTopicArn)
      .setEnv(ENV.inboundBucket, props.inboundBucket.bucketName);
  }
}
