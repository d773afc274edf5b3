/** Wires one verifier round to its adapters: the cases table, the checker, the alert topics. */
import { documentClient, snsClient } from '../adapters/aws-clients.ts';
import { DynamoAuditLog } from '../adapters/dynamo/audit-log.ts';
import { casesTable, revocationCases } from '../adapters/dynamo/cases-table.ts';
import { DynamoRevocationStore } from '../adapters/dynamo/revocations.ts';
import { RelyingPartyChecker } from '../adapters/revocation/checker.ts';
import { type Issuer, issuerOf } from '../adapters/revocation/issuers.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import type { AlertTopic } from '../domain/case/types.ts';
import type { IssuerCertificate } from '../domain/issuers/config.ts';
import type { VerifyRoundDeps } from '../domain/revocation/verify-round.ts';

export interface VerifierConfig {
  readonly casesTable: string;
  /** The append-only audit log: a verified or not-visible revocation is an event. */
  readonly auditTable: string;
  /** The not-visible alert goes to the team and the pager; no other topic is configured. */
  readonly topics: Readonly<Pick<Record<AlertTopic, string>, 'team' | 'pager'>>;
  readonly issuers: readonly IssuerCertificate[];
}

/**
 * Built once per container: the checker's caches (CRLs until their nextUpdate, OCSP answers for
 * the lifetime they state) then span rounds, so a warm verifier asks responders even less.
 */
export function verifierDeps(config: VerifierConfig, now: () => Date = () => new Date()) {
  const db = documentClient();
  const table = casesTable(db, config.casesTable);
  const issuers: Issuer[] = config.issuers.map(issuerOf);
  const deps: VerifyRoundDeps = {
    openCases: table.cases,
    cases: revocationCases({
      cases: table.cases,
      audit: new DynamoAuditLog(db, config.auditTable),
    }),
    revocations: new DynamoRevocationStore(db, config.casesTable),
    checker: new RelyingPartyChecker({ issuers }),
    notifier: new SnsNotifier(snsClient(), config.topics),
    now,
  };
  return deps;
}
