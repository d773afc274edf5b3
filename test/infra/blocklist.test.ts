/**
 * The compromised-key blocklist object (BR 6.1.1.3(4)) in AWS: a bucket of its own that nothing
 * expires, written only by the checkpoint, and only that one object.
 */
import { describe, expect, test } from 'vitest';
import { BLOCKLIST_OBJECT_KEY } from '../../lambdas/adapters/s3/blocklist-export.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import {
  actionsOf,
  buildApp,
  logicalId,
  objectArn,
  resourcesOf,
  roleStatements,
} from './support.ts';

const { stack, template } = buildApp();
const bucketId = logicalId(stack, stack.blocklist.bucket);
const bucket = template.findResources('AWS::S3::Bucket')[bucketId]!;

describe('blocklist bucket', () => {
  test('is its own bucket, not the mail bucket: the issuance system needs no access to mail', () => {
    expect(bucketId).not.toBe(logicalId(stack, stack.mail.bucket));
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: { Ref: logicalId(stack, stack.mail.accessLogs) },
    });
  });

  test('never expires: versioned, no expiration of current or earlier versions, retained', () => {
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = bucket.Properties.LifecycleConfiguration?.Rules ?? [];
    for (const rule of rules) {
      expect(Object.keys(rule).filter((k) => /Expiration|Transition/.test(k))).toEqual([]);
    }
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  test('only the checkpoint writes it, and only the one object, on each addition', () => {
    const writers = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(bucketId),
    );
    const roles = writers.flatMap(([, p]) => p.Properties.Roles as unknown[]);
    expect(roles).toEqual([{ Ref: logicalId(stack, stack.tasks.checkpoint.role) }]);
    const onBucket = roleStatements(template, logicalId(stack, stack.tasks.checkpoint.role)).filter(
      (s) => JSON.stringify(s.Resource).includes(bucketId),
    );
    expect(onBucket.flatMap(actionsOf)).toEqual(['s3:PutObject']);
    expect(onBucket.flatMap(resourcesOf)).toEqual([
      objectArn(bucketId, `/${BLOCKLIST_OBJECT_KEY}`),
    ]);
    const env =
      template.findResources('AWS::Lambda::Function')[logicalId(stack, stack.tasks.checkpoint.fn)]
        ?.Properties.Environment.Variables;
    expect(env[ENV.blocklistBucket]).toEqual({ Ref: bucketId });
  });
});
