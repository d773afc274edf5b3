/**
 * The canary: every few minutes a function sends a synthetic report through SES to the public CPR
 * address, signed with an HMAC key from Secrets Manager that only it and intake can read. Intake
 * recognises it and records a heartbeat instead of a case; the canary reads that heartbeat on its
 * next run and publishes its age, and checks the rest of the path around it (active receipt rule
 * set, confirmed alert subscriptions). The alarms in `alarms.ts` page on what it publishes.
 */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CASES_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { METRIC_SERVICES } from '../../lambdas/shared/metric-names.ts';
import { lambdaEntry } from '../paths.ts';
import type { AlertTopics } from './alert-topics.ts';
import type { CaseStore } from './case-store.ts';
import { CprFunction } from './cpr-function.ts';
import type { NoticeDelivery } from './notice-delivery.ts';

/** Length of the generated HMAC key: 64 characters, far above the 32 bytes intake requires. */
export const CANARY_SECRET_LENGTH = 64;
/** A handful of SDK calls; the slowest is SES accepting the mail. */
const CANARY_TIMEOUT = Duration.seconds(60);
const CANARY_MEMORY_MB = 256;

export interface CanaryProps {
  readonly store: CaseStore;
  readonly alerts: AlertTopics;
  readonly delivery: NoticeDelivery;
  /** From address of the canary mail: the notice sender, a verified identity. */
  readonly senderAddress: string;
  /** The public CPR addresses; the canary writes to the first. */
  readonly cprAddresses: readonly string[];
  /** The receipt rule set that must be the active one. */
  readonly ruleSetName: string;
  readonly intervalMinutes: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The schedule as a cron: runs on the hour and every N minutes after, one per alarm period. */
export function canarySchedule(intervalMinutes: number): Schedule {
  return Schedule.cron({ minute: intervalMinutes === 60 ? '0' : `0/${intervalMinutes}` });
}

export class Canary extends Construct {
  /** The HMAC key of the X-CPR-Canary token; intake gets read access too. */
  readonly secret: Secret;
  readonly function: CprFunction;
  readonly schedule: Rule;
  readonly intervalMinutes: number;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    this.intervalMinutes = props.intervalMinutes;
    const [recipient] = props.cprAddresses;
    if (!recipient) throw new Error(`${this.node.path}: no CPR address to send the canary to`);

    this.secret = new Secret(this, 'Secret', {
      description:
        'HMAC key of the CPR intake canary token (X-CPR-Canary); read by the canary and intake',
      generateSecretString: {
        passwordLength: CANARY_SECRET_LENGTH,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key only authenticates synthetic test mail (a forged token can at worst silence one ' +
        'message as a heartbeat, and the heartbeat alarm still needs real ones). Automatic ' +
        'rotation would make intake, which reads the key at cold start, refuse canaries until ' +
        'its containers recycle; docs/operations.md describes a manual rotation.',
    });

    const { delivery, alerts, store } = props;
    this.function = new CprFunction(this, 'Function', {
      entry: lambdaEntry('canary/handler.ts'),
      description: 'CPR canary: sends a signed test report to the CPR address and checks the path',
      memorySize: CANARY_MEMORY_MB,
      timeout: CANARY_TIMEOUT,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      service: METRIC_SERVICES.canary,
      // A retry after the next scheduled run has nothing left to prove.
      maxEventAge: Duration.minutes(props.intervalMinutes),
    })
      .bindSecretRead(this.secret, ENV.canarySecretArn)
      .bindSendEmail(delivery.configurationSet, delivery.senderIdentityArns, ENV.configurationSet, {
        fromAddress: props.senderAddress,
        recipients: [recipient],
      })
      .bindTable(store.cases, ENV.casesTable, 'getItem', {
        indexNames: [CASES_TABLE_SCHEMA.openByDeadlineIndex.name],
      })
      .bindTopicPublish(alerts.team, ENV.teamTopicArn)
      .bindTopicSubscriptionsRead(alerts.team, ENV.teamTopicArn)
      .bindTopicSubscriptionsRead(alerts.escalation, ENV.escalationTopicArn)
      .bindTopicSubscriptionsRead(alerts.pager, ENV.pagerTopicArn)
      .grantUnscoped(
        'ReceiptRuleSetCheck',
        ['ses:DescribeActiveReceiptRuleSet'],
        'ses:DescribeActiveReceiptRuleSet supports no resource-level permissions (the IAM ' +
          'service authorization reference lists no resource type for it); it is read-only and ' +
          'the only action of this policy.',
      )
      .setEnv(ENV.senderAddress, props.senderAddress)
      .setEnv(ENV.cprAddresses, props.cprAddresses.join(','))
      .setEnv(ENV.receiptRuleSetName, props.ruleSetName)
      .setEnv(ENV.canaryIntervalMinutes, String(props.intervalMinutes));

    this.schedule = new Rule(this, 'Schedule', {
      description: `Runs the CPR intake canary every ${props.intervalMinutes} minutes`,
      schedule: canarySchedule(props.intervalMinutes),
      targets: [
        new LambdaFunction(this.function.fn, {
          maxEventAge: Duration.minutes(props.intervalMinutes),
          retryAttempts: 2,
          ...(this.function.failureQueue && { deadLetterQueue: this.function.failureQueue }),
        }),
      ],
    });
  }
}
