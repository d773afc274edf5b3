/**
 * The one house construct for functions: every Lambda of the project gets the same runtime,
 * architecture, bundling, logging, tracing and (unless it is only invoked synchronously, by a
 * Step Functions task) asynchronous failure handling, and receives its
 * permissions through `bind*` calls that grant least privilege and set the environment variable
 * the function reads, in one step (a rename of an ENV name is a compile error on both sides).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, type EnvName } from '../../lambdas/shared/env-names.ts';
import { METRICS_NAMESPACE, type MetricService } from '../../lambdas/shared/metric-names.ts';
import { LOCK_FILE, REPO_ROOT } from '../paths.ts';
import { grantTopicPublish } from './alert-topics.ts';
import { grantObjectKeyUse, OBJECT_ACTIONS, type ObjectKeyUse } from './keys.ts';
import { cprLogGroup } from './log-group.ts';

/**
 * ESM bundles that contain CommonJS dependencies (mailparser, iconv-lite, ...) call `require()`
 * for Node built-ins; esbuild's ESM output has no `require`, so the bundle creates one.
 */
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __cprCreateRequire } from 'node:module'; " +
  'const require = __cprCreateRequire(import.meta.url);';

/** Lambda's asynchronous invocation retries: the maximum the service allows. */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** How long Lambda keeps retrying an asynchronous event before it goes to the failure queue. */
export const ASYNC_MAX_EVENT_AGE = Duration.hours(6);
/** A failed event waits this long in the failure queue (SQS's maximum) for a person to replay it. */
const FAILURE_RETENTION = Duration.days(14);

/**
 * DynamoDB data-plane actions by access level. Deletes are never offered (case records are kept,
 * BR 5.4/5.5), nor `Scan` (no function needs a whole table), nor `BatchWriteItem` (it can delete).
 */
