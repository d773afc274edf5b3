/**
 * The scheduled verifier: every few minutes EventBridge Scheduler invokes a function that looks at
 * the open cases' recorded revocations from outside (the issuers' OCSP responders and CRLs, as a
 * relying party), records each check, marks what is verified, and alerts the team and the pager
 * at once about a revocation still not visible (`lambdas/domain/revocation/verify-round.ts`).
 *
 * Network: the function is not in a VPC. Lambda outside a VPC reaches the internet outbound (the
 * responders are third-party HTTP(S) servers, on any port their URLs name) and accepts no inbound
 * connection at all: it has no address anyone can reach; it runs only when invoked.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { CASES_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import type { IssuerConfig } from '../../lambdas/domain/issuers/config.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { METRIC_SERVICES } from '../../lambdas/shared/metric-names.ts';
import { lambdaEntry } from '../paths.ts';
import type { AlertTopics } from './alert-topics.ts';
import type { CaseStore } from './case-store.ts';
import { CprFunction } from './cpr-function.ts';
import { issuersFile } from './issuers.ts';

export interface RevocationVerifierProps {
  /** The cases table: the open cases, their revocation obligations and audit events. */
  readonly store: CaseStore;
  /** The not-visible alert goes to the team and pager topics. */
  readonly alerts: AlertTopics;
  /** Whose OCSP responders and CRLs are asked (bundled as `issuers.json`). */
  readonly issuers: readonly IssuerConfig[];
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Minutes between rounds: a revocation that is not visible is noticed within this, and a good
 * OCSP answer is asked again no sooner (the checker's caches keep what responders state).
 */
export const VERIFY_INTERVAL_MINUTES = 5;
/** A round of MAX_CERTIFICATES_PER_ROUND at the per-host rate limit, plus CRL downloads. */
const VERIFIER_TIMEOUT = Duration.minutes(4);
/** CRLs of tens of MB are parsed in memory (MAX_CRL_BYTES is 64 MB). */
const VERIFIER_MEMORY_MB = 1024;

export class RevocationVerifier extends Construct {
  /** One round per invocation (`lambdas/revocation-verifier/handler.ts`). */
  readonly function: CprFunction;
  /** The role EventBridge Scheduler invokes the function with. */
  readonly scheduleRole: Role;

  constructor(scope: Construct, id: string, props: RevocationVerifierProps) {
    super(scope, id);
    this.function = new CprFunction(this, 'Function', {
      entry: lambdaEntry('revocation-verifier/handler.ts'),
      description: 'CPR verifier: looks at recorded revocations from outside (OCSP, CRL)',
      memorySize: VERIFIER_MEMORY_MB,
      timeout: VERIFIER_TIMEOUT,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      service: METRIC_SERVICES.revocationVerifier,
      // One round at a time: two would ask the same responders twice as often.
      reservedConcurrency: 1,
      // A round retried after the next one started has nothing left to do.
      maxEventAge: Duration.minutes(VERIFY_INTERVAL_MINUTES),
      bundledFiles: issuersFile(props.issuers),
    })
      // The open cases' ids (openByDeadline index), each case's revocation obligations (Query),
      // the case and each obligation by key, guarded writes of obligations.
      // No UpdateItem, no BatchWriteItem, no Scan; no inventory, no evidence, no S3 at all.
      .bindTable(props.store.cases, ENV.casesTable, 'getPutAndQuery', {
        indexNames: [CASES_TABLE_SCHEMA.openByDeadlineIndex.name],
      })
      // Verified and not-visible revocations are audit events: appended, never changed.
      .bindAuditLog(props.store.audit)
      // The not-visible alert: the team at once, and the pager (a deadline is at stake).
      .bindTopicPublish(props.alerts.team, ENV.teamTopicArn)
      .bindTopicPublish(props.alerts.pager, ENV.pagerTopicArn);

    // Scheduler's own role, trusted only for schedules of this account: it may invoke this one
    // function and send a refused invoke to its failure queue, nothing else.
    const role = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Invokes ${this.node.path}/Function on its schedule`,
    });
    this.scheduleRole = role;
    // Every VERIFY_INTERVAL_MINUTES, with the function's failure queue as its dead letter.
    new Schedule(this, 'Schedule', {
      description: `Looks at recorded revocations from outside every ${VERIFY_INTERVAL_MINUTES} minutes`,
      schedule: ScheduleExpression.rate(Duration.minutes(VERIFY_INTERVAL_MINUTES)),
      target: new LambdaInvoke(this.function.fn, {
        role,
        // Scheduler's own retries of a refused invoke; the function's failures are Lambda's.
        retryAttempts: 2,
        maxEventAge: Duration.minutes(VERIFY_INTERVAL_MINUTES),
        ...(this.function.failureQueue && { deadLetterQueue: this.function.failureQueue }),
      }),
    });
    const fnLogicalId = Stack.of(this).resolve(
      (this.function.fn.node.defaultChild as CfnFunction).logicalId,
    );
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on this one function; grantInvoke adds "<function ARN>:*" for ' +
          'its versions and aliases, which are still this function and nothing else.',
      });
    }
  }
}
