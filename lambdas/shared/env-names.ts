/**
 * Environment variables the functions read at cold start. The CDK constructs set them through
 * these names, so a rename is a compile error on both sides.
 */
export const ENV = {
  casesTable: 'CASES_TABLE',
  inventoryTable: 'INVENTORY_TABLE',
  inboundBucket: 'INBOUND_BUCKET',
  inboundPrefix: 'INBOUND_PREFIX',
  evidenceBucket: 'EVIDENCE_BUCKET',
  evidencePrefix: 'EVIDENCE_PREFIX',
  stateMachineArn: 'STATE_MACHINE_ARN',
  cprAddresses: 'CPR_ADDRESSES',
  deadlinePolicy: 'DEADLINE_POLICY_VERSION',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];
