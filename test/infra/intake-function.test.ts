import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { EVIDENCE_PREFIX } from '../../infra/config.ts';
import { INVENTORY_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
// biome-ignore format: one line, as the other imports
import { actionsOf, buildApp, logicalId, objectArn, resourcesOf, roleStatements, type Statement } from './support.ts';

const { stack, template, config } = buildApp();
const fn = stack.intake.function;
const fnId = logicalId(stack, fn.fn);
const roleId = logicalId(stack, fn.role);
const bucketId = logicalId(stack, stack.mail.bucket);
const archiveId = logicalId(stack, stack.archive.bucket);
const casesId = logicalId(stack, stack.store.cases);
const inventoryId = logicalId(stack, stack.store.inventory);
const stateMachineId = logicalId(stack, stack.clock.stateMachine);
const teamTopicId = logicalId(stack, stack.alerts.team);
const statements = roleStatements(template, roleId);

function withAction(action: string): Statement[] {
  return statements.filter((s) => actionsOf(s).includes(action));
}

describe('intake function', () => {
  test('runs on nodejs24.x, arm64, traced, with the memory a 40 MB message needs', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 1024,
      Timeout: 120,
      Handler: 'index.handler',
    });
  });

  test('logs to its own log group with the configured retention', () => {
    const fnResource = template.findResources('AWS::Lambda::Function')[fnId];
    const logGroupRef = fnResource?.Properties.LoggingConfig.LogGroup;
    const logGroupId = (logGroupRef as { Ref: string }).Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]?.Properties).toEqual({
      RetentionInDays: config.logRetentionDays,
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] },
    });
  });

  test('every variable the function reads is set, through the shared ENV names', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [ENV.casesTable]: { Ref: casesId },
          [ENV.inventoryTable]: { Ref: inventoryId },
          [ENV.inboundBucket]: { Ref: bucketId },
          [ENV.inboundPrefix]: config.inboundPrefix,
          [ENV.evidenceBucket]: { Ref: bucketId },
          [ENV.evidencePrefix]: EVIDENCE_PREFIX,
          [ENV.stateMachineArn]: { Ref: stateMachineId },
          [ENV.cprAddresses]: config.cprAddresses.join(','),
          [ENV.senderAddress]: config.senderAddress,
          [ENV.deadlinePolicy]: config.deadlinePolicyVersion,
          POWERTOOLS_SERVICE_NAME: 'intake',
          POWERTOOLS_METRICS_NAMESPACE: 'CprIntake',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  test('retries an async event twice, then sends it to an encrypted, TLS-only queue', () => {
    const queueId = logicalId(stack, fn.failureQueue!);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(template.findResources('AWS::SQS::Queue')[queueId]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('intake role: least privilege', () => {
  test('uses no managed policy (no AWSLambdaBasicExecutionRole)', () => {
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('no action is a wildcard (no dynamodb:*, s3:*, s3:GetObject*)', () => {
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  test('Resource "*" is granted for the X-Ray actions only', () => {
    const anywhere = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(anywhere.flatMap(actionsOf).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('s3:GetObject only under the inbound and evidence prefixes, and the archive copies', () => {
    expect(withAction('s3:GetObject').flatMap(resourcesOf)).toEqual(
      expect.arrayContaining([
        objectArn(bucketId, `/${config.inboundPrefix}*`),
        objectArn(bucketId, `/${EVIDENCE_PREFIX}*`),
        // HeadObject before the copy is authorized as s3:GetObject.
        objectArn(archiveId, `/${config.inboundPrefix}*`),
      ]),
    );
    expect(withAction('s3:GetObject').flatMap(resourcesOf)).toHaveLength(3);
  });

  test('s3:PutObject only under the evidence prefix and the archive copies', () => {
    expect(withAction('s3:PutObject').flatMap(resourcesOf).sort()).toEqual(
      [
        objectArn(bucketId, `/${EVIDENCE_PREFIX}*`),
        objectArn(archiveId, `/${config.inboundPrefix}*`),
      ].sort(),
    );
  });

  test('s3:ListBucket (404 instead of 403 for a missing key) on the buckets themselves only', () => {
    expect(withAction('s3:ListBucket').flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [bucketId, 'Arn'] },
      { 'Fn::GetAtt': [archiveId, 'Arn'] },
    ]);
  });

  test('nothing may delete, or change the retention of, an archived message', () => {
    const s3Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'));
    expect(new Set(s3Actions)).toEqual(new Set(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
  });

  test('ARCHIVE_BUCKET names the archive bucket', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.archiveBucket]: { Ref: archiveId } }) },
    });
  });

  test('states:StartExecution only on the deadline clock', () => {
    expect(withAction('states:StartExecution').flatMap(resourcesOf)).toEqual([
      { Ref: stateMachineId },
    ]);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('states:'))).toEqual([
      'states:StartExecution',
    ]);
  });

  test('cases: read and write items, never delete or scan', () => {
    const onCases = statements.filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r).includes(casesId)),
    );
    expect(onCases.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
  });

  test('sns:Publish on the team topic only: joining messages are announced, never paged', () => {
    expect(withAction('sns:Publish').flatMap(resourcesOf)).toEqual([{ Ref: teamTopicId }]);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sns:'))).toEqual([
      'sns:Publish',
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.teamTopicArn]: { Ref: teamTopicId } } },
    });
  });

  test('inventory: items by key only, and Query on its own two indexes', () => {
    const onInventory = statements.filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r).includes(inventoryId)),
    );
    const onTable = onInventory.filter((s) => !JSON.stringify(resourcesOf(s)).includes('/index/'));
    const onIndexes = onInventory.filter((s) => JSON.stringify(resourcesOf(s)).includes('/index/'));
    expect(onTable.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
    ]);
    expect(onIndexes.flatMap(actionsOf)).toEqual(['dynamodb:Query']);
    const indexes = JSON.stringify(onIndexes.flatMap(resourcesOf));
    expect(indexes).toContain(`/index/${INVENTORY_TABLE_SCHEMA.bySha256Index.name}`);
    expect(indexes).toContain(`/index/${INVENTORY_TABLE_SCHEMA.bySpkiIndex.name}`);
    expect(onIndexes.flatMap(resourcesOf)).toHaveLength(2);
  });
});
