/** The deadline clock: one state machine execution per case. */
import type { CprCase } from '../case/types.ts';

/** The input of the deadline state machine. */
export interface DeadlineClockInput {
  readonly caseId: string;
  readonly receivedAt: string;
  readonly deadlines: CprCase['deadlines'];
  readonly acknowledgment: CprCase['acknowledgment'];
}

export interface DeadlineClock {
  /**
   * Starts an execution for the case, named after the case id (or `executionName`, for the
   * clock of a reopened case); a second start with the same name is a no-op.
   */
  start(
    input: DeadlineClockInput,
    options?: { readonly executionName?: string },
  ): Promise<'started' | 'alreadyStarted'>;
}
