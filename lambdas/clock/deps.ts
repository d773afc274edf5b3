/** Wires the clock's tasks to their AWS adapters. */
import { documentClient, s3Client, sesClient, snsClient } from '../adapters/aws-clients.ts';
import {
  casesTable,
  casesTable as casesTableOf,
  revocationCases,
} from '../adapters/dynamo/cases-table.ts';
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

export function revocationDeps(
  casesTable: string,
  storage: RevocationStorage,
  now: () => Date,
): RevocationDeps {
  const db = documentClient();
  const s3 = s3Client();
  return {
    cases: revocationCases(casesTableOf(db, casesTable)),
    revocations: new DynamoRevocationStore(db, casesTable),
    inventory: new DynamoInventory(db, storage.inventoryTable),
    evidence: new S3EvidenceStore(s3, storage.evidenceBucket, storage.evidencePrefix),
    blocklist: new DynamoBlocklist(db, casesTable),
    blocklistPublisher: storage.blocklistBucket
      ? new S3BlocklistPublisher(s3, storage.blocklistBucket)
      : null,
    now,
  };
}

export function clockDeps(options: {
  casesTable: string;
  /** Watch revocation obligations too (the checkpoint function); absent: notices only. */
  revocation?: RevocationStorage;
  configurationSet?: string;
  topics?: Readonly<Partial<Record<AlertTopic, string>>>;
  region?: string | null;
  now?: () => Date;
}): ClockTaskDeps {
  const table = casesTable(documentClient(), options.casesTable);
  return {
    cases: table.cases,
    audit: table.audit,
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
      ? revocationDeps(options.casesTable, options.revocation, options.now ?? (() => new Date()))
      : null,
  };
}
