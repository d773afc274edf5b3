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
  /** Starts the case's execution, named after the case id; a second start is a no-op. */
  start(input: DeadlineClockInput): Promise<'started' | 'alreadyStarted'>;
}
