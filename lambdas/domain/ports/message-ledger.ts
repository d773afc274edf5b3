/**
 * The message ledger: one record per SES message, the idempotency key of intake. A record exists
 * before any work on the message, and it remembers the routing decision so that a retry after a
 * crash routes the same way.
 */
import type { MessageRole, Verdicts } from '../case/types.ts';

export type { MessageRole };

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

export const MESSAGE_STATES = ['processing', 'done'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/** The processing record of one SES message. */
export interface MessageRecord {
  readonly envelope: MessageEnvelope;
  readonly state: MessageState;
  /** Set once intake decided which case the message belongs to; a retry reuses the decision. */
  readonly caseId: string | null;
  readonly role: MessageRole | null;
}

export interface MessageLedger {
  /** Records the envelope unless a record exists; returns the record as stored. */
  claim(envelope: MessageEnvelope): Promise<MessageRecord>;
  get(sesMessageId: string): Promise<MessageRecord | null>;
  /** Remembers the routing decision of a message (idempotent for the same decision). */
  assign(sesMessageId: string, caseId: string, role: MessageRole): Promise<void>;
  /** Forgets the routing decision, so the next attempt routes the message again. */
  clearAssignment(sesMessageId: string): Promise<void>;
  complete(sesMessageId: string): Promise<void>;
}