const TABLE_ACTIONS = {
  /** Single items by key, nothing else (the canary's heartbeat). */
  getItem: ['dynamodb:GetItem'],
  /**
   * Items by key, one or many per call, and no Query of the table: the inventory look-up
   * (`DynamoInventory.lookup`) reads its issuer list and its matches by key, after querying its
   * indexes (granted by name).
   */
  getItems: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
  /**
   * Items by key, read and (conditionally) written: what the notice functions do to a case, its
   * audit events and its outbound records (`updateCase` is a version-checked PutItem). No
   * UpdateItem, no Query, no BatchGetItem.
   */
  getAndPut: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  /**
   * getAndPut, and Query: the checkpoint also lists a case's revocation obligations and the
   * blocklist (one partition each). Still no UpdateItem, no BatchGetItem.
   */
  getPutAndQuery: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  /**
   * The audit log: whether an event is there (GetItem) and its append (a PutItem the adapter
   * conditions on `attribute_not_exists`). Nothing that changes or removes an item.
   */
  append: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  /**
   * What intake does to the cases table: items by key and one partition's items (Query), put
   * conditionally, and the message record's state changes (UpdateItem). No BatchGetItem: only the
   * inventory is read in batches.
   */
  readWrite: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const;
export type TableAccess = keyof typeof TABLE_ACTIONS;

export interface CprFunctionProps {
  /** Absolute path of the TypeScript entry file (see `lambdaEntry`). */
  readonly entry: string;
  /**
   * Files written next to the bundle, each with the variable that names its path: configuration
   * too large for Lambda's 4 KB of environment variables, shipped and versioned with the code
   * (the asset's hash changes with them), readable with no grant and no call at cold start.
   */
  readonly bundledFiles?: readonly BundledFile[];
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: RetentionDays;
  /** Applied to the log group and the failure queue. */
  readonly removalPolicy: RemovalPolicy;
  /** The function's service name (POWERTOOLS_SERVICE_NAME): its logs, traces and metrics. */
  readonly service: MetricService;
  /** @default - unreserved (shares the account's concurrency) */
  readonly reservedConcurrency?: number;
  /**
   * How the function is invoked. `async` (SES, SNS): Lambda retries an event and then sends it to
   * the failure queue. `sync`: only ever invoked and awaited by a caller that retries and catches
   * itself (a Step Functions task), so there is no asynchronous configuration and no queue that
   * would never receive anything.
   * @default 'async'
   */
  readonly invocation?: 'async' | 'sync';
  /** Where failed asynchronous events go. @default - a queue created for this function */
  readonly failureQueue?: IQueue;
  /** @default ASYNC_MAX_EVENT_AGE (6 h) */
  readonly maxEventAge?: Duration;
}

/** A file next to a function's code, and the variable that names its path there. */
export interface BundledFile {
  /** A plain file name (letters, digits, ".", "_", "-"). */
  readonly name: string;
  readonly content: string;
  readonly envName: EnvName;
}

export interface BucketBindOptions {
  /** Also set this variable to the prefix, so the function and its grant cannot disagree. */
  readonly prefixEnvName?: EnvName;
}

export interface TableBindOptions {
  /**
   * Global secondary indexes the function queries: dynamodb:Query on each, granted by name,
   * never `index/*` (an index serves no other item-level action).
   */
  readonly indexNames?: readonly string[];
}

/** Narrows a send grant to what one function ever sends (SES request condition keys). */
export interface SendEmailConditions {
  /** The only From address allowed (`ses:FromAddress`). */
  readonly fromAddress?: string;
  /** Every recipient must be one of these (`ses:Recipients`, compared ignoring case). */
  readonly recipients?: readonly string[];
}

/** A Node.js function with the project's defaults; grant access only through the `bind*` calls. */
export class CprFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Failed asynchronous events; undefined for a function invoked only synchronously. */
  readonly failureQueue: IQueue | undefined;
  private readonly env = new Map<string, string>();
  private readonly listedBuckets = new Set<IBucket>();
  private readonly acknowledged = new Set<string>();

  constructor(scope: Construct, id: string, props: CprFunctionProps) {
    super(scope, id);

    this.logGroup = cprLogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to this
    // function's log group only, not create or write any log group in the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const invocation = props.invocation ?? 'async';
    if (invocation === 'sync' && (props.failureQueue || props.maxEventAge)) {
      throw new Error(`${this.node.path}: a synchronously invoked function has no async settings`);
    }
    const ownQueue =
      invocation === 'async' && !props.failureQueue
        ? new Queue(this, 'Failures', {
            encryption: QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            retentionPeriod: FAILURE_RETENTION,
            removalPolicy: props.removalPolicy,
          })
        : undefined;
    this.failureQueue = props.failureQueue ?? ownQueue;
    if (ownQueue) {
      Validations.of(ownQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the last stop of failed asynchronous invocations (Lambda on-failure ' +
          'destination), not a work queue: nothing consumes it automatically, so a queue ' +
          'behind it would never receive anything. A message in it pages (alarms.ts).',
      });
      Validations.of(ownQueue).acknowledge({
        id: 'cdk-validator-cfnguard::sqs_dlq_check',
        reason:
          'CT.SQS.PR.1 asks every queue for a dead-letter queue; this queue is itself the ' +
          'dead letter of failed asynchronous invocations, nothing receives from it but a ' +
          'person replaying events, so no message can fail here and need a further queue.',
      });
    }

    this.fn = new NodejsFunction(this, 'Handler', {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      ...(this.failureQueue && {
        retryAttempts: ASYNC_RETRY_ATTEMPTS,
        maxEventAge: props.maxEventAge ?? ASYNC_MAX_EVENT_AGE,
        onFailure: new SqsDestination(this.failureQueue),
      }),
      projectRoot: REPO_ROOT,
      depsLockFilePath: LOCK_FILE,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        minify: true,
        keepNames: true,
        sourceMap: true,
        // Stack traces map to file and line without shipping the sources a second time.
        sourcesContent: false,
        // The SDK versions the tests ran against, not whatever the runtime image carries today.
        bundleAwsSDK: true,
        ...(props.bundledFiles?.length && {
          commandHooks: bundledFilesHook(this.node.path, props.bundledFiles),
        }),
      },
    });
    Validations.of(this.fn).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason:
        'CT.LAMBDA.PR.3 asks for a customer VPC. The function listens on no network and calls ' +
        'only AWS service endpoints, over TLS with IAM-signed requests; what it may reach is ' +
        'decided by its role and the key and bucket policies. A VPC would add NAT or an ' +
        'interface endpoint per service (a new way to fail) and no control.',
    });
    for (const file of props.bundledFiles ?? [])
      this.setEnv(file.envName, bundledFilePath(file.name));
    this.setEnv('NODE_OPTIONS', '--enable-source-maps');
    this.setEnv('POWERTOOLS_SERVICE_NAME', props.service);
    // One namespace for every function: the alarms and the dashboard read it.
    this.setEnv('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE);

    // Tracing.ACTIVE puts the X-Ray statement in the role's default policy; it is the only
    // statement there with Resource "*" (test/infra asserts that).
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      Validations.of(defaultPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'xray:PutTraceSegments and xray:PutTelemetryRecords (added by Tracing.ACTIVE) do not ' +
          'support resource-level permissions; every other grant of this role names its resource.',
      });
    }
  }

  /** Sets an environment variable once; a second, different value for it is a bug. */
  setEnv(name: EnvName | `POWERTOOLS_${string}` | 'NODE_OPTIONS', value: string): this {
    const existing = this.env.get(name);
    if (existing !== undefined && existing !== value) {
      throw new Error(`${this.node.path}: environment variable ${name} is already set`);
    }
    this.env.set(name, value);
    this.fn.addEnvironment(name, value);
    return this;
  }

  /** Item-level access to one table (and the named indexes); sets `envName` to the table name. */
  bindTable(
    table: ITable,
    envName: EnvName,
    access: TableAccess,
    options: TableBindOptions = {},
  ): this {
    if (table.encryptionKey) {
      throw new Error(`${this.node.path}: tables with a customer-managed key need a key grant`);
    }
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn] }),
    );
    const indexArns = (options.indexNames ?? []).map((name) => `${table.tableArn}/index/${name}`);
    if (indexArns.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexArns }),
      );
    }
    return this.setEnv(envName, table.tableName);
  }

  /**
   * The append-only audit table (`CaseStore.audit`): GetItem and PutItem, nothing else; sets
   * AUDIT_TABLE. The only way a function is given that table.
   */
  bindAuditLog(table: ITable): this {
    return this.bindTable(table, ENV.auditTable, 'append');
  }

  /** s3:GetObject on `prefix*` of one bucket; sets `envName` to the bucket name. */
  bindBucketRead(
    bucket: IBucket,
    envName: EnvName,
    prefix: string,
    options: BucketBindOptions = {},
  ): this {
    this.allowListBucket(bucket);
    return this.bindBucketObjects(bucket, envName, prefix, 'read', options);
  }

  /** s3:PutObject on `prefix*` of one bucket; sets `envName` to the bucket name. */
  bindBucketWrite(
    bucket: IBucket,
    envName: EnvName,
    prefix: string,
    options: BucketBindOptions = {},
  ): this {
    return this.bindBucketObjects(bucket, envName, prefix, 'write', options);
  }

  private bindBucketObjects(
    bucket: IBucket,
    envName: EnvName,
    prefix: string,
    use: ObjectKeyUse,
    options: BucketBindOptions,
  ): this {
    this.checkPrefix(prefix);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [OBJECT_ACTIONS[use]],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    grantObjectKeyUse(this.role, bucket, use);
    this.acknowledgePrefixWildcard(bucket, prefix);
    return this.setBucketEnv(bucket, envName, prefix, options);
  }

  /**
   * sns:Publish on this one topic (and the topic key's data-key use through SNS); sets `envName`
   * to the topic ARN.
   */
  bindTopicPublish(topic: ITopic, envName: EnvName): this {
    grantTopicPublish(this.role, topic);
    return this.setEnv(envName, topic.topicArn);
  }

  /**
   * ses:SendEmail with exactly these sender identities and this configuration set (SES authorizes
   * a send against both); sets `envName` to the configuration set's name. SES v2's SendEmail is
   * authorized as ses:SendEmail whatever the content, so ses:SendRawEmail (SES v1) is not granted.
   * The From address itself is the caller's to set (SENDER_ADDRESS), unless `conditions` pin it.
   */
  bindSendEmail(
    configurationSet: IConfigurationSet,
    identityArns: readonly string[],
    envName: EnvName,
    conditions: SendEmailConditions = {},
  ): this {
    if (identityArns.length === 0) {
      throw new Error(`${this.node.path}: sending needs at least one sender identity`);
    }
    const { fromAddress, recipients } = conditions;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [...identityArns, configurationSetArn(configurationSet)],
        ...((fromAddress || recipients) && {
          conditions: {
            ...(fromAddress && { StringEquals: { 'ses:FromAddress': fromAddress } }),
            ...(recipients && {
              'ForAllValues:StringEqualsIgnoreCase': { 'ses:Recipients': [...recipients] },
            }),
          },
        }),
      }),
    );
    return this.setEnv(envName, configurationSet.configurationSetName);
  }

  /**
   * secretsmanager:GetSecretValue on this one secret (not DescribeSecret, not its versions'
   * metadata); sets `envName` to the secret's ARN. The secret must use the AWS-managed key.
   */
  bindSecretRead(secret: ISecret, envName: EnvName): this {
    if (secret.encryptionKey) {
      throw new Error(`${this.node.path}: secrets with a customer-managed key need a key grant`);
    }
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    return this.setEnv(envName, secret.secretArn);
  }

  /** sns:ListSubscriptionsByTopic on this one topic; sets `envName` to the topic ARN. */
  bindTopicSubscriptionsRead(topic: ITopic, envName: EnvName): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sns:ListSubscriptionsByTopic'],
        resources: [topic.topicArn],
      }),
    );
    return this.setEnv(envName, topic.topicArn);
  }

  /**
   * Actions that support no resource-level permission, in a policy of their own (named `id`), so
   * that the cdk-nag acknowledgment of their `Resource: "*"` covers them and nothing else.
   */
  grantUnscoped(id: string, actions: readonly string[], reason: string): this {
    const policy = new Policy(this, id, {
      statements: [new PolicyStatement({ actions: [...actions], resources: ['*'] })],
      roles: [this.role],
    });
    Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
    // The function must not run before its permission exists.
    this.fn.node.addDependency(policy);
    return this;
  }

  /** states:StartExecution on this one state machine; sets `envName` to its ARN. */
  bindStateMachineStart(stateMachine: IStateMachine, envName: EnvName): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stateMachine.stateMachineArn],
      }),
    );
    return this.setEnv(envName, stateMachine.stateMachineArn);
  }

  private checkPrefix(prefix: string): void {
    if (prefix !== '' && !prefix.endsWith('/')) {
      // "evidence" would also match "evidence-old/..." in the grant.
      throw new Error(`${this.node.path}: bucket prefix "${prefix}" must be empty or end in "/"`);
    }
  }

  /**
   * Without s3:ListBucket, S3 answers a GetObject for a missing key with 403 instead of 404
   * (NoSuchKey), and the adapters tell "not there yet" from "forbidden" by that error. It reveals
   * key names, never content.
   */
  private allowListBucket(bucket: IBucket): void {
    if (this.listedBuckets.has(bucket)) return;
    this.listedBuckets.add(bucket);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
  }

  /**
   * An object grant on `prefix*` is the narrowest S3 can express; cdk-nag reports the `*` as
   * IAM5 with the resolved resource in the finding id, so it is acknowledged finding by finding.
   */
  private acknowledgePrefixWildcard(bucket: IBucket, prefix: string): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (!policy) return;
    const id = `AwsSolutions-IAM5[Resource::${bucketArnReference(bucket)}/${prefix}*]`;
    if (this.acknowledged.has(id)) return;
    this.acknowledged.add(id);
    Validations.of(policy).acknowledge({
      id,
      reason:
        `Object access (only the s3:GetObject / s3:PutObject granted here) is limited to keys ` +
        `under "${prefix || '(whole bucket)'}" of this one bucket; keys are named per message ` +
        '(SES messageId, case id), so the narrowest grant is the prefix.',
    });
  }

  private setBucketEnv(
    bucket: IBucket,
    envName: EnvName,
    prefix: string,
    options: BucketBindOptions,
  ): this {
    this.setEnv(envName, bucket.bucketName);
    if (options.prefixEnvName) this.setEnv(options.prefixEnvName, prefix);
    return this;
  }
}

