/**
 * Output keys of the intake stack. Tools (the `cpr` CLI, the docs' shell snippets) find the
 * deployed resources through `DescribeStacks` by these names, so they are a contract like the
 * ENV names. No aws-cdk-lib import here: the CLI loads this module, and CDK would slow every
 * command down.
 */
export const STACK_OUTPUTS = {
  inboundBucket: 'InboundBucketName',
  /** JSON `{"inbound": "...", "evidence": "evidence/"}`: a bare '' is not a valid output value. */
  keyPrefixes: 'KeyPrefixes',
  /** Where the evidence JSON is (today the inbound bucket, under `evidence/`). */
  evidenceBucket: 'EvidenceBucketName',
  /** The Object Lock archive of every raw message. */
  archiveBucket: 'ArchiveBucketName',
  /** The compromised-key blocklist for the issuance system: `compromised-keys.json` in it. */
  blocklistBucket: 'BlocklistBucketName',
  casesTable: 'CasesTableName',
  /** The append-only audit log (BR 5.4). */
  auditTable: 'AuditTableName',
  inventoryTable: 'InventoryTableName',
  deadlineStateMachine: 'DeadlineStateMachineArn',
  intakeFunction: 'IntakeFunctionName',
  intakeFailureQueue: 'IntakeFailureQueueUrl',
  teamTopic: 'TeamTopicArn',
  escalationTopic: 'EscalationTopicArn',
  pagerTopic: 'PagerTopicArn',
  deliveryEventsTopic: 'DeliveryEventsTopicArn',
  configurationSet: 'SesConfigurationSetName',
  /** The From address of every notice. */
  senderAddress: 'SenderAddress',
  /** The CA's name as notices show it. */
  caName: 'CaName',
  /**
   * JSON `{perAddress, perDomain, windowHours}`: the per-recipient mail limits, which `cpr send`
   * and `cpr triage --reason needsInfo` share with the acknowledgments.
   */
  acknowledgmentLimits: 'AcknowledgmentLimits',
  /** The published CPR addresses, comma-joined; the first is the Reply-To of notices. */
  cprAddresses: 'CprAddresses',
  /** The domains whose MX must point at SES receiving, comma-joined. */
  mailDomains: 'MailDomains',
  /** JSON array of `{name, type, value}`: the DNS records to create (docs/deploy.md). */
  dnsRecords: 'DnsRecords',
  receiptRuleSet: 'ReceiptRuleSetName',
  acknowledgeFunction: 'AcknowledgeFunctionName',
  notifyTeamFunction: 'NotifyTeamFunctionName',
  checkpointFunction: 'CheckpointFunctionName',
  deliveryEventsFunction: 'DeliveryEventsFunctionName',
  deliveryEventsFailureQueue: 'DeliveryEventsFailureQueueUrl',
  canaryFunction: 'CanaryFunctionName',
  canaryFailureQueue: 'CanaryFailureQueueUrl',
  dashboard: 'DashboardName',
} as const;

export type StackOutputKey = keyof typeof STACK_OUTPUTS;
