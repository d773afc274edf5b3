import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  MessageEnvelope,
  MessageLedger,
  MessageRecord,
  MessageRole,
} from '../../domain/ports/message-ledger.ts';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { itemToMessage } from './stored-items.ts';

/** One `MSG#sesMessageId` item per SES message. */
export class DynamoMessageLedger implements MessageLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(envelope: MessageEnvelope): Promise<MessageRecord> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.message(envelope.sesMessageId),
            itemType: 'message',
            envelope,
            state: 'processing',
            caseId: null,
            role: null,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { envelope, state: 'processing', caseId: null, role: null };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(envelope.sesMessageId);
      if (!existing) throw error;
      return existing;
    }
  }

  async get(sesMessageId: string): Promise<MessageRecord | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToMessage(out.Item) : null;
  }

  async assign(sesMessageId: string, caseId: string, role: MessageRole): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: 'SET caseId = :c, #role = :r',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':c': caseId, ':r': role },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async clearAssignment(sesMessageId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: 'SET caseId = :n, #role = :n',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':n': null },
      }),
    );
  }

  async complete(sesMessageId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: 'SET #state = :done',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done' },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }
}
