/** The audit log of each case (BR 5.4): append-only, each event written once by its id. */
import type { AuditEvent } from '../audit/events.ts';

export interface AuditLog {
  /** Appends events; an event id already present is kept as first written, never replaced. */
  append(events: readonly AuditEvent[]): Promise<void>;
  /** The case's events, oldest first. */
  list(caseId: string): Promise<readonly AuditEvent[]>;
  has(caseId: string, eventId: string): Promise<boolean>;
}
