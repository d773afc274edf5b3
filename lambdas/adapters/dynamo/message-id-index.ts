import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageIdIndex, MessageIdOwner } from '../../domain/ports/message-id-index.ts';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { itemToOwner } from './stored-items.ts';

/** One `MID#sha256(header)` item per Message-ID header; the first owner keeps it. */
export class DynamoMessageIdIndex implements MessageIdIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async register(header: string, owner: MessageIdOwner): Promise<MessageIdOwner> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.messageIdHeader(header), itemType: 'messageId', header, ...owner },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return owner;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.find(header);
      if (!existing) throw error;
      return existing;
    }
  }

  async reassign(
    header: string,
    stale: MessageIdOwner,
    owner: MessageIdOwner,
  ): Promise<MessageIdOwner> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.messageIdHeader(header), itemType: 'messageId', header, ...owner },
          ConditionExpression: 'caseId = :stale',
          ExpressionAttributeValues: { ':stale': stale.caseId },
        }),
      );
      return owner;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.find(header)) ?? owner;
    }
  }

  async find(header: string): Promise<MessageIdOwner | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.messageIdHeader(header),
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToOwner(out.Item) : null;
  }
}
