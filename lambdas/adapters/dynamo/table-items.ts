/**
 * What the adapters of one table share: a consistent read of one item or of a key range, and a
 * conditional put that says whether it was written (a refused condition is an answer, not an
 * outage).
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
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

  /** Every item of partition `pk` whose sort key starts with `prefix`, read consistently. */
  protected async queryPrefix(pk: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': prefix },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