/** `arn:<partition>:ses:<region>:<account>:configuration-set/<name>`. */
export function configurationSetArn(configurationSet: IConfigurationSet): string {
  return Stack.of(configurationSet).formatArn({
    service: 'ses',
    resource: 'configuration-set',
    resourceName: configurationSet.configurationSetName,
  });
}

/**
 * How cdk-nag prints a bucket ARN inside a finding id: `<LogicalId.Arn>` for a bucket of this app
 * (its ARN is a `Fn::GetAtt`).
 */
export function bucketArnReference(bucket: IBucket): string {
  const child = bucket.node.defaultChild;
  if (!child || !('logicalId' in child)) {
    throw new Error(`${bucket.node.path}: only buckets defined in this app can be bound`);
  }
  return `<${bucket.stack.resolve((child as { logicalId: string }).logicalId)}.Arn>`;
}

/** Where Lambda unpacks a function's code (LAMBDA_TASK_ROOT on every managed runtime). */
const LAMBDA_TASK_ROOT = '/var/task';

/** A name `bundledFiles` accepts: one plain file name, nothing a shell or a path could misread. */
const BUNDLED_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The path at which a function finds one of its `bundledFiles`. */
export function bundledFilePath(name: string): string {
  return `${LAMBDA_TASK_ROOT}/${name}`;
}

/**
 * Writes `files` to a folder of their own at synth time and copies them into the bundle's
 * output after esbuild ran (the copy is part of the asset, so its hash follows the content).
 */
export function bundledFilesHook(owner: string, files: readonly BundledFile[]): ICommandHooks {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-bundled-'));
  for (const { name, content } of files) {
    if (!BUNDLED_FILE_NAME.test(name)) {
      throw new Error(`${owner}: bundled file name "${name}" is not a plain file name`);
    }
    writeFileSync(join(dir, name), content);
  }
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_input: string, output: string) =>
      files.map(({ name }) => `cp "${join(dir, name)}" "${join(output, name)}"`),
  };
}
