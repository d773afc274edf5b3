import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseMessage } from '../../domain/case/types.ts';
import type { CaseMessageLog } from '../../domain/ports/case-messages.ts';
import { keys } from './keys.ts';
import { itemToCaseMessage } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/** `CASE#id / MESSAGE#receivedAt#sesMessageId` items, written once each. */
export class DynamoCaseMessageLog extends TableItems implements CaseMessageLog {
  async add(caseId: string, message: CaseMessage): Promise<void> {
    // Written once: a retried step finds it there.
    await this.putIf({ ...keys.caseMessage(caseId, message), itemType: 'caseMessage', ...message });
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
