/**
 * Key schema of the three DynamoDB tables, the one source of truth for the CDK stack and for the
 * local stand-in. Items are told apart by their `pk` prefix (see `keys.ts`).
 */
export const CASES_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Open cases ordered by their next deadline: the team's "what is due first" query. */
  openByDeadlineIndex: {
    name: 'openByDeadline',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
  },
  /**
   * DynamoDB's TTL attribute (epoch seconds). Only housekeeping items carry it, the canary's used
   * nonces and the mail rate counters: a case, a notice, a claim or a heartbeat never does.
   */
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The audit log (BR 5.4), a table of its own so that its grants and its resource policy can say
 * "append only": `CASE#id` / `EVENT#eventId`, each item put once under `attribute_not_exists`.
 */
export const AUDIT_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

/**
 * One item per certificate, keyed by issuer and serial (`pk` = `CERT#<issuer key>#<serial>`,
 * RFC 5280 4.1.2.2: a serial is unique per issuer), so a certificate in a report and a serial
 * in its text (one key per known issuer) are read with BatchGetItem. The table's own indexes
 * answer the other look-ups. Both project keys only: a match is then read in full with
 * BatchGetItem, so the indexes do not hold (nor cost a write of) every certificate's PEM twice.
 */
export const INVENTORY_TABLE_SCHEMA = {
  partitionKey: 'pk',
  /** A fingerprint in the text of a report (the certificate itself is read by its key). */
  bySha256Index: { name: 'bySha256', partitionKey: 'sha256' },
  /** Every certificate on a key that a report proves compromised. */
  bySpkiIndex: { name: 'bySpki', partitionKey: 'spkiSha256' },
} as const;
