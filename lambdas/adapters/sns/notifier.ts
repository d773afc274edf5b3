import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertTopic } from '../../domain/case/types.ts';
import type { SnsMessage } from '../../domain/escalation/messages.ts';
import type { Notifier } from '../../domain/ports/notifier.ts';

export class TopicNotConfiguredError extends Error {
  override readonly name = 'TopicNotConfiguredError';
}

/** Publishes to the team, escalation and pager topics, with attributes for subscription filters. */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topics: Partial<Record<AlertTopic, string>>,
  ) {}

  async publish(topic: AlertTopic, message: SnsMessage): Promise<{ messageId: string }> {
    const arn = this.topics[topic];
    if (!arn) throw new TopicNotConfiguredError(`no ARN configured for the ${topic} topic`);
    const out = await this.sns.send(
      new PublishCommand({
        TopicArn: arn,
        Subject: message.subject,
        Message: message.message,
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([k, v]) => [
            k,
            { DataType: 'String', StringValue: v },
          ]),
        ),
      }),
    );
    return { messageId: out.MessageId ?? '' };
  }
}
