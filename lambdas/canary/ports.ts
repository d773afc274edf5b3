/**
 * What the canary needs from the outside world. `lambdas/canary/aws.ts` implements each port with
 * the AWS SDK; the tests use the same adapters against the stand-ins where one exists (SES v2,
 * DynamoDB, SNS publish) and in-memory fakes where none does (SES v1 receipt rules, SNS
 * subscriptions).
 */
import type { Heartbeat } from '../domain/canary/token.ts';

/** The three alert topics the canary watches, from "a person should look" to "wake someone up". */
export const ALERT_TOPICS = ['team', 'escalation', 'pager'] as const;
export type AlertTopic = (typeof ALERT_TOPICS)[number];

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

export interface HeartbeatReader {
  /** The newest heartbeat intake recorded for a canary mail, or null if none ever was. */
  getHeartbeat(): Promise<Heartbeat | null>;
}

export interface OpenCaseCounts {
  /** Cases in the openByDeadline index: open, with a deadline ahead. */
  readonly cases: number;
  /** Preliminary-report obligations still owed across those cases. */
  readonly obligations: number;
}

export interface OpenCases {
  count(): Promise<OpenCaseCounts>;
}

/** A plain-text message to the team topic. */
export interface TeamAlert {
  readonly subject: string;
  readonly message: string;
}

export interface TeamAlerts {
  publish(alert: TeamAlert): Promise<void>;
}

export interface CanaryDeps {
  /** The HMAC key shared with intake; read once and cached by the caller. */
  readonly secret: () => Promise<string>;
  readonly mailer: CanaryMailer;
  readonly ruleSets: ReceiptRuleSets;
  readonly subscriptions: TopicSubscriptions;
  readonly heartbeats: HeartbeatReader;
  readonly openCases: OpenCases;
  readonly alerts: TeamAlerts;
  readonly now: () => Date;
}
