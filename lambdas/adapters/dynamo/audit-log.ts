import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../domain/audit/events.ts';
import type { AuditLog } from '../../domain/ports/audit-log.ts';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { itemToEvent } from './stored-items.ts';

/**
 * The audit table (BR 5.4): `CASE#id / EVENT#eventId` items, each put once under
 * `attribute_not_exists` and never changed. IAM grants the functions only GetItem and PutItem on
 * it, and its resource policy refuses UpdateItem, DeleteItem and batch or PartiQL writes to
 * everyone; neither can tell an overwriting PutItem from a new one, so the condition here is what
 * keeps a written event as first written.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async append(events: readonly AuditEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keys.event(event.caseId, event.eventId), itemType: 'event', ...event },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        // Already written by an earlier attempt: the first write is the true time of the event.
        if (!isConditionFailure(error)) throw error;
      }
    }
  }

  async list(caseId: string): Promise<readonly AuditEvent[]> {
    const events: AuditEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ev)',
          ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':ev': 'EVENT#' },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) events.push(itemToEvent(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return events.sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
  }

  async has(caseId: string, eventId: string): Promise<boolean> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.event(caseId, eventId),
        ConsistentRead: true,
      }),
    );
    return out.Item !== undefined;
  }
}
