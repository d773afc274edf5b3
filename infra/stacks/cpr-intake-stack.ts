/**
 * The intake stack, in the order a report meets it: SES receiving (rule set, rule, activation),
 * the inbound bucket and the Object Lock archive, the intake function, the case tables, the
 * deadline clock with its task functions, notice sending (identity, configuration set, delivery
 * events) and the alert topics; then what watches it all: the canary, the alarms and the
 * dashboard. Outputs are the contract in `../stack-outputs.ts`.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { type CprConfig, domainOf, EVIDENCE_PREFIX, receiptRuleSetNameOf } from '../config.ts';
import { CprAlarms } from '../constructs/alarms.ts';
import { AlertTopics } from '../constructs/alert-topics.ts';
import { BlocklistBucket } from '../constructs/blocklist-bucket.ts';
import { BreakGlassRole } from '../constructs/break-glass.ts';
import { Canary } from '../constructs/canary.ts';
import { CaseStore, dataRemovalPolicy } from '../constructs/case-store.ts';
import { ClockTasks } from '../constructs/clock-tasks.ts';
import type { CprFunction } from '../constructs/cpr-function.ts';
import { CprDashboard } from '../constructs/dashboard.ts';
import { DeadlineClock } from '../constructs/deadline-clock.ts';
import { InboundMailBucket } from '../constructs/inbound-mail-bucket.ts';
import { Intake } from '../constructs/intake.ts';
import { MailKey } from '../constructs/keys.ts';
import { MailArchive } from '../constructs/mail-archive.ts';
import { MailReceiving } from '../constructs/mail-receiving.ts';
import { NoticeDelivery } from '../constructs/notice-delivery.ts';
import { RevocationVerifier } from '../constructs/revocation-verifier.ts';
import { dnsRecords } from '../dns-records.ts';
import { STACK_OUTPUTS, type StackOutputKey } from '../stack-outputs.ts';

export { STACK_OUTPUTS } from '../stack-outputs.ts';

export interface CprIntakeStackProps extends StackProps {
  readonly config: CprConfig;
}

export class CprIntakeStack extends Stack {
  readonly mailKey: MailKey;
  readonly breakGlass: BreakGlassRole;
  readonly mail: InboundMailBucket;
  readonly archive: MailArchive;
  readonly store: CaseStore;
  readonly blocklist: BlocklistBucket;
  readonly alerts: AlertTopics;
  readonly delivery: NoticeDelivery;
  readonly tasks: ClockTasks;
  readonly clock: DeadlineClock;
  readonly intake: Intake;
  readonly receiving: MailReceiving;
  readonly canary: Canary;
  readonly verifier: RevocationVerifier;
  readonly alarms: CprAlarms;
  readonly dashboard: CprDashboard;

  constructor(scope: Construct, id: string, props: CprIntakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = dataRemovalPolicy(config.protection.retainData);

    // Always retained: without it the locked archive (which outlives the stack) is unreadable.
    this.mailKey = new MailKey(this, 'MailKey', { removalPolicy: RemovalPolicy.RETAIN });
    this.mail = new InboundMailBucket(this, 'InboundMail', {
      inboundPrefix: config.inboundPrefix,
      removalPolicy,
      key: this.mailKey,
    });
    this.archive = new MailArchive(this, 'MailArchive', {
      retentionYears: config.retentionYears,
      accessLogs: this.mail.accessLogs,
      key: this.mailKey,
    });
    this.breakGlass = new BreakGlassRole(this, 'BreakGlass', { stackName: config.stackName })
      .allow(this.mail.bucket, config.inboundPrefix, 'read')
      .allow(this.mail.bucket, config.inboundPrefix, 'write')
      .allow(this.mail.bucket, EVIDENCE_PREFIX, 'read')
      .allow(this.archive.bucket, config.inboundPrefix, 'read');
    this.store = new CaseStore(this, 'CaseStore', {
      removalPolicy,
      deletionProtection: config.protection.deletionProtection,
      breakGlassRoleArn: this.breakGlass.role.roleArn,
      inventoryImport: config.inventoryImport,
    });
    const logRetention = config.logRetentionDays;
    this.alerts = new AlertTopics(this, 'Alerts', {
      subscriptions: config.subscriptions,
      removalPolicy,
    });
    this.delivery = new NoticeDelivery(this, 'NoticeDelivery', {
      senderAddress: config.senderAddress,
      identities: config.sesIdentities,
      alerts: this.alerts,
      store: this.store,
      inboundBucket: this.mail.bucket,
      logRetention,
      removalPolicy,
    });
    this.blocklist = new BlocklistBucket(this, 'Blocklist', {
      accessLogs: this.mail.accessLogs,
      removalPolicy,
    });
    this.tasks = new ClockTasks(this, 'ClockTasks', {
      store: this.store,
      alerts: this.alerts,
      delivery: this.delivery,
      inboundBucket: this.mail.bucket,
      blocklist: this.blocklist.bucket,
      senderAddress: config.senderAddress,
      caName: config.caName,
      cprAddresses: config.cprAddresses,
      acknowledgmentLimits: config.acknowledgmentLimits,
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
      archive: this.archive,
      store: this.store,
      clock: this.clock,
      alerts: this.alerts,
      cprAddresses: config.cprAddresses,
      senderAddress: config.senderAddress,
      deadlinePolicyVersion: config.deadlinePolicyVersion,
      issuers: config.issuers,
      logRetention,
      removalPolicy,
    });
    this.receiving = new MailReceiving(this, 'MailReceiving', {
      mail: this.mail,
      intakeFunction: this.intake.function.fn,
      recipients: config.cprAddresses,
      ruleSetName: receiptRuleSetNameOf(config),
      existingRuleSet: config.existingReceiptRuleSetName !== undefined,
      activate: config.activateRuleSet,
      verifyDomains: config.sesIdentities.create
        ? config.mailDomains.filter((d) => d !== domainOf(config.senderAddress))
        : [],
      logRetention,
      removalPolicy,
    });
    this.canary = new Canary(this, 'Canary', {
      store: this.store,
      alerts: this.alerts,
      delivery: this.delivery,
      senderAddress: config.senderAddress,
      cprAddresses: config.cprAddresses,
      ruleSetName: this.receiving.ruleSetName,
      intervalMinutes: config.canaryIntervalMinutes,
      logRetention,
      removalPolicy,
    });
    this.verifier = new RevocationVerifier(this, 'RevocationVerifier', {
      store: this.store,
      alerts: this.alerts,
      issuers: config.issuers,
      logRetention,
      removalPolicy,
    });
    // Both ends of the token: intake verifies what the canary signs.
    this.intake.function.bindSecretRead(this.canary.secret, ENV.canarySecretArn);

    const failureQueues = {
      intake: requireFailureQueue(this.intake.function),
      'delivery-events': requireFailureQueue(this.delivery.eventsFunction),
      canary: requireFailureQueue(this.canary.function),
      'revocation-verifier': requireFailureQueue(this.verifier.function),
    };
    const topics = {
      team: this.alerts.team,
      escalation: this.alerts.escalation,
      pager: this.alerts.pager,
      'delivery-events': this.delivery.eventsTopic,
    };
    this.alarms = new CprAlarms(this, 'Alarms', {
      stackName: config.stackName,
      pager: this.alerts.pager,
      team: this.alerts.team,
      canaryIntervalMinutes: config.canaryIntervalMinutes,
      intakeFunction: this.intake.function.fn,
      failureQueues,
      stateMachine: this.clock.stateMachine,
      topics,
    });
    this.dashboard = new CprDashboard(this, 'Dashboard', {
      dashboardName: config.stackName,
      alarms: this.alarms,
      canaryIntervalMinutes: config.canaryIntervalMinutes,
      functions: {
        intake: this.intake.function.fn,
        acknowledge: this.tasks.acknowledge.fn,
        'notify-team': this.tasks.notifyTeam.fn,
        checkpoint: this.tasks.checkpoint.fn,
        'delivery-events': this.delivery.eventsFunction.fn,
        canary: this.canary.function.fn,
        'revocation-verifier': this.verifier.function.fn,
      },
      failureQueues,
      stateMachine: this.clock.stateMachine,
      topics,
    });

    const outputs: Record<StackOutputKey, string> = {
      inboundBucket: this.mail.bucket.bucketName,
      keyPrefixes: JSON.stringify({ inbound: config.inboundPrefix, evidence: EVIDENCE_PREFIX }),
      evidenceBucket: this.mail.bucket.bucketName,
      archiveBucket: this.archive.bucket.bucketName,
      blocklistBucket: this.blocklist.bucket.bucketName,
      casesTable: this.store.cases.tableName,
      auditTable: this.store.audit.tableName,
      inventoryTable: this.store.inventory.tableName,
      deadlineStateMachine: this.clock.stateMachine.stateMachineArn,
      intakeFunction: this.intake.function.fn.functionName,
      intakeFailureQueue: failureQueues.intake.queueUrl,
      teamTopic: this.alerts.team.topicArn,
      escalationTopic: this.alerts.escalation.topicArn,
      pagerTopic: this.alerts.pager.topicArn,
      deliveryEventsTopic: this.delivery.eventsTopic.topicArn,
      configurationSet: this.delivery.configurationSet.configurationSetName,
      senderAddress: config.senderAddress,
      caName: config.caName,
      acknowledgmentLimits: JSON.stringify(config.acknowledgmentLimits),
      cprAddresses: config.cprAddresses.join(','),
      mailDomains: config.mailDomains.join(','),
      dnsRecords: this.toJsonString(
        dnsRecords({
          mailDomains: config.mailDomains,
          identities: [
            ...(this.delivery.identity ? [this.delivery.identity] : []),
            ...this.receiving.identities,
          ],
          mailFromDomain: this.delivery.mailFromDomain,
        }),
      ),
      receiptRuleSet: this.receiving.ruleSetName,
      acknowledgeFunction: this.tasks.acknowledge.fn.functionName,
      notifyTeamFunction: this.tasks.notifyTeam.fn.functionName,
      checkpointFunction: this.tasks.checkpoint.fn.functionName,
      deliveryEventsFunction: this.delivery.eventsFunction.fn.functionName,
      deliveryEventsFailureQueue: failureQueues['delivery-events'].queueUrl,
      canaryFunction: this.canary.function.fn.functionName,
      canaryFailureQueue: failureQueues.canary.queueUrl,
      dashboard: this.dashboard.dashboard.dashboardName,
    };
    for (const [key, value] of Object.entries(outputs)) {
      const outputKey = STACK_OUTPUTS[key as StackOutputKey];
      new CfnOutput(this, outputKey, { value });
    }
  }
}

function requireFailureQueue(fn: CprFunction): IQueue {
  if (!fn.failureQueue) throw new Error(`${fn.node.path}: an async function without failure queue`);
  return fn.failureQueue;
}
