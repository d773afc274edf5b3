/** The raw message as SES stored it, and the immutable copy intake keeps of it. */

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

/** The Object Lock archive: a second, immutable copy of every raw message (BR 5.5). */
export interface RawMailArchive {
  /** Stores the bytes under `key` unless already there (a locked object cannot be replaced). */
  keep(key: string, bytes: Uint8Array): Promise<'stored' | 'alreadyThere'>;
}
