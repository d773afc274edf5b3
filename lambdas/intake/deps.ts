/** Wires the intake domain to its AWS adapters. The only place that knows both. */
import { documentClient, s3Client, sfnClient, snsClient } from '../adapters/aws-clients.ts';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log.ts';
import { casesTable } from '../adapters/dynamo/cases-table.ts';
import { DynamoInventory } from '../adapters/dynamo/inventory.ts';
import { S3EvidenceStore } from '../adapters/s3/evidence-store.ts';
import { S3RawMailArchive } from '../adapters/s3/raw-mail-archive.ts';
import { S3RawMailStore } from '../adapters/s3/raw-mail-store.ts';
import { readSecretString } from '../adapters/secrets.ts';
import { StepFunctionsDeadlineClock } from '../adapters/sfn/deadline-clock.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import { consoleLocations } from '../clock/tasks.ts';
import type { IntakeDeps, IntakeSettings } from '../domain/intake/intake-deps.ts';
import type { IntakeConfig } from './config.ts';

export function intakeDeps(config: IntakeConfig, now: () => Date = () => new Date()): IntakeDeps {
  const s3 = s3Client();
  const db = documentClient();
  const table = casesTable(db, config.casesTable);
  return {
    rawMail: new S3RawMailStore(s3, config.inboundBucket),
    evidence: new S3EvidenceStore(s3, config.evidenceBucket, config.evidencePrefix),
    messages: table.messages,
    messageIds: table.messageIds,
    cases: table.cases,
    caseMessages: table.caseMessages,
    notifier: new SnsNotifier(snsClient(), { team: config.teamTopicArn }),
    locations: consoleLocations(config.inboundBucket, process.env.AWS_REGION ?? null),
    audit: new DynamoAuditLog(db, config.auditTable),
    heartbeats: table.heartbeats,
    inventory: new DynamoInventory(db, config.inventoryTable),
    clock: new StepFunctionsDeadlineClock(sfnClient(), config.stateMachineArn),
    ...(config.archiveBucket ? { archive: new S3RawMailArchive(s3, config.archiveBucket) } : {}),
    now,
  };
}

/** The canary's key: from Secrets Manager in AWS, from the environment locally, else none. */
export async function canarySecretOf(config: IntakeConfig): Promise<string | null> {
  if (!config.canarySecret) return null;
  return 'arn' in config.canarySecret
    ? readSecretString(config.canarySecret.arn)
    : config.canarySecret.value;
}

export function intakeSettings(
  config: IntakeConfig,
  canarySecret: string | null = null,
): IntakeSettings {
  return {
    ownAddresses: config.ownAddresses,
    deadlinePolicyVersion: config.deadlinePolicyVersion,
    canarySecret,
    issuers: config.issuers ?? [],
  };
}
