/** Wires the canary's run to its AWS adapters. */
import {
  documentClient,
  sesClient,
  sesReceivingClient,
  snsClient,
} from '../adapters/aws-clients.ts';
import { casesTable } from '../adapters/dynamo/cases-table.ts';
import { cachedSecret } from '../adapters/secrets.ts';
import { SesCanaryMailer } from '../adapters/ses/canary-mailer.ts';
import { SesReceiptRuleSets } from '../adapters/ses/receipt-rule-sets.ts';
import { SnsTeamAlerts } from '../adapters/sns/team-alerts.ts';
import { SnsTopicSubscriptions } from '../adapters/sns/topic-subscriptions.ts';
import type { CanaryDeps } from '../domain/canary/run.ts';
import type { CanaryConfig } from './config.ts';

export function canaryDeps(config: CanaryConfig, now: () => Date = () => new Date()): CanaryDeps {
  const sns = snsClient();
  const table = casesTable(documentClient(), config.casesTable);
  return {
    secret: cachedSecret(config.secret),
    mailer: new SesCanaryMailer(sesClient(), config.configurationSet),
    ruleSets: new SesReceiptRuleSets(sesReceivingClient()),
    subscriptions: new SnsTopicSubscriptions(sns, config.topics),
    heartbeats: table.heartbeats,
    openCases: table.cases,
    alerts: new SnsTeamAlerts(sns, config.topics.team),
    now,
  };
}
