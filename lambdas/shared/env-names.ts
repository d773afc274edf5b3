/**
 * Environment variables the functions read at cold start. The CDK constructs set them through
 * these names, so a rename is a compile error on both sides.
 */
import type { AlertTopic } from '../domain/case/types.ts';

export const ENV = {
  casesTable: 'CASES_TABLE',
  /** The append-only audit log (BR 5.4), a table of its own. */
  auditTable: 'AUDIT_TABLE',
  inventoryTable: 'INVENTORY_TABLE',
  inboundBucket: 'INBOUND_BUCKET',
  inboundPrefix: 'INBOUND_PREFIX',
  evidenceBucket: 'EVIDENCE_BUCKET',
  evidencePrefix: 'EVIDENCE_PREFIX',
  stateMachineArn: 'STATE_MACHINE_ARN',
  cprAddresses: 'CPR_ADDRESSES',
  deadlinePolicy: 'DEADLINE_POLICY_VERSION',
  /** From address of every notice we send (a verified SES identity). */
  senderAddress: 'SENDER_ADDRESS',
  /** The CA's name as it appears in notices. */
  caName: 'CA_NAME',
  /** SES configuration set whose event destination reports delivery, bounce and complaint. */
  configurationSet: 'SES_CONFIGURATION_SET',
  /** Acknowledgments per recipient address / domain in the window (anti mail-bombing). */
  ackLimitPerAddress: 'ACK_LIMIT_PER_ADDRESS',
  ackLimitPerDomain: 'ACK_LIMIT_PER_DOMAIN',
  ackLimitWindowHours: 'ACK_LIMIT_WINDOW_HOURS',
  teamTopicArn: 'TEAM_TOPIC_ARN',
  escalationTopicArn: 'ESCALATION_TOPIC_ARN',
  pagerTopicArn: 'PAGER_TOPIC_ARN',
  /** Object Lock bucket every raw message is copied to (BR 5.5 retention). */
  archiveBucket: 'ARCHIVE_BUCKET',
  /** Secrets Manager secret holding the canary's HMAC key. */
  canarySecretArn: 'CANARY_SECRET_ARN',
  /** The canary's HMAC key itself: local stack only (AWS reads it from CANARY_SECRET_ARN). */
  canarySecret: 'CANARY_SECRET',
  /** Path of the CA's issuers file (`[{name, certificate, ocspUrl, crlUrl}]`, JSON). */
  issuersFile: 'CPR_ISSUERS',
  canaryIntervalMinutes: 'CANARY_INTERVAL_MINUTES',
  receiptRuleSetName: 'RECEIPT_RULE_SET_NAME',
  /** Bucket of the compromised-key blocklist object the issuance system reads (BR 6.1.1.3(4)). */
  blocklistBucket: 'BLOCKLIST_BUCKET',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** The variable holding each alert topic's ARN. */
export const ALERT_TOPIC_ENV = {
  team: ENV.teamTopicArn,
  escalation: ENV.escalationTopicArn,
  pager: ENV.pagerTopicArn,
} as const satisfies Record<AlertTopic, EnvName>;
