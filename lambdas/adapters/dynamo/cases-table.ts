/**
 * The cases table behind its ports, one adapter per role. The functions wire only the roles they
 * use; the IAM grants of each function are in `infra/`. The audit log has a table of its own
 * (`DynamoAuditLog`), so that nothing that may update cases may touch it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoAuditLog } from './audit-log.ts';
import { DynamoCaseMessageLog } from './case-messages.ts';
import { DynamoCaseStore } from './case-store.ts';
import { DynamoHeartbeatStore } from './heartbeat-store.ts';
import { DynamoMessageIdIndex } from './message-id-index.ts';
import { DynamoMessageLedger } from './message-ledger.ts';
import { DynamoOutboundRegistry } from './outbound-registry.ts';

export interface CasesTable {
  readonly cases: DynamoCaseStore;
  readonly messages: DynamoMessageLedger;
  readonly caseMessages: DynamoCaseMessageLog;
  readonly messageIds: DynamoMessageIdIndex;
  readonly outbound: DynamoOutboundRegistry;
  readonly heartbeats: DynamoHeartbeatStore;
}

export function casesTable(db: DynamoDBDocumentClient, table: string): CasesTable {
  return {
    cases: new DynamoCaseStore(db, table),
    messages: new DynamoMessageLedger(db, table),
    caseMessages: new DynamoCaseMessageLog(db, table),
    messageIds: new DynamoMessageIdIndex(db, table),
    outbound: new DynamoOutboundRegistry(db, table),
    heartbeats: new DynamoHeartbeatStore(db, table),
  };
}

/** The case store and audit log as triage and revocation use them (one door, two roles). */
export function revocationCases(t: {
  readonly cases: DynamoCaseStore;
  readonly audit: DynamoAuditLog;
}) {
  return {
    getCase: (id: string) => t.cases.get(id),
    updateCase: (id: string, change: Parameters<DynamoCaseStore['update']>[1]) =>
      t.cases.update(id, change),
    appendEvents: (events: Parameters<DynamoAuditLog['append']>[0]) => t.audit.append(events),
  };
}
