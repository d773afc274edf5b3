/**
 * Every message of a case, one item each: the case item lists only the report and the latest
 * replies (bounded by bytes), the rest is a query away.
 */
import type { CaseMessage } from '../case/types.ts';

export interface CaseMessageLog {
  /** Records that `message` belongs to the case; recording it again changes nothing. */
  add(caseId: string, message: CaseMessage): Promise<void>;
  /** Every message of the case, oldest first. */
  list(caseId: string): Promise<readonly CaseMessage[]>;
}
