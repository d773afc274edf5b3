/** Messages to people: the team, escalation and pager topics. */
import type { SnsMessage } from '../escalation/messages.ts';

export type TopicName = 'team' | 'escalation' | 'pager';

export interface Notifier {
  publish(topic: TopicName, message: SnsMessage): Promise<{ readonly messageId: string }>;
}
