import type { SNSClient } from '@aws-sdk/client-sns';
import type { TeamAlert, TeamAlerts } from '../../domain/ports/canary.ts';
import { SnsNotifier } from './notifier.ts';

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
