/**
 * The two DynamoDB tables: cases (one partition per case: the case item, its messages and its
 * audit events) and the certificate inventory the intake looks affected certificates up in.
 * Key names come from `schema.ts`, the same source the adapters and the local stand-in use.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  CASES_TABLE_SCHEMA,
  INVENTORY_TABLE_SCHEMA,
} from '../../lambdas/adapters/dynamo/schema.ts';

export interface CaseStoreProps {
  /** RETAIN keeps the tables when the stack goes; DESTROY only for throwaway stacks. */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

export class CaseStore extends Construct {
  readonly cases: Table;
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

    const inv = INVENTORY_TABLE_SCHEMA;
    this.inventory = new Table(this, 'Inventory', {
      ...common,
      partitionKey: { name: inv.partitionKey, type: AttributeType.STRING },
    });
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
}

/** The removal policy of stateful resources from the configuration's `retainData` flag. */
export function dataRemovalPolicy(retainData: boolean): RemovalPolicy {
  return retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}
