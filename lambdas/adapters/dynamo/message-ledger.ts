import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  MessageEnvelope,
  MessageLedger,
  MessageRecord,
  MessageRole,
} from '../../domain/ports/message-ledger.ts';
import { keys } from './keys.ts';
import { itemToMessage } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/** One `MSG#sesMessageId` item per SES message. */
export class DynamoMessageLedger extends TableItems implements MessageLedger {
  async claim(envelope: MessageEnvelope): Promise<MessageRecord> {
    const fresh: MessageRecord = { envelope, state: 'processing', caseId: null, role: null };
    if (
      await this.putIf({ ...keys.message(envelope.sesMessageId), itemType: 'message', ...fresh })
    ) {
      return fresh;
    }
    const existing = await this.get(envelope.sesMessageId);
    if (!existing) throw new Error(`message ${envelope.sesMessageId}: claimed, but not found`);
    return existing;
  }

  async get(sesMessageId: string): Promise<MessageRecord | null> {
    const item = await this.getItem(keys.message(sesMessageId));
    return item ? itemToMessage(item) : null;
  }

  async assign(sesMessageId: string, caseId: string, role: MessageRole): Promise<void> {
    await this.set(sesMessageId, { caseId, role }, true);
  }

  async clearAssignment(sesMessageId: string): Promise<void> {
    await this.set(sesMessageId, { caseId: null, role: null }, false);
  }

  async complete(sesMessageId: string): Promise<void> {
    await this.set(sesMessageId, { state: 'done' }, true);
  }

  /** Sets attributes of a message's item; `mustExist` refuses to create one. */
  private async set(sesMessageId: string, values: Record<string, unknown>, mustExist: boolean) {
    const names = Object.keys(values);
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.message(sesMessageId),
        UpdateExpression: `SET ${names.map((n) => `#${n} = :${n}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((n) => [`#${n}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, values[n]])),
        ...(mustExist ? { ConditionExpression: 'attribute_exists(pk)' } : {}),
      }),
    );
  }
}
