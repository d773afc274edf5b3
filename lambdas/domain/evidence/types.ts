/**
 * What a reporter can send us, reduced to the facts a CA acts on.
 *
 * All hashes and serials are lowercase hex without separators. Private key material is never
 * part of these types: a key is represented by the SHA-256 of its public key's DER
 * SubjectPublicKeyInfo, which is also how certificates, keys and CSRs are matched.
 */
import type { CertificateLint } from '../lint/codes.ts';

/** Where in the message a piece of evidence was found, e.g. `body`, `attachment:keys.zip/a.pem`. */
export type EvidenceSource = string;

/** The DER private key encodings node:crypto loads. */
export type DerKeyFormat = 'pkcs8' | 'pkcs1' | 'sec1';
/** How a key arrived: a DER encoding, or an OpenSSH private key file (openssh-key-v1). */
export type KeyFormat = DerKeyFormat | 'openssh';

export interface CertificateEvidence {
  /** SHA-256 of the DER certificate (its fingerprint). */
  readonly sha256: string;
  /** Serial number, lowercase hex, leading zero bytes removed. */
  readonly serial: string;
  readonly issuer: string;
  readonly subject: string;
  readonly sans: readonly string[];
  /** ISO 8601 UTC. */
  readonly notBefore: string;
  /** ISO 8601 UTC. */
  readonly notAfter: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo. */
  readonly spkiSha256: string;
  /** A CT precertificate (RFC 6962 poison extension): it matches its final certificate. */
  readonly precertificate?: true;
  /** The configured issuer whose signature on it verifies; absent when none does. */
  readonly signedBy?: string;
  /** True when a private key or a valid CSR in the same report has this certificate's SPKI. */
  readonly keyCompromised: boolean;
  readonly source: EvidenceSource;
}

export interface PrivateKeyEvidence {
  /** SHA-256 of the DER SubjectPublicKeyInfo derived from the private key. */
  readonly spkiSha256: string;
  readonly format: KeyFormat;
  /** `rsa`, `ec`, `ed25519`, ... as reported by node:crypto. */
  readonly algorithm: string;
  /** sha256 of each certificate in the report with the same SPKI; empty unless `proof`. */
  readonly matches: readonly string[];
  readonly source: EvidenceSource;
  /**
   * True only when the key signed a fresh random challenge that verified under the public key
   * it claims (EC: the point derived from the scalar; RSA: its integers consistent). A key
   * without proof matches no certificate and makes no case `keyCompromise` by itself: a file
   * can carry a real certificate's public key next to junk private parts.
   */
  readonly proof: boolean;
  /** Why the key does not prove possession; null when it does. */
  readonly proofFailure: string | null;
}

/** A key proves possession only once it has signed (see `PrivateKeyEvidence.proof`). */
export function keyProvesPossession(key: PrivateKeyEvidence): boolean {
  return key.proof === true;
}

/** The SPKI hashes whose private key the report proves it holds: signing keys and valid CSRs. */
export function provenSpkiHashes(evidence: Pick<Evidence, 'keys' | 'csrs'>): string[] {
  return [
    ...new Set([
      ...evidence.keys.filter(keyProvesPossession).map((k) => k.spkiSha256),
      ...evidence.csrs.filter((c) => c.signatureValid).map((c) => c.spkiSha256),
    ]),
  ];
}

export interface CsrEvidence {
  readonly spkiSha256: string;
  readonly subject: string;
  /** A CSR proves possession of its key only when its signature verifies. */
  readonly signatureValid: boolean;
  /** Subject or attributes say this CSR attests a compromise ("Proof of key compromise", KCA). */
  readonly attestation: boolean;
  readonly matches: readonly string[];
  readonly source: EvidenceSource;
}

/**
 * Bytes sent as a certificate that the X.509 parser refused, or read only after re-encoding
 * them (so its fingerprint is not theirs). Still evidence: it is looked up in the inventory by
 * its fingerprint and by the serial its tbsCertificate holds.
 */
export interface UnparsedCertificateEvidence {
  /** SHA-256 of the certificate as sent (its outer SEQUENCE; all the bytes when unshaped). */
  readonly sha256: string;
  /** Why it could not be read as sent, for a person. */
  readonly error: string;
  /** The serial read from its tbsCertificate (lowercase hex), when one could be read. */
  readonly serialCandidates: readonly string[];
  readonly source: EvidenceSource;
}

/** The fingerprints and serials of unparsed certificates, for inventory look-ups. */
export function unparsedIdentifiers(evidence: Pick<Evidence, 'unparsedCertificates'>): {
  readonly sha256s: string[];
  readonly serials: string[];
} {
  const list = evidence.unparsedCertificates;
  return {
    sha256s: [...new Set(list.map((u) => u.sha256))],
    serials: [...new Set(list.flatMap((u) => u.serialCandidates))],
  };
}

/** A serial written as digits alone: which reading is meant, only the inventory can tell. */
export interface AmbiguousSerial {
  /** The digits as written. */
  readonly text: string;
  /** The digits read as hex, in serial normal form. */
  readonly asHex: string;
  /** The digits read as a decimal number, converted to serial normal form. */
  readonly asDecimal: string;
}

export interface Evidence {
  readonly certificates: readonly CertificateEvidence[];
  /** Certificates the parser refused or re-encoded (the first `maxUnparsedCertificates`). */
  readonly unparsedCertificates: readonly UnparsedCertificateEvidence[];
  readonly keys: readonly PrivateKeyEvidence[];
  readonly csrs: readonly CsrEvidence[];
  /** Serial numbers mentioned in text, lowercase hex. */
  readonly serials: readonly string[];
  /**
   * Digit-only serials with no stated base, each readable as hex and as decimal. Intake keeps
   * the reading the inventory knows (it moves to `serials`); pairs neither reading of which
   * matched stay here, and both readings are shown to the team.
   */
  readonly ambiguousSerials: readonly AmbiguousSerial[];
  /** SHA-256 fingerprints mentioned in text (not those of certificates found in the mail). */
  readonly sha256Fingerprints: readonly string[];
  /** crt.sh numeric ids from `https://crt.sh/?id=NNN` links. */
  readonly crtshIds: readonly string[];
  /**
   * Lint findings on the certificates of the report (the first `maxLintedCertificates`
   * distinct ones): `error` findings make the report a misissuance report.
   */
  readonly lints: readonly CertificateLint[];
  /** Human-readable notes on what could not be read or where a limit cut extraction short. */
  readonly problems: readonly string[];
}

export const EMPTY_EVIDENCE: Evidence = Object.freeze({
  certificates: [],
  unparsedCertificates: [],
  keys: [],
  csrs: [],
  serials: [],
  ambiguousSerials: [],
  sha256Fingerprints: [],
  crtshIds: [],
  lints: [],
  problems: [],
});

/** A decoded piece of the message that may carry evidence. */
export interface ContentPart {
  /** Where it came from, used as the evidence source. */
  readonly source: EvidenceSource;
  readonly filename: string | null;
  readonly contentType: string;
  readonly content: Uint8Array;
}

/** Everything evidence extraction looks at: text bodies and binary parts, already decoded. */
export interface MailContent {
  /** Plain text bodies, HTML converted to text, subject line. */
  readonly texts: readonly { readonly source: EvidenceSource; readonly text: string }[];
  readonly parts: readonly ContentPart[];
}
