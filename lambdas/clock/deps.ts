/** Wires the clock's tasks to their AWS adapters. */
import { documentClient, s3Client, sesClient, snsClient } from '../adapters/aws-clients.ts';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log.ts';
import { casesTable, revocationCases } from '../adapters/dynamo/cases-table.ts';
import { DynamoInventory } from '../adapters/dynamo/inventory.ts';
import { DynamoRateLimiter } from '../adapters/dynamo/rate-limits.ts';
import { DynamoBlocklist, DynamoRevocationStore } from '../adapters/dynamo/revocations.ts';
import { DynamoSendClaims } from '../adapters/dynamo/send-claims.ts';
import { S3BlocklistPublisher } from '../adapters/s3/blocklist-export.ts';
import { S3EvidenceStore } from '../adapters/s3/evidence-store.ts';
import { SesMailer } from '../adapters/ses/mailer.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import type { AlertTopic } from '../domain/case/types.ts';
import type { Mailer } from '../domain/ports/mailer.ts';
import type { Notifier } from '../domain/ports/notifier.ts';
import type { RevocationDeps } from '../domain/revocation/use-cases.ts';
import type { ClockTaskDeps } from './tasks.ts';

/** A mailer for functions that must never send mail: a call is a wiring bug, said loudly. */
const noMailer: Mailer = {
  send: () => Promise.reject(new Error('this function is not allowed to send mail')),
};
const noNotifier: Notifier = {
  publish: () => Promise.reject(new Error('this function is not allowed to publish')),
};

/** Where revocation obligations find the evidence, the inventory and the blocklist's copy. */
export interface RevocationStorage {
  readonly inventoryTable: string;
  readonly evidenceBucket: string;
  readonly evidencePrefix: string;
  /** The bucket the blocklist object is written to; null: no copy is published. */
  readonly blocklistBucket: string | null;
}

/** The two tables every clock task works on: the cases and the append-only audit log. */
export interface CaseTables {
  readonly casesTable: string;
  readonly auditTable: string;
}

export function revocationDeps(
  tables: CaseTables,
  storage: RevocationStorage,
  now: () => Date,
): RevocationDeps {
  const db = documentClient();
  const s3 = s3Client();
  const { casesTable: cases } = tables;
  return {
    cases: revocationCases({
      cases: casesTable(db, cases).cases,
      audit: new DynamoAuditLog(db, tables.auditTable),
    }),
    revocations: new DynamoRevocationStore(db, cases),
    inventory: new DynamoInventory(db, storage.inventoryTable),
    evidence: new S3EvidenceStore(s3, storage.evidenceBucket, storage.evidencePrefix),
    blocklist: new DynamoBlocklist(db, cases),
    blocklistPublisher: storage.blocklistBucket
      ? new S3BlocklistPublisher(s3, storage.blocklistBucket)
      : null,
    now,
  };
}

export function clockDeps(
  options: CaseTables & {
    /** Watch revocation obligations too (the checkpoint function); absent: notices only. */
    revocation?: RevocationStorage;
    configurationSet?: string;
    topics?: Readonly<Partial<Record<AlertTopic, string>>>;
    region?: string | null;
    now?: () => Date;
  },
): ClockTaskDeps {
  const table = casesTable(documentClient(), options.casesTable);
  return {
    cases: table.cases,
    audit: new DynamoAuditLog(documentClient(), options.auditTable),
    outbound: table.outbound,
    messageIds: table.messageIds,
    claims: new DynamoSendClaims(documentClient(), options.casesTable),
    rateLimiter: new DynamoRateLimiter(documentClient(), options.casesTable),
    mailer: options.configurationSet
      ? new SesMailer(sesClient({ singleAttempt: true }), options.configurationSet)
      : noMailer,
    notifier: options.topics ? new SnsNotifier(snsClient(), options.topics) : noNotifier,
    region: options.region ?? null,
    now: options.now ?? (() => new Date()),
    revocation: options.revocation
      ? revocationDeps(options, options.revocation, options.now ?? (() => new Date()))
      : null,
  };
}
