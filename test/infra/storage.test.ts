import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import {
  CASES_TABLE_SCHEMA,
  INVENTORY_TABLE_SCHEMA,
} from '../../lambdas/adapters/dynamo/schema.ts';
import { buildApp, logicalId, objectArn, type Statement } from './support.ts';

const built = buildApp();
const { stack, template, config } = built;
const bucketId = logicalId(stack, stack.mail.bucket);
const accessLogsId = logicalId(stack, stack.mail.accessLogs);

function bucketPolicyStatements(bucketLogicalId: string, t = template): Statement[] {
  const policies = t.findResources('AWS::S3::BucketPolicy', {
    Properties: { Bucket: { Ref: bucketLogicalId } },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('inbound mail bucket', () => {
  test('is private, encrypted, versioned and logs access to the log bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogsId } },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 731 } }),
          ]),
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test.each([
    ['inbound mail', () => bucketId],
    ['access log', () => accessLogsId],
  ])('the %s bucket denies every request without TLS', (_name, id) => {
    expect(bucketPolicyStatements(id())).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  test('the only Allow is SES of this account putting objects under the inbound prefix', () => {
    const allows = bucketPolicyStatements(bucketId).filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'ses.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: objectArn(bucketId, `/${config.inboundPrefix}*`),
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain(':receipt-rule-set/');
  });

  test('with the default empty prefix SES may put anywhere but still only as this account', () => {
    const { stack: s, template: t } = buildApp({ inboundPrefix: undefined });
    const id = logicalId(s, s.mail.bucket);
    const allows = bucketPolicyStatements(id, t).filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Resource).toEqual(objectArn(id, '/*'));
  });
});

describe('case tables', () => {
  const protectedTable = {
    BillingMode: 'PAY_PER_REQUEST',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    DeletionProtectionEnabled: true,
    SSESpecification: { SSEEnabled: true },
  };

  test('cases: keys and the openByDeadline index come from schema.ts', () => {
    const index = CASES_TABLE_SCHEMA.openByDeadlineIndex;
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        ...protectedTable,
        KeySchema: [
          { AttributeName: CASES_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: CASES_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('inventory: partition key from schema.ts, same protections', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        ...protectedTable,
        KeySchema: [{ AttributeName: INVENTORY_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('protection flags', () => {
  test('a throwaway stack may turn retention and deletion protection off', () => {
    const { template: t } = buildApp({
      protection: { retainData: false, deletionProtection: false },
    });
    for (const table of Object.values(t.findResources('AWS::DynamoDB::Table'))) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    for (const bucket of Object.values(t.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Delete');
    }
  });

  test('by default every bucket, table and log group is retained', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::Logs::LogGroup']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) expect(r.DeletionPolicy).toBe('Retain');
    }
  });
});
