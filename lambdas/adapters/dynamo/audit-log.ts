import type { AuditEvent } from '../../domain/audit/events.ts';
import type { AuditLog } from '../../domain/ports/audit-log.ts';
import { keys } from './keys.ts';
import { itemToEvent } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/**
 * The audit table (BR 5.4): `CASE#id / EVENT#eventId` items, each put once under
 * `attribute_not_exists` and never changed. IAM grants the functions only GetItem and PutItem on
 * it, and its resource policy refuses UpdateItem, DeleteItem and batch or PartiQL writes to
 * everyone; neither can tell an overwriting PutItem from a new one, so the condition here is what
 * keeps a written event as first written.
 */
export class DynamoAuditLog extends TableItems implements AuditLog {
  async append(events: readonly AuditEvent[]): Promise<void> {
    for (const event of events) {
      // Refused when an earlier attempt wrote it: the first write is the true time of the event.
      await this.putIf({ ...keys.event(event.caseId, event.eventId), itemType: 'event', ...event });
    }
  }

  async list(caseId: string): Promise<readonly AuditEvent[]> {
    const events = (await this.queryPrefix(keys.case(caseId).pk, 'EVENT#')).map(itemToEvent);
    return events.sort((a, b) => a.at.localeCompare(b.at) || a.eventId.localeCompare(b.eventId));
  }

  async has(caseId: string, eventId: string): Promise<boolean> {
    return (await this.getItem(keys.event(caseId, eventId))) !== null;
  }
}
