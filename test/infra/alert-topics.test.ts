import { describe, expect, test } from 'vitest';
import { DELIVERY_EVENT_TYPES } from '../../infra/constructs/notice-delivery.ts';
import { ALERT_TOPICS } from '../../lambdas/domain/case/types.ts';
import { buildApp, logicalId, type Statement } from './support.ts';

const { stack, template, config } = buildApp();
const keyId = logicalId(stack, stack.alerts.key);
const topics = {
  team: logicalId(stack, stack.alerts.team),
  escalation: logicalId(stack, stack.alerts.escalation),
  pager: logicalId(stack, stack.alerts.pager),
  deliveryEvents: logicalId(stack, stack.delivery.eventsTopic),
};
const configSetId = logicalId(stack, stack.delivery.configurationSet);
const keyPolicy = template.findResources('AWS::KMS::Key')[keyId]?.Properties.KeyPolicy
  .Statement as Statement[];

function topicPolicy(topicId: string): Statement[] {
  const policies = template.findResources('AWS::SNS::TopicPolicy', {
    Properties: { Topics: [{ Ref: topicId }] },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function servicePrincipal(statement: Statement): string | undefined {
  return (statement.Principal as { Service?: string } | undefined)?.Service;
}

describe('topic key', () => {
  test('is customer-managed and rotated (SES and CloudWatch cannot use alias/aws/sns)', () => {
    expect(template.findResources('AWS::KMS::Key')[keyId]?.Properties.EnableKeyRotation).toBe(true);
  });

  test('lets exactly SES (this configuration set) and CloudWatch alarms of this account use it', () => {
    const services = keyPolicy.filter(servicePrincipal);
    expect(services.map(servicePrincipal).sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'ses.amazonaws.com',
    ]);
    for (const statement of services) {
      expect(statement.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(statement.Condition).toMatchObject({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': expect.anything() },
      });
    }
    const ses = services.find((s) => servicePrincipal(s) === 'ses.amazonaws.com');
    expect(JSON.stringify(ses?.Condition)).toContain(`"Ref":"${configSetId}"`);
  });
});

describe('topics', () => {
  test.each(Object.entries(topics))('%s is encrypted with the topic key', (_name, id) => {
    expect(template.findResources('AWS::SNS::Topic')[id]?.Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [keyId, 'Arn'],
    });
  });

  test.each(Object.entries(topics))('%s refuses publishing without TLS', (_name, id) => {
    expect(topicPolicy(id)).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  test.each(ALERT_TOPICS)(
    '%s lets CloudWatch alarms of this account publish, nobody else by policy',
    (level) => {
      const allows = topicPolicy(topics[level]).filter((s) => s.Effect === 'Allow');
      expect(allows.map(servicePrincipal)).toEqual(['cloudwatch.amazonaws.com']);
      expect(JSON.stringify(allows[0]?.Condition)).toContain(':alarm:*');
    },
  );

  test('the delivery-events topic lets only SES publish, for this configuration set', () => {
    const allows = topicPolicy(topics.deliveryEvents).filter((s) => s.Effect === 'Allow');
    expect(allows.map(servicePrincipal)).toEqual(['ses.amazonaws.com']);
    expect(JSON.stringify(allows[0]?.Condition)).toContain(`"Ref":"${configSetId}"`);
  });

  test.each(ALERT_TOPICS)('%s has exactly the subscriptions of the configuration', (level) => {
    const subscriptions = Object.values(
      template.findResources('AWS::SNS::Subscription', {
        Properties: { TopicArn: { Ref: topics[level] } },
      }),
    ).map((s) => ({ protocol: s.Properties.Protocol, endpoint: s.Properties.Endpoint }));
    expect(subscriptions).toEqual(config.subscriptions[level]);
    expect(subscriptions.length).toBeGreaterThan(0);
  });

  test('without subscriptions configured the topics exist with no subscriber', () => {
    const { template: t } = buildApp({ subscriptions: undefined });
    const subscriptions = Object.values(t.findResources('AWS::SNS::Subscription'));
    expect(subscriptions.map((s) => s.Properties.Protocol)).toEqual(['lambda']);
  });
});

describe('SES configuration set', () => {
  test('publishes the six sending events to the delivery-events topic', () => {
    const destinations = Object.values(
      template.findResources('AWS::SES::ConfigurationSetEventDestination'),
    );
    expect(destinations).toHaveLength(1);
    expect(destinations[0]?.Properties).toEqual({
      ConfigurationSetName: { Ref: configSetId },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject', 'deliveryDelay'],
        SnsDestination: { TopicARN: { Ref: topics.deliveryEvents } },
      },
    });
    expect(DELIVERY_EVENT_TYPES).toHaveLength(6);
  });

  test('the delivery-events topic invokes the delivery-events function, failures to its queue', () => {
    const fn = stack.delivery.eventsFunction;
    const fnId = logicalId(stack, fn.fn);
    const queueArn = { 'Fn::GetAtt': [logicalId(stack, fn.failureQueue!), 'Arn'] };
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topics.deliveryEvents },
      Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: queueArn },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      SourceArn: { Ref: topics.deliveryEvents },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });
});
