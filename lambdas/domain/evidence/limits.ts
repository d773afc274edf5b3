/**
 * Limits for evidence extraction. Mail is hostile input: every loop over attacker-controlled data
 * is bounded by one of these. Hitting a limit adds a `problems` note and stops that category; it
 * never throws.
 */
import { MAX_PROBLEMS } from '../mail/limits.ts';

/** Mass reports list thousands of certificates; 20k covers the largest seen with headroom. */
export const MAX_CERTIFICATES = 20_000;
/**
 * Certificates the parser refused that are recorded (a hash and a header walk each): a report
 * sends one or a few; thousands of garbage blocks are a mass mail worth only a count.
 */
export const MAX_UNPARSED_CERTIFICATES = 500;
/** A report names a handful of keys; a few hundred already means a dump worth a human look. */
export const MAX_KEYS = 500;
/** CSR verification costs a signature check each; proofs come one per key. */
export const MAX_CSRS = 500;
/** Serial lists in mass reports run to tens of thousands of lines. */
export const MAX_SERIALS = 50_000;
/** Same order of magnitude as serials: fingerprint lists are the other mass-report form. */
export const MAX_FINGERPRINTS = 50_000;
/** crt.sh links are pasted by hand or by scripts; as many as serials. */
export const MAX_CRTSH_IDS = 50_000;
/** Serial labels, and colon-hex lines, examined per text: 4x the most serials we keep. */
export const MAX_SERIAL_CANDIDATES = 200_000;
/** Bounds parsing work: every PEM block is decoded and parsed, including garbage ones. */
export const MAX_PEM_BLOCKS = 50_000;
/** Archives in archives: .tar.gz (one level) in a .zip is 2; deeper is a bomb or a quine. */
export const MAX_ARCHIVE_DEPTH = 3;
/** Total bytes all archives in one mail may expand to; keeps a Lambda well inside its memory. */
export const MAX_EXPANDED_BYTES = 100 * 1024 * 1024;
/** Total archive members across the mail; every member is sniffed and scanned. */
export const MAX_ARCHIVE_ENTRIES = 10_000;
/** Real evidence (PEM, CSV) compresses under 10:1; bombs compress at 1000:1. */
export const MAX_COMPRESSION_RATIO = 200;
/** Below this output size the ratio is not checked: tiny repetitive files are normal. */
export const RATIO_CHECK_MIN_BYTES = 1024 * 1024;
/**
 * Certificates linted per report (about 1 ms each): misissuance reports carry one or a few; in a
 * mass report the first ones are enough to classify it, and the team lints the rest itself.
 */
export const MAX_LINTED_CERTIFICATES = 25;

/** Every bound evidence extraction applies, overridable in tests. */
export interface EvidenceLimits {
  readonly maxCertificates: number;
  readonly maxUnparsedCertificates: number;
  readonly maxKeys: number;
  readonly maxCsrs: number;
  readonly maxSerials: number;
  readonly maxFingerprints: number;
  readonly maxCrtshIds: number;
  readonly maxPemBlocks: number;
  readonly maxArchiveDepth: number;
  readonly maxExpandedBytes: number;
  readonly maxArchiveEntries: number;
  readonly maxCompressionRatio: number;
  readonly ratioCheckMinBytes: number;
  readonly maxProblems: number;
  readonly maxLintedCertificates: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = Object.freeze({
  maxCertificates: MAX_CERTIFICATES,
  maxUnparsedCertificates: MAX_UNPARSED_CERTIFICATES,
  maxKeys: MAX_KEYS,
  maxCsrs: MAX_CSRS,
  maxSerials: MAX_SERIALS,
  maxFingerprints: MAX_FINGERPRINTS,
  maxCrtshIds: MAX_CRTSH_IDS,
  maxPemBlocks: MAX_PEM_BLOCKS,
  maxArchiveDepth: MAX_ARCHIVE_DEPTH,
  maxExpandedBytes: MAX_EXPANDED_BYTES,
  maxArchiveEntries: MAX_ARCHIVE_ENTRIES,
  maxCompressionRatio: MAX_COMPRESSION_RATIO,
  ratioCheckMinBytes: RATIO_CHECK_MIN_BYTES,
  maxProblems: MAX_PROBLEMS,
  maxLintedCertificates: MAX_LINTED_CERTIFICATES,
});
