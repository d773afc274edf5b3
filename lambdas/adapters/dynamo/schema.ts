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
 * One item per certificate (`pk` = `CERT#sha256`); the table's own indexes answer the other
 * look-ups. Both project keys only: a match is then read in full with BatchGetItem, so the
 * indexes do not hold (nor cost a write of) every certificate's PEM a second and third time.
 */
export const INVENTORY_TABLE_SCHEMA = {
  partitionKey: 'pk',
  /** Serial alone (text in a report), or issuer and serial together (a certificate). */
  bySerialIndex: { name: 'bySerial', partitionKey: 'serial', sortKey: 'issuerKey' },
  /** Every certificate on a key that a report proves compromised. */
  bySpkiIndex: { name: 'bySpki', partitionKey: 'spkiSha256' },
} as const;
