import { ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertTopic } from '../../domain/case/types.ts';
import type { SubscriptionCounts, TopicSubscriptions } from '../../domain/ports/canary.ts';

/** SNS marks a subscription nobody confirmed with this instead of an ARN. */
const PENDING = 'PendingConfirmation';
/** A topic with more subscriptions than this is a misconfiguration, not something to page through. */
const MAX_SUBSCRIPTION_PAGES = 20;

export class TooManySubscriptionsError extends Error {
  override readonly name = 'TooManySubscriptionsError';
}

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
    throw new TooManySubscriptionsError(
      `the ${topic} topic has more than ${MAX_SUBSCRIPTION_PAGES} pages of subscriptions`,
    );
  }
}
