/**
 * What the canary needs from the outside world beyond the heartbeat store. The AWS adapters are
 * in `lambdas/adapters/` (SES v2 canary mailer, SES v1 receipt rules, SNS subscriptions and team
 * alerts, the cases table's open-case count); the tests use the same adapters against the
 * stand-ins where one exists and in-memory fakes where none does (SES v1 receipt rules, SNS
 * subscriptions).
 */

import type { AlertTopic } from '../case/types.ts';

/** A synthetic report, sent through SES like any mail a reporter sends. */
export interface CanaryMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Value of the X-CPR-Canary header (`createCanaryToken`). */
  readonly token: string;
}

export interface CanaryMailer {
  /** Sends through SES with the configuration set; returns SES's message id. */
  send(mail: CanaryMail): Promise<{ readonly messageId: string }>;
}

/** SES v1 receiving: only one receipt rule set per account and region is active. */
export interface ReceiptRuleSets {
  /** Name of the active receipt rule set, or null when none is active. */
  activeRuleSetName(): Promise<string | null>;
}

/** How many subscriptions of a topic are confirmed and how many still wait for a click. */
export interface SubscriptionCounts {
  readonly confirmed: number;
  readonly pending: number;
}

export interface TopicSubscriptions {
  count(topic: AlertTopic): Promise<SubscriptionCounts>;
}

export interface OpenCaseCounts {
  /** Cases in the openByDeadline index: open, with a deadline ahead. */
  readonly cases: number;
  /** Preliminary-report obligations still owed across those cases. */
  readonly obligations: number;
}

export interface OpenCases {
  countOpenObligations(): Promise<OpenCaseCounts>;
}

/** A plain-text message to the team topic. */
export interface TeamAlert {
  readonly subject: string;
  readonly message: string;
}

export interface TeamAlerts {
  publish(alert: TeamAlert): Promise<void>;
}
