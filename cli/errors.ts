/**
 * The command's errors and their exit codes: 2 for usage errors (with the command's help), 1 for
 * refused operations, things not found and failures of the stack; 0 is success.
 */
import type { CommandName } from './help.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line itself is wrong: exit 2 and show the command's help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help to show; null for the top-level help. */
    readonly command: CommandName | null,
  ) {
    super(message);
  }
}

/** The request was understood but refused (not found, guard failed, bad file): exit 1. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}
