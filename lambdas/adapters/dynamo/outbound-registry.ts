import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { OutboundRef, OutboundRegistry } from '../../domain/ports/outbound-registry.ts';
import { keys } from './keys.ts';
import { itemToOutbound } from './stored-items.ts';

/** One `OUT#sesMessageId` item per notice we sent. */
export class DynamoOutboundRegistry implements OutboundRegistry {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async register(sesMessageId: string, ref: OutboundRef): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.outbound(sesMessageId), itemType: 'outbound', ...ref },
      }),
    );
  }

  async find(sesMessageId: string): Promise<OutboundRef | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: keys.outbound(sesMessageId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? itemToOutbound(out.Item) : null;
  }
}
