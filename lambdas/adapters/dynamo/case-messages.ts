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
    const items = await this.queryPrefix(keys.case(caseId).pk, 'MESSAGE#');
    return items.map(itemToCaseMessage);
  }
}
