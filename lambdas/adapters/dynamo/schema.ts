/**
 * Key schema of the two DynamoDB tables, the one source of truth for the CDK stack and for the
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

export const INVENTORY_TABLE_SCHEMA = {
  partitionKey: 'pk',
} as const;
