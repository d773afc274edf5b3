/** Messages to people: the team, escalation and pager topics. */
import type { AlertTopic } from '../case/types.ts';
import type { SnsMessage } from '../escalation/messages.ts';

export interface Notifier {
  publish(topic: AlertTopic, message: SnsMessage): Promise<{ readonly messageId: string }>;
}
