/**
 * The alert topics people subscribe to: team (every new case, every notice that bounced),
 * escalation (a BR 4.9.5 / 4.9.1.1 checkpoint passed with obligations open) and pager (the
 * deadline clock itself failed). All topics of the app, the SES delivery-events topic included,
 * are encrypted with one customer-managed key: the AWS-managed alias/aws/sns key has a policy
 * nobody can change, so SES and CloudWatch alarms could not publish to a topic it encrypts.
 */
import { Aws, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import {
  EmailSubscription,
  SmsSubscription,
  UrlSubscription,
} from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ALERT_TOPICS, type AlertTopic } from '../../lambdas/domain/case/types.ts';
import type { Subscription } from '../config.ts';
import { denyGrantsExceptForAwsServices, KEY_DELETION_WINDOW } from './keys.ts';

export interface AlertTopicsProps {
  readonly subscriptions: Readonly<Record<AlertTopic, readonly Subscription[]>>;
  /** Of the topic key: messages in flight cannot be read once it is gone. */
  readonly removalPolicy: RemovalPolicy;
}

const DISPLAY_NAMES: Record<AlertTopic, string> = {
  team: 'CPR team',
  escalation: 'CPR escalation',
  pager: 'CPR pager',
};

export class AlertTopics extends Construct {
  /** Encrypts every topic of the app; its policy names each AWS service that may publish. */
  readonly key: Key;
  readonly team: Topic;
  readonly escalation: Topic;
  readonly pager: Topic;

  constructor(scope: Construct, id: string, props: AlertTopicsProps) {
    super(scope, id);

    this.key = new Key(this, 'TopicKey', {
      description: `Encrypts the SNS topics of ${Stack.of(this).stackName} (alerts, SES events)`,
      enableKeyRotation: true,
      pendingWindow: KEY_DELETION_WINDOW,
      removalPolicy: props.removalPolicy,
    });
    // Alerts carry case summaries, no key material: use stays delegated to IAM (the functions'
    // grants in grantTopicPublish), but no grant may pass it on (CT.KMS.PR.3).
    this.key.addToResourcePolicy(denyGrantsExceptForAwsServices());
    // CloudWatch alarms of this account (alarms.ts) publish to the alert topics; SNS
    // encrypts on their behalf with this key, so the key policy must name the service.
    this.key.addToResourcePolicy(
      servicePublisherKeyStatement(
        'cloudwatch.amazonaws.com',
        `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
      ),
    );

    const topics = {} as Record<AlertTopic, Topic>;
    for (const level of ALERT_TOPICS) {
      const topic = new Topic(this, topicId(level), {
        displayName: DISPLAY_NAMES[level],
        masterKey: this.key,
        enforceSSL: true,
      });
      topic.addToResourcePolicy(
        servicePublisherTopicStatement(
          topic,
          'cloudwatch.amazonaws.com',
          `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
        ),
      );
      props.subscriptions[level].forEach((subscription) => {
        topic.addSubscription(subscriber(subscription));
      });
      topics[level] = topic;
    }
    this.team = topics.team;
    this.escalation = topics.escalation;
    this.pager = topics.pager;
  }
}

function topicId(level: AlertTopic): string {
  return `${level[0]?.toUpperCase()}${level.slice(1)}Topic`;
}

function subscriber(subscription: Subscription) {
  switch (subscription.protocol) {
    case 'email':
      return new EmailSubscription(subscription.endpoint);
    case 'https':
      return new UrlSubscription(subscription.endpoint);
    case 'sms':
      return new SmsSubscription(subscription.endpoint);
  }
}

/**
 * Key-policy statement for an AWS service that publishes to a topic encrypted with the key: SNS
 * needs the publisher to be allowed kms:GenerateDataKey and kms:Decrypt. Limited to this account
 * and the service's resources named by `sourceArn` (no confused deputy).
 */
export function servicePublisherKeyStatement(service: string, sourceArn: string): PolicyStatement {
  return new PolicyStatement({
    sid: `AllowPublishFrom${service.split('.')[0]}`,
    principals: [new ServicePrincipal(service)],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    // In a key policy "*" is the key itself.
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': sourceArn },
    },
  });
}

/**
 * Topic-policy statement letting an AWS service of this account publish: `enforceSSL` replaces
 * SNS's default topic policy, so the service is named explicitly instead of relying on it.
 */
export function servicePublisherTopicStatement(
  topic: ITopic,
  service: string,
  sourceArn: string,
): PolicyStatement {
  return new PolicyStatement({
    sid: `AllowPublishFrom${service.split('.')[0]}`,
    principals: [new ServicePrincipal(service)],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': sourceArn },
    },
  });
}

/**
 * sns:Publish on one topic, plus what SNS needs to encrypt the message with the topic's key:
 * exactly kms:GenerateDataKey and kms:Decrypt (CDK's `grantPublish` grants `GenerateDataKey*`),
 * usable only through SNS (`kms:ViaService`), so the key grant is no general encrypt/decrypt right.
 */
export function grantTopicPublish(grantee: IGrantable, topic: ITopic): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  if (!topic.masterKey) return;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [topic.masterKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` } },
    }),
  );
}
