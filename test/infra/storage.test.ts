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

const mailKeyId = logicalId(stack, stack.mailKey.key);
/** SSE-KMS under the mail key, with an S3 Bucket Key. */
const MAIL_KEY_ENCRYPTION = {
  ServerSideEncryptionConfiguration: [
    {
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { 'Fn::GetAtt': [mailKeyId, 'Arn'] },
      },
      BucketKeyEnabled: true,
    },
  ],
};

/** Private, encrypted with the mail key, versioned: every bucket that holds mail. */
const PRIVATE_MAIL_BUCKET = {
  BucketEncryption: MAIL_KEY_ENCRYPTION,
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  VersioningConfiguration: { Status: 'Enabled' },
};

describe('inbound mail bucket', () => {
  test('is private, encrypted with the mail key, versioned and logs access to the log bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        ...PRIVATE_MAIL_BUCKET,
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
        StringEquals: {
          'aws:SourceAccount': { Ref: 'AWS::AccountId' },
          'aws:SourceArn': expect.anything(),
        },
      },
    });
    // Exactly this stack's CPR rule (mail-receiving.test.ts checks the whole ARN).
    expect(JSON.stringify(allows[0]?.Condition)).toContain(
      ':receipt-rule-set/CprIntake-inbound:receipt-rule/cpr-reports',
    );
  });

  test('with the default empty prefix SES may put anywhere but still only as this account', () => {
    const { stack: s, template: t } = buildApp({ inboundPrefix: undefined });
    const id = logicalId(s, s.mail.bucket);
    const allows = bucketPolicyStatements(id, t).filter((st) => st.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Resource).toEqual(objectArn(id, '/*'));
  });
});

describe('archive bucket (Object Lock)', () => {
  const archiveId = logicalId(stack, stack.archive.bucket);
  const archive = template.findResources('AWS::S3::Bucket')[archiveId];

  test('locks every object in COMPLIANCE mode for the configured years (BR 5.5)', () => {
    expect(archive?.Properties.ObjectLockEnabled).toBe(true);
    expect(archive?.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: config.retentionYears } },
    });
  });

  test('retention follows the configuration', () => {
    const { stack: s, template: t } = buildApp({ retentionYears: 6 });
    const bucket = t.findResources('AWS::S3::Bucket')[logicalId(s, s.archive.bucket)];
    expect(bucket?.Properties.ObjectLockConfiguration.Rule.DefaultRetention).toEqual({
      Mode: 'COMPLIANCE',
      Years: 6,
    });
  });

  test('is private, encrypted with the mail key, versioned, logs access, always retained', () => {
    expect(archive).toMatchObject({
      Properties: {
        ...PRIVATE_MAIL_BUCKET,
        LoggingConfiguration: {
          DestinationBucketName: { Ref: accessLogsId },
          LogFilePrefix: 'archive-bucket/',
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('has no expiration rule: nothing but a person removes a record after its retention', () => {
    const rules = archive?.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    for (const rule of rules) {
      expect(Object.keys(rule).filter((k) => /Expiration/.test(k))).toEqual([]);
    }
  });

  test('denies every request without TLS and grants nobody anything in its policy', () => {
    const statements = bucketPolicyStatements(archiveId);
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});

describe('case tables', () => {
  const protectedTable = {
    BillingMode: 'PAY_PER_REQUEST',
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    DeletionProtectionEnabled: true,
    SSESpecification: { SSEEnabled: true },
  };

  test('cases: keys, the openByDeadline index and the TTL attribute come from schema.ts', () => {
    const index = CASES_TABLE_SCHEMA.openByDeadlineIndex;
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        ...protectedTable,
        KeySchema: [
          { AttributeName: CASES_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: CASES_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: {
          AttributeName: CASES_TABLE_SCHEMA.ttlAttribute,
          Enabled: true,
        },
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

  test('inventory: one item per certificate, keyed by serial, keys-only indexes by SHA-256 and by SPKI', () => {
    const inv = INVENTORY_TABLE_SCHEMA;
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        ...protectedTable,
        KeySchema: [{ AttributeName: inv.partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: inv.bySha256Index.name,
            KeySchema: [{ AttributeName: inv.bySha256Index.partitionKey, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
          {
            IndexName: inv.bySpkiIndex.name,
            KeySchema: [{ AttributeName: inv.bySpkiIndex.partitionKey, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('protection flags', () => {
  test('a throwaway stack may turn retention and deletion protection off, except for the archive', () => {
    const { stack: s, template: t } = buildApp({
      protection: { retainData: false, deletionProtection: false },
    });
    for (const table of Object.values(t.findResources('AWS::DynamoDB::Table'))) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    const archive = logicalId(s, s.archive.bucket);
    for (const [id, bucket] of Object.entries(t.findResources('AWS::S3::Bucket'))) {
      // Locked objects cannot be deleted: the archive always outlives the stack.
      expect(bucket.DeletionPolicy).toBe(id === archive ? 'Retain' : 'Delete');
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
