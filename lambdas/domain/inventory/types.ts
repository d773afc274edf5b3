/** The CA's certificate inventory: which Subscriber holds which certificate. */

export interface InventoryRecord {
  /** SHA-256 of the DER certificate, lowercase hex. */
  readonly sha256: string;
  /** Serial number, lowercase hex without leading zero bytes. */
  readonly serial: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex. */
  readonly spkiSha256: string;
  readonly subscriber: string;
  readonly email: string;
  /** Optional columns (the minimal format has none of them). RFC 4514 issuer DN. */
  readonly issuer?: string | null;
  /** ISO 8601 UTC. */
  readonly notBefore?: string | null;
  readonly notAfter?: string | null;
  /** When the CA revoked it, ISO 8601 UTC, and the RFC 5280 reason name. */
  readonly revokedAt?: string | null;
  readonly revocationReason?: string | null;
  /** The certificate itself, PEM. */
  readonly pem?: string | null;
}

export interface InventoryQuery {
  readonly sha256s: readonly string[];
  readonly serials: readonly string[];
  readonly spkiSha256s: readonly string[];
}

/** Port: looks certificates up in the inventory (a DynamoDB table in AWS and locally). */
export interface Inventory {
  /** Every record matching any of the given values; order unspecified, no duplicates. */
  lookup(query: InventoryQuery): Promise<readonly InventoryRecord[]>;
}
