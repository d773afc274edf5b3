/**
 * What intake needs from the outside world, as interfaces. The AWS adapters in
 * `lambdas/adapters/` implement them; tests and the local stack use the same adapters against
 * the stand-ins. No AWS types cross this line.
 */

import type { Heartbeat } from '../canary/token.ts';
import type { AuditEvent, CaseMessage, CprCase, Verdicts } from '../case/types.ts';
import type { Evidence } from '../evidence/types.ts';
import type { MatchKind } from '../inventory/resolve.ts';
import type { Inventory } from '../inventory/types.ts';
import type { IssuerCertificate } from '../issuers/config.ts';
import type { OutboundRef } from '../notices/ports.ts';

export class RawMailNotFoundError extends Error {
  override readonly name = 'RawMailNotFoundError';
}

export interface StoredRawMail {
  readonly bytes: Uint8Array;
  /** When the store received it; the receipt time of last resort for a replay. */
  readonly storedAt: Date;
}

/** The inbound bucket, where SES stored the raw message before invoking us. */
export interface RawMailStore {
  /** @throws RawMailNotFoundError */
  get(key: string): Promise<StoredRawMail>;
}

/** The full evidence of one message, as written to S3 next to the raw mail. */
export interface MessageEvidence {
  readonly caseId: string;
  readonly sesMessageId: string;
  readonly evidence: Evidence;
  readonly affected: readonly string[];
  readonly subscribers: readonly { readonly name: string; readonly email: string }[];
  /** How each matched inventory certificate was matched (see MatchKind). */
  readonly matchedBy?: Readonly<Record<string, readonly MatchKind[]>>;
}

export interface EvidenceStore {
  /** The object key the evidence of this message is (or will be) stored under. */
  keyFor(caseId: string, sesMessageId: string): string;
  put(key: string, evidence: MessageEvidence): Promise<void>;
  get(key: string): Promise<MessageEvidence | null>;
}

/** What SES told us about a message, kept so that a replay can run intake exactly again. */
export interface MessageEnvelope {
  readonly sesMessageId: string;
  readonly receivedAt: string;
  readonly rawKey: string;
  readonly verdicts: Verdicts;
  /** Headers SES parsed itself: the fallback when our parser cannot read the message. */
  readonly commonHeaders: {
    readonly from: readonly string[];
    readonly subject: string | null;
    readonly messageId: string | null;
  };
}

export type MessageRole = CaseMessage['role'];

/** The processing record of one SES message: the idempotency key of intake. */
export interface MessageRecord {
  readonly envelope: MessageEnvelope;
  readonly state: 'processing' | 'done';
  /** Set once intake decided which case the message belongs to; a retry reuses the decision. */
  readonly caseId: string | null;
  readonly role: MessageRole | null;
}

/** Who owns a Message-ID header: the case it belongs to and who sent it. */
export interface MessageIdOwner {
  readonly caseId: string;
  readonly from: string | null;
}

export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
}

export class ConcurrentUpdateError extends Error {
  override readonly name = 'ConcurrentUpdateError';
}

export interface CaseRepository {
  /** Records the envelope unless a record exists; returns the record as stored. */
  claimMessage(envelope: MessageEnvelope): Promise<MessageRecord>;
  getMessage(sesMessageId: string): Promise<MessageRecord | null>;
  /** Remembers the routing decision of a message (idempotent for the same decision). */
  assignMessage(sesMessageId: string, caseId: string, role: MessageRole): Promise<void>;
  /** Forgets the routing decision, so the next attempt routes the message again. */
  clearAssignment(sesMessageId: string): Promise<void>;
  completeMessage(sesMessageId: string): Promise<void>;
  /** Claims a Message-ID header for a case; returns the owner, which may be an earlier case. */
  registerMessageIdHeader(header: string, owner: MessageIdOwner): Promise<MessageIdOwner>;
  findMessageIdHeader(header: string): Promise<MessageIdOwner | null>;
  getCase(id: string): Promise<CprCase | null>;
  /** Creates the case unless one with this id exists; returns the stored case. */
  createCase(c: CprCase): Promise<{ readonly created: boolean; readonly stored: CprCase }>;
  /**
   * Applies `change` under optimistic locking, retrying on a concurrent write. `change` returns
   * null when there is nothing to do (which makes retried steps idempotent).
   * @throws CaseNotFoundError
   */
  updateCase(id: string, change: (current: CprCase) => CprCase | null): Promise<CprCase>;
  /** Appends audit events; an event id already present is not written twice. */
  appendEvents(events: readonly AuditEvent[]): Promise<void>;
  listEvents(caseId: string): Promise<readonly AuditEvent[]>;
  hasEvent(caseId: string, eventId: string): Promise<boolean>;
  /** Remembers which notice an outbound SES message carried (for delivery events). */
  registerOutbound(sesMessageId: string, ref: OutboundRef): Promise<void>;
  findOutbound(sesMessageId: string): Promise<OutboundRef | null>;
  /** Keeps the newest canary heartbeat (an older one arriving late does not replace it). */
  recordHeartbeat(h: Heartbeat): Promise<void>;
  getHeartbeat(): Promise<Heartbeat | null>;
}

/** The Object Lock archive: a second, immutable copy of every raw message (BR 5.5). */
export interface RawMailArchive {
  /** Stores the bytes under `key` unless already there (a locked object cannot be replaced). */
  keep(key: string, bytes: Uint8Array): Promise<'stored' | 'alreadyThere'>;
}

/** The input of the deadline state machine, one execution per case. */
export interface DeadlineClockInput {
  readonly caseId: string;
  readonly receivedAt: string;
  readonly deadlines: CprCase['deadlines'];
  readonly acknowledgment: CprCase['acknowledgment'];
}

export interface DeadlineClock {
  /** Starts the case's execution, named after the case id; a second start is a no-op. */
  start(input: DeadlineClockInput): Promise<'started' | 'alreadyStarted'>;
}

export interface IntakeDeps {
  readonly rawMail: RawMailStore;
  readonly evidence: EvidenceStore;
  readonly cases: CaseRepository;
  readonly inventory: Inventory;
  readonly clock: DeadlineClock;
  /** Absent only where no archive is configured (tests of other steps). */
  readonly archive?: RawMailArchive;
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
