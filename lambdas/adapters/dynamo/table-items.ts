/**
 * What the small adapters of one table share: a consistent read of one item, and a conditional
 * put that says whether it was written (a refused condition is an answer, not an outage).
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { putIf } from './conditions.ts';

type Item = Record<string, unknown>;

/** A condition and the values it names: `attribute_not_exists(pk)` when none is given. */
export interface PutCondition {
  readonly expression: string;
  readonly values?: Record<string, unknown>;
  /** Attribute names the expression writes as `#name` (reserved words such as `state`). */
  readonly names?: Record<string, string>;
}

export const FIRST_WRITE: PutCondition = { expression: 'attribute_not_exists(pk)' };

export abstract class TableItems {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly table: string,
  ) {}

  /** The item under `key`, read consistently, or null. */
  protected async getItem(key: Item): Promise<Item | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }),
    );
    return out.Item ?? null;
  }

  /** Writes `item` when `condition` holds: true when written, false when the condition failed. */
  protected async putIf(
    item: Item,
    condition: PutCondition | null = FIRST_WRITE,
  ): Promise<boolean> {
    return putIf(this.db, {
      TableName: this.table,
      Item: item,
      ...(condition
        ? {
            ConditionExpression: condition.expression,
            ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
            ...(condition.names ? { ExpressionAttributeNames: condition.names } : {}),
          }
        : {}),
    });
  }

  /** Optimistic concurrency: writes `item` only while the stored version is still `version`. */
  protected putAtVersion(item: Item, version: number): Promise<boolean> {
    return this.putIf(item, { expression: 'version = :v', values: { ':v': version } });
  }
}
