/**
 * Which case a Message-ID header belongs to: how a reply finds its case through In-Reply-To and
 * References, and how the same report sent twice is told from a new one.
 */

/** Who owns a Message-ID header: the case it belongs to and who sent it. */
export interface MessageIdOwner {
  readonly caseId: string;
  readonly from: string | null;
}

export interface MessageIdIndex {
  /** Claims a Message-ID header for a case; returns the owner, which may be an earlier case. */
  register(header: string, owner: MessageIdOwner): Promise<MessageIdOwner>;
  find(header: string): Promise<MessageIdOwner | null>;
  /**
   * Moves a registration from `stale` (a case that was never written) to `owner`, only if it
   * still points at `stale`; returns the owner as stored afterwards.
   */
  reassign(header: string, stale: MessageIdOwner, owner: MessageIdOwner): Promise<MessageIdOwner>;
}
