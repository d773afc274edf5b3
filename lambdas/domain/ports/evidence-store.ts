/** The full evidence of each message, next to the raw mail; the case item keeps a sample. */
import type { Evidence } from '../evidence/types.ts';
import type { MatchKind } from '../inventory/resolve.ts';

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
  /**
   * Where the case's merged evidence is kept after `sesMessageId` joined it as version
   * `version`: one object per writer, so that of two concurrent joins the loser's file never
   * replaces the winner's.
   */
  mergedKeyFor(caseId: string, version: number, sesMessageId: string): string;
  put(key: string, evidence: MessageEvidence): Promise<void>;
  get(key: string): Promise<MessageEvidence | null>;
}
