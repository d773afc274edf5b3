import type { MessageIdIndex, MessageIdOwner } from '../../domain/ports/message-id-index.ts';
import { keys } from './keys.ts';
import { itemToOwner } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/** One `MID#sha256(header)` item per Message-ID header; the first owner keeps it. */
export class DynamoMessageIdIndex extends TableItems implements MessageIdIndex {
  async register(header: string, owner: MessageIdOwner): Promise<MessageIdOwner> {
    if (await this.putIf(this.item(header, owner))) return owner;
    const existing = await this.find(header);
    if (!existing) throw new Error(`Message-ID ${header}: refused as taken, but not found`);
    return existing;
  }

  async reassign(
    header: string,
    stale: MessageIdOwner,
    owner: MessageIdOwner,
  ): Promise<MessageIdOwner> {
    const condition = { expression: 'caseId = :stale', values: { ':stale': stale.caseId } };
    if (await this.putIf(this.item(header, owner), condition)) return owner;
    return (await this.find(header)) ?? owner;
  }

  async find(header: string): Promise<MessageIdOwner | null> {
    const item = await this.getItem(keys.messageIdHeader(header));
    return item ? itemToOwner(item) : null;
  }

  private item(header: string, owner: MessageIdOwner) {
    return { ...keys.messageIdHeader(header), itemType: 'messageId', header, ...owner };
  }
}
