/**
 * The three DynamoDB tables: cases (one partition per case: the case item, its messages and its
 * revocation obligations), the append-only audit log (BR 5.4) and the certificate inventory the
 * intake looks affected certificates up in. Key names come from `schema.ts`, the same source the
 * adapters and the local stand-in use.
 */
import { Annotations, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ImportSourceSpecification,
  InputCompressionType,
  InputFormat,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AUDIT_TABLE_SCHEMA,
  CASES_TABLE_SCHEMA,
  INVENTORY_TABLE_SCHEMA,
} from '../../lambdas/adapters/dynamo/schema.ts';
import type { InventoryImportSource } from '../config.ts';

export interface CaseStoreProps {
  /** RETAIN keeps the tables when the stack goes; DESTROY only for throwaway stacks. */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  /** The one role the audit table's resource policy does not forbid to change items. */
  readonly breakGlassRoleArn: string;
  /**
   * Create the inventory table by DynamoDB's import from S3 of these files (gzip DynamoDB JSON,
   * `cpr inventory export-ddb-json`). Read only when CloudFormation creates the table.
   */
  readonly inventoryImport?: InventoryImportSource;
}

/** Id of the warning `cdk synth` and `cdk deploy` print while the inventory is made by import. */
export const INVENTORY_IMPORT_WARNING = 'cpr:inventoryImportReplacesTable';

/**
 * Every data-plane action that changes or removes an existing item, or writes without the
 * adapter's condition. (TransactWriteItems is authorized as PutItem, UpdateItem and DeleteItem
 * per item, so it is covered.) PutItem stays: it is how events are appended, and no IAM condition
 * key can tell a conditional put from an overwriting one.
 */
export const AUDIT_DENIED_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

/**
 * The audit table's resource policy: whatever an identity policy grants (an administrator's
 * `dynamodb:*` included), nobody but the break-glass role may update, delete or batch-write audit
 * events. Changing this policy is itself a `PutResourcePolicy` event in CloudTrail.
 */
export function auditTablePolicy(breakGlassRoleArn: string): PolicyDocument {
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AuditEventsAreAppendOnly',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: [...AUDIT_DENIED_ACTIONS],
        // A table's own ARN in its policy would be a circular reference; the policy is the
        // table's, so `*` is this table.
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassRoleArn } },
      }),
    ],
  });
}

export class CaseStore extends Construct {
  readonly cases: Table;
  /** Audit events only, append-only: bind it with `CprFunction.bindAuditLog`. */
  readonly audit: Table;
  readonly inventory: Table;

  constructor(scope: Construct, id: string, props: CaseStoreProps) {
    super(scope, id);
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      // The AWS-owned key would be encryption without an audit trail; aws/dynamodb logs each use
      // of the key in CloudTrail.
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy,
    } as const;

    this.cases = new Table(this, 'Cases', {
      ...common,
      partitionKey: { name: CASES_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: CASES_TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      // Used canary nonces and rate counters go by themselves once they can matter no more.
      timeToLiveAttribute: CASES_TABLE_SCHEMA.ttlAttribute,
    });
    const index = CASES_TABLE_SCHEMA.openByDeadlineIndex;
    this.cases.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      // Sparse (open cases only), so ALL costs little and the "due first" view needs no second
      // read per case.
      projectionType: ProjectionType.ALL,
    });

    this.audit = new Table(this, 'Audit', {
      ...common,
      partitionKey: { name: AUDIT_TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: AUDIT_TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      resourcePolicy: auditTablePolicy(props.breakGlassRoleArn),
    });

    const inv = INVENTORY_TABLE_SCHEMA;
    this.inventory = new Table(this, 'Inventory', {
      ...common,
      partitionKey: { name: inv.partitionKey, type: AttributeType.STRING },
      ...(props.inventoryImport && { importSource: this.importSource(props.inventoryImport) }),
    });
    if (props.inventoryImport) {
      // `ImportSourceSpecification` is create-only in CloudFormation: on a deployed stack, adding,
      // changing or removing it replaces the table. Every synth and deploy says so.
      Annotations.of(this.inventory).addWarningV2(
        INVENTORY_IMPORT_WARNING,
        `The inventory table is created by DynamoDB import from ${s3Url(props.inventoryImport)}. ` +
          'CloudFormation reads inventoryImport only when it creates the table: on a deployed ' +
          'stack, adding, changing or removing it replaces the inventory table (docs/deploy.md, ' +
          'section 9). Leave it as it is after the first deploy.',
      );
    }
    // Keys only: a match is read in full from the table, so a certificate's PEM is stored and
    // written once, not once per index (docs/deploy.md: upgrading adds one index per deploy).
    this.inventory.addGlobalSecondaryIndex({
      indexName: inv.bySha256Index.name,
      partitionKey: { name: inv.bySha256Index.partitionKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    this.inventory.addGlobalSecondaryIndex({
      indexName: inv.bySpkiIndex.name,
      partitionKey: { name: inv.bySpkiIndex.partitionKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  /** The gzip DynamoDB JSON files under the prefix, in a bucket of this account. */
  private importSource(source: InventoryImportSource): ImportSourceSpecification {
    return {
      inputFormat: InputFormat.dynamoDBJson(),
      compressionType: InputCompressionType.GZIP,
      bucket: Bucket.fromBucketName(this, 'InventoryImportBucket', source.bucketName),
      // The option takes a bucket of this account only (docs/security.md).
      bucketOwner: Stack.of(this).account,
      keyPrefix: source.keyPrefix,
    };
  }
}

function s3Url({ bucketName, keyPrefix }: InventoryImportSource): string {
  return `s3://${bucketName}/${keyPrefix ?? ''}`;
}

/** The removal policy of stateful resources from the configuration's `retainData` flag. */
export function dataRemovalPolicy(retainData: boolean): RemovalPolicy {
  return retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
