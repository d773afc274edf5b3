/**
 * What revocation needs from outside, by role: where obligations are kept, how a certificate's
 * status is seen from outside, where blocked keys go. Adapters: `lambdas/adapters/dynamo/
 * revocations.ts`, `lambdas/adapters/revocation/`, `lambdas/adapters/s3/blocklist-export.ts`.
 */
import type { Revocation, RevocationCheck } from './types.ts';

/** A person's revocation action refused, with why (closed case, unknown certificate, ...). */
export class RevocationRefusedError extends Error {
  override readonly name = 'RevocationRefusedError';
}

export class RevocationConflictError extends Error {
  override readonly name = 'RevocationConflictError';
}

/** The revocation obligations of cases, one item per certificate. */
export interface RevocationStore {
  /** Every obligation of the case, in certificate order. */
  list(caseId: string): Promise<readonly Revocation[]>;
  /** Creates each obligation unless one exists for the certificate; returns those created. */
  addMissing(revocations: readonly Revocation[]): Promise<readonly Revocation[]>;
  /**
   * Applies `change` under optimistic locking (retried on a concurrent write); null means
   * nothing to do. Returns the stored obligation.
   */
  update(
    caseId: string,
    certificate: string,
    change: (current: Revocation) => Revocation | null,
  ): Promise<Revocation>;
}

/** What the checker needs to know of a certificate. */
export interface CertificateToCheck {
  readonly certificate: string;
  readonly serial: string | null;
  readonly issuer: string | null;
  readonly pem: string | null;
}

/**
 * Asks each issuer's OCSP responder and fetches its CRL as a relying party would. One round
 * downloads each CRL at most once, whatever the number of certificates.
 */
export interface StatusChecker {
  check(
    certificates: readonly CertificateToCheck[],
    at: Date,
  ): Promise<ReadonlyMap<string, readonly RevocationCheck[]>>;
}

/** One compromised key, by the SHA-256 of its SubjectPublicKeyInfo (BR 6.1.1.3(4)). */
export interface BlockedKey {
  readonly spkiSha256: string;
  readonly caseId: string;
  readonly at: string;
  /** How the compromise was proven: `privateKey`, `csr`, or `triage`. */
  readonly proof: string;
}

export interface Blocklist {
  /** Adds keys (an existing entry keeps its first case); returns those newly added. */
  add(keys: readonly BlockedKey[]): Promise<readonly BlockedKey[]>;
  list(): Promise<readonly BlockedKey[]>;
}

/** The issuance system's copy of the blocklist (an S3 object in AWS), rewritten on each addition. */
export interface BlocklistPublisher {
  publish(keys: readonly BlockedKey[]): Promise<void>;
}
