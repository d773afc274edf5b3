/**
 * The smallest DER reader that lets us count and slice before decoding: it reads one
 * tag-length header at a time and never builds a tree. Used where a full ASN.1 decode would
 * spend work on input that a limit is about to refuse (a PKCS#7 bundle of 50,000 certificates).
 * Decoding proper stays with the maintained parsers (node:crypto, @peculiar).
 */
import { MalformedEvidenceError } from './errors.ts';

export interface DerHeader {
  /** The identifier octet (single-byte tags only; high tag numbers are refused). */
  readonly tag: number;
  /** Offset of the contents. */
  readonly start: number;
  /** Offset just past the contents. */
  readonly end: number;
}

/** BER's indefinite length (0x80): legal in BER bundles, and not something this reader handles. */
export class IndefiniteLengthError extends MalformedEvidenceError {
  override readonly name: string = 'IndefiniteLengthError';
}

/** Reads the header at `at`, bounded by `limit`. Throws MalformedEvidenceError when it does not fit. */
export function readHeader(bytes: Uint8Array, at: number, limit = bytes.length): DerHeader {
  const tag = bytes[at];
  const first = bytes[at + 1];
  if (tag === undefined || first === undefined || at + 2 > limit) {
    throw new MalformedEvidenceError('DER header runs past its container');
  }
  if ((tag & 0x1f) === 0x1f) throw new MalformedEvidenceError('DER high tag numbers not read');
  let start = at + 2;
  let length = first;
  if (first === 0x80) throw new IndefiniteLengthError('BER indefinite length');
  if (first > 0x80) {
    const n = first & 0x7f;
    // Four length octets already describe 4 GB, more than any mail holds.
    if (n > 4 || start + n > limit) throw new MalformedEvidenceError('DER length too long');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += n;
  }
  const end = start + length;
  if (end > limit) throw new MalformedEvidenceError('DER contents run past their container');
  return { tag, start, end };
}

/** The headers of the elements inside a constructed value's contents, in order. */
export function* children(bytes: Uint8Array, parent: DerHeader): Generator<DerHeader> {
  let at = parent.start;
  while (at < parent.end) {
    const child = readHeader(bytes, at, parent.end);
    yield child;
    at = child.end;
  }
}
