import { App, type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, test } from 'vitest';
import { CprFunction, type CprFunctionProps } from '../../infra/constructs/cpr-function.ts';
import { lambdaEntry } from '../../infra/paths.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { actionsOf, cdkJsonContext, roleStatements } from './support.ts';

const BASE_PROPS: CprFunctionProps = {
  entry: lambdaEntry('intake/handler.ts'),
  description: 'test',
  memorySize: 256,
  timeout: Duration.seconds(10),
  logRetention: RetentionDays.ONE_WEEK,
  removalPolicy: RemovalPolicy.DESTROY,
  service: 'intake',
};

function setup(overrides: Partial<CprFunctionProps> = {}) {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test');
  const fn = new CprFunction(stack, 'Fn', { ...BASE_PROPS, ...overrides });
  return { stack, fn };
}

describe('CprFunction', () => {
  test('a bucket prefix must end in "/" so the grant cannot reach a sibling prefix', () => {
    const { stack, fn } = setup();
    const bucket = new Bucket(stack, 'B');
    expect(() => fn.bindBucketRead(bucket, ENV.inboundBucket, 'evidence')).toThrow(
      /must be empty or end in "\/"/,
    );
  });

  test('a KMS-encrypted bucket comes with its key: named in the key policy, through S3 only', () => {
    const { stack, fn } = setup();
    const bucket = new Bucket(stack, 'B', { encryption: BucketEncryption.KMS });
    fn.bindBucketRead(bucket, ENV.inboundBucket, 'x/');
    const template = Template.fromStack(stack);
    const roleId = stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
    const keyId = stack.getLogicalId(bucket.encryptionKey?.node.defaultChild as CfnElement);
    const keyPolicy = template.findResources('AWS::KMS::Key')[keyId]?.Properties.KeyPolicy;
    expect(keyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::GetAtt': [roleId, 'Arn'] } },
        Action: 'kms:Decrypt',
        Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
      }),
    );
    const kms = roleStatements(template, roleId).filter((st) =>
      actionsOf(st).some((a) => a.startsWith('kms:')),
    );
    // A reader decrypts; it gets no data keys (no writing) and no other key.
    expect(kms.flatMap(actionsOf)).toEqual(['kms:Decrypt']);
    expect(kms[0]?.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(JSON.stringify(kms[0]?.Condition)).toContain('kms:EncryptionContext:aws:s3:arn');
  });

  test('one variable cannot be bound to two different values', () => {
    const { stack, fn } = setup();
    fn.bindBucketRead(new Bucket(stack, 'A'), ENV.inboundBucket, 'x/');
    expect(() => fn.bindBucketRead(new Bucket(stack, 'B'), ENV.inboundBucket, 'y/')).toThrow(
      /INBOUND_BUCKET is already set/,
    );
  });

  test('binding the same value twice (read and write of one prefix) is fine', () => {
    const { stack, fn } = setup();
    const bucket = new Bucket(stack, 'B');
    fn.bindBucketRead(bucket, ENV.evidenceBucket, 'e/').bindBucketWrite(
      bucket,
      ENV.evidenceBucket,
      'e/',
    );
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          [ENV.evidenceBucket]: { Ref: stack.getLogicalId(bucket.node.defaultChild as never) },
        },
      },
    });
  });

  test('a failure queue passed in is used instead of creating one', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Shared');
    const queue = new Queue(stack, 'SharedFailures');
    const fn = new CprFunction(stack, 'Fn', { ...BASE_PROPS, failureQueue: queue });
    expect(fn.failureQueue).toBe(queue);
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 1);
  });

  test('reserved concurrency is passed through when asked for', () => {
    const { stack } = setup({ reservedConcurrency: 5 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 5,
    });
  });

  test('a synchronously invoked function gets no failure queue and no async configuration', () => {
    const { stack, fn } = setup({ invocation: 'sync' });
    expect(fn.failureQueue).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
  });

  test('async settings on a synchronously invoked function are a mistake', () => {
    expect(() => setup({ invocation: 'sync', maxEventAge: Duration.hours(1) })).toThrow(
      /no async settings/,
    );
  });

  test('publishing to an encrypted topic also grants its key, only through SNS', () => {
    const { stack, fn } = setup();
    const topic = new Topic(stack, 'T', { masterKey: new Key(stack, 'K') });
    fn.bindTopicPublish(topic, ENV.teamTopicArn);
    const statements = roleStatements(
      Template.fromStack(stack),
      stack.getLogicalId(fn.role.node.defaultChild as never),
    );
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap(actionsOf).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(JSON.stringify(kms[0]?.Condition)).toContain('kms:ViaService');
  });

  test('publishing to an unencrypted topic grants no key', () => {
    const { stack, fn } = setup();
    fn.bindTopicPublish(new Topic(stack, 'T'), ENV.teamTopicArn);
    const statements = roleStatements(
      Template.fromStack(stack),
      stack.getLogicalId(fn.role.node.defaultChild as never),
    );
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('kms:'))).toEqual([]);
    expect(statements.flatMap(actionsOf)).toContain('sns:Publish');
  });

  test('sending mail needs at least one sender identity', () => {
    const { stack, fn } = setup();
    expect(() =>
      fn.bindSendEmail(new ConfigurationSet(stack, 'C'), [], ENV.configurationSet),
    ).toThrow(/at least one sender identity/);
  });
});
