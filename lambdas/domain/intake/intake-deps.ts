/** What intake needs from the outside world: the ports it uses, by role, and its settings. */
import type { Locations } from '../escalation/messages.ts';
import type { Inventory } from '../inventory/types.ts';
import type { IssuerCertificate } from '../issuers/config.ts';
import type { AuditLog } from '../ports/audit-log.ts';
import type { CaseMessageLog } from '../ports/case-messages.ts';
import type { CaseStore } from '../ports/case-store.ts';
import type { DeadlineClock } from '../ports/deadline-clock.ts';
import type { EvidenceStore } from '../ports/evidence-store.ts';
import type { HeartbeatStore } from '../ports/heartbeat-store.ts';
import type { MessageIdIndex } from '../ports/message-id-index.ts';
import type { MessageLedger } from '../ports/message-ledger.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { RawMailArchive, RawMailStore } from '../ports/raw-mail.ts';

export interface IntakeDeps {
  readonly rawMail: RawMailStore;
  /** Absent only where no archive is configured (tests of other steps). */
  readonly archive?: RawMailArchive;
  readonly evidence: EvidenceStore;
  readonly messages: MessageLedger;
  readonly messageIds: MessageIdIndex;
  readonly cases: CaseStore;
  readonly caseMessages: CaseMessageLog;
  readonly audit: AuditLog;
  /** The team topic: every message that joins a case is announced there. */
  readonly notifier: Notifier;
  /** Where a person finds the raw mail, for the announcement. */
  readonly locations: Locations;
  readonly heartbeats: HeartbeatStore;
  readonly inventory: Inventory;
  readonly clock: DeadlineClock;
  readonly now: () => Date;
}

export interface IntakeSettings {
  /** Our own CPR addresses and notice senders: mail from them is never acknowledged. */
  readonly ownAddresses: readonly string[];
  readonly deadlinePolicyVersion: string;
  /** The canary's HMAC key; null disables canary recognition (every canary becomes a case). */
  readonly canarySecret: string | null;
  /**
   * The CA's issuer certificates: a certificate matches an inventory record by issuer and serial
   * only with a signature of one of them. Empty: issuer, serial and key must agree.
   */
  readonly issuers?: readonly IssuerCertificate[];
}
