import type { OutboundRef, OutboundRegistry } from '../../domain/ports/outbound-registry.ts';
import { keys } from './keys.ts';
import { itemToOutbound } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/** One `OUT#sesMessageId` item per notice we sent. */
export class DynamoOutboundRegistry extends TableItems implements OutboundRegistry {
  async register(sesMessageId: string, ref: OutboundRef): Promise<void> {
    await this.putIf({ ...keys.outbound(sesMessageId), itemType: 'outbound', ...ref }, null);
  }

  async find(sesMessageId: string): Promise<OutboundRef | null> {
    const item = await this.getItem(keys.outbound(sesMessageId));
    return item ? itemToOutbound(item) : null;
  }
}
