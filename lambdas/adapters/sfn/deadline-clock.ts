import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { DeadlineClock, DeadlineClockInput } from '../../domain/ports/deadline-clock.ts';

/**
 * One Standard execution per case, named after the case id: Step Functions refuses a second
 * execution with the same name, which makes the start idempotent across retries.
 */
export class StepFunctionsDeadlineClock implements DeadlineClock {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(
    input: DeadlineClockInput,
    options: { readonly executionName?: string } = {},
  ): Promise<'started' | 'alreadyStarted'> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: options.executionName ?? input.caseId,
          input: JSON.stringify(input),
        }),
      );
      return 'started';
    } catch (error) {
      // Same name and same input is accepted by the service; a different input (a replay that
      // changed the case) is refused, and the running execution already reads the case anyway.
      if (
        error instanceof ExecutionAlreadyExists ||
        (error as Error).name === 'ExecutionAlreadyExists'
      ) {
        return 'alreadyStarted';
      }
      throw error;
    }
  }
}
