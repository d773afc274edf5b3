import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseMessage } from '../../domain/case/types.ts';
import type { CaseMessageLog } from '../../domain/ports/case-messages.ts';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { itemToCaseMessage } from './stored-items.ts';

/** `CASE#id / MESSAGE#receivedAt#sesMessageId` items, written once each. */
export class DynamoCaseMessageLog implements CaseMessageLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(caseId: string, message: CaseMessage): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.caseMessage(caseId, message), itemType: 'caseMessage', ...message },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async list(caseId: string): Promise<readonly CaseMessage[]> {
    const messages: CaseMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
          ExpressionAttributeValues: { ':pk': keys.case(caseId).pk, ':m': 'MESSAGE#' },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? []) messages.push(itemToCaseMessage(item));
      start = out.LastEvaluatedKey;
    } while (start);
    return messages;
  }
}
