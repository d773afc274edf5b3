/**
 * The canary's ports on the AWS SDK. Endpoints come from the SDK's environment variables, so the
 * same adapters run against AWS and against the local stand-ins.
 */
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { OPEN_INDEX_PARTITION } from '../adapters/dynamo/keys.ts';
import { CASES_TABLE_SCHEMA } from '../adapters/dynamo/schema.ts';
import { readSecretString } from '../adapters/secrets.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import { CANARY_EMAIL_TAG } from '../domain/canary/token.ts';
import { openObligations } from '../domain/case/notices.ts';
import type { Notice } from '../domain/case/types.ts';
import type {
  AlertTopic,
  CanaryMail,
  CanaryMailer,
  OpenCaseCounts,
  OpenCases,
  ReceiptRuleSets,
  SubscriptionCounts,
  TeamAlert,
  TeamAlerts,
  TopicSubscriptions,
} from './ports.ts';

/** `X-CPR-Canary` as sent; intake compares header names case-insensitively (CANARY_HEADER). */
export const CANARY_HEADER_NAME = 'X-CPR-Canary';

/**
 * SES message tag of every canary mail. SES copies tags into its event records
 * (`mail.tags["cpr-kind"] = ["canary"]`), so the delivery-events function can tell the canary's
 * SEND and DELIVERY events from those of notices.
 */
export { CANARY_EMAIL_TAG };

export class CanaryAdapterError extends Error {
  override readonly name = 'CanaryAdapterError';
}

/** SES v2 SendEmail with the configuration set, like every notice: delivery events included. */
export class SesCanaryMailer implements CanaryMailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSet: string,
  ) {}

  async send(mail: CanaryMail): Promise<{ messageId: string }> {
    const out = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [mail.to] },
        ConfigurationSetName: this.configurationSet,
        EmailTags: [{ Name: CANARY_EMAIL_TAG.name, Value: CANARY_EMAIL_TAG.value }],
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
            Headers: [
              { Name: CANARY_HEADER_NAME, Value: mail.token },
              // If intake ever fails to recognise it, it still never gets an acknowledgment.
              { Name: 'Auto-Submitted', Value: 'auto-generated' },
              { Name: 'X-Auto-Response-Suppress', Value: 'All' },
            ],
          },
        },
      }),
    );
    if (!out.MessageId) throw new CanaryAdapterError('SES accepted the canary but returned no id');
    return { messageId: out.MessageId };
  }
}

/** SES v1 (receiving has no v2 API): which receipt rule set is active. */
export class SesReceiptRuleSets implements ReceiptRuleSets {
  constructor(private readonly ses: SESClient) {}

  async activeRuleSetName(): Promise<string | null> {
    const out = await this.ses.send(new DescribeActiveReceiptRuleSetCommand({}));
    return out.Metadata?.Name ?? null;
  }
}

/** SNS marks a subscription nobody confirmed with this instead of an ARN. */
const PENDING = 'PendingConfirmation';
/** A topic with more subscriptions than this is a misconfiguration, not something to page through. */
const MAX_SUBSCRIPTION_PAGES = 20;

export class SnsTopicSubscriptions implements TopicSubscriptions {
  constructor(
    private readonly sns: SNSClient,
    private readonly topics: Readonly<Record<AlertTopic, string>>,
  ) {}

  async count(topic: AlertTopic): Promise<SubscriptionCounts> {
    let confirmed = 0;
    let pending = 0;
    let token: string | undefined;
    for (let page = 0; page < MAX_SUBSCRIPTION_PAGES; page += 1) {
      const out = await this.sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: this.topics[topic], NextToken: token }),
      );
      for (const s of out.Subscriptions ?? []) {
        if (s.SubscriptionArn === PENDING) pending += 1;
        else if (s.SubscriptionArn?.startsWith('arn:')) confirmed += 1;
      }
      token = out.NextToken;
      if (!token) return { confirmed, pending };
    }
    throw new CanaryAdapterError(
      `the ${topic} topic has more than ${MAX_SUBSCRIPTION_PAGES} pages of subscriptions`,
    );
  }
}

/**
 * One page of the index is 1 MB; 50 pages are tens of thousands of open cases, far beyond a
 * working CA. A bounded count that says so beats a canary that times out.
 */
const MAX_OPEN_CASE_PAGES = 50;

/** Counts the openByDeadline index (the team's "due first" view) and the obligations in it. */
export class DynamoOpenCases implements OpenCases {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async count(): Promise<OpenCaseCounts> {
    const index = CASES_TABLE_SCHEMA.openByDeadlineIndex;
    let cases = 0;
    let obligations = 0;
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_OPEN_CASE_PAGES; page += 1) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :open',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#n': 'notices' },
          ExpressionAttributeValues: { ':open': OPEN_INDEX_PARTITION },
          ProjectionExpression: '#n',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        cases += 1;
        obligations += openObligations((item.notices ?? []) as Notice[]).length;
      }
      start = out.LastEvaluatedKey;
      if (!start) return { cases, obligations };
    }
    throw new CanaryAdapterError(`more than ${MAX_OPEN_CASE_PAGES} pages of open cases`);
  }
}

/** Publishes to the team topic, marked so subscription filters can tell it from case alerts. */
export class SnsTeamAlerts implements TeamAlerts {
  private readonly notifier: SnsNotifier;

  constructor(sns: SNSClient, teamTopicArn: string) {
    this.notifier = new SnsNotifier(sns, { team: teamTopicArn });
  }

  async publish(alert: TeamAlert): Promise<void> {
    await this.notifier.publish('team', { ...alert, attributes: { kind: 'canary' } });
  }
}

/** Where the HMAC key comes from: Secrets Manager in AWS, the plain value locally. */
export type CanarySecretSource =
  | { readonly kind: 'secretsManager'; readonly secretArn: string }
  | { readonly kind: 'plain'; readonly secret: string };

/**
 * Reads the key once per container; a failed read is not cached, so the next run tries again.
 * A rotated secret reaches a warm container only when it is recycled (docs/operations.md).
 */
export function cachedSecret(
  source: CanarySecretSource,
  read: (arn: string) => Promise<string> = (arn) => readSecretString(arn),
): () => Promise<string> {
  if (source.kind === 'plain') return async () => source.secret;
  let pending: Promise<string> | null = null;
  return () => {
    pending ??= read(source.secretArn).catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}

export function sesV1Client(): SESClient {
  return new SESClient({});
}
