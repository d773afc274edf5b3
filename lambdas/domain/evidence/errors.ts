/**
 * Errors raised inside evidence extraction. None escapes `extractEvidence`: each becomes a
 * `problems` note. Messages never carry input bytes, so key material cannot leak through them.
 */

/** An archive could not be read (truncated, corrupt, unsupported method). */
export class ArchiveFormatError extends Error {
  override readonly name = 'ArchiveFormatError';
}

/** Expanding an archive would break one of the bomb limits. */
export class ArchiveLimitError extends Error {
  override readonly name = 'ArchiveLimitError';
}

/** A PEM block or DER object is not what its label or sniffed type claims. */
export class MalformedEvidenceError extends Error {
  override readonly name: string = 'MalformedEvidenceError';
}

/** A key is larger than any honest key of its kind: refused before OpenSSL does arithmetic on it. */
export class KeyLimitError extends Error {
  override readonly name = 'KeyLimitError';
}
