/** What every command gets, and the argument parsing they share. */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';
import type { CommandName } from './help.ts';
import type { Io } from './output.ts';
import type { Services } from './services.ts';

export const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  stack: { type: 'string' },
  region: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export interface GlobalValues {
  readonly json?: boolean | undefined;
  readonly stack?: string | undefined;
  readonly region?: string | undefined;
  readonly 'data-dir'?: string | undefined;
}

export interface CommandContext {
  readonly io: Io;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly now: () => Date;
  /** The stack's clients, resolved on first use (after the command line was checked). */
  services(options: GlobalValues): Promise<Services>;
}

export type Command = (ctx: CommandContext, args: readonly string[]) => Promise<number>;

/**
 * Parses a command's arguments with the global options added; any problem is a UsageError naming
 * the command, so the caller prints its help and exits 2.
 */
export function parseCommand<const T extends ParseArgsOptionsConfig>(
  command: CommandName,
  args: readonly string[],
  options: T,
  positionals: { readonly min: number; readonly max: number; readonly names: string },
) {
  let parsed: ReturnType<
    typeof parseArgs<{
      args: string[];
      options: T & typeof GLOBAL_OPTIONS;
      allowPositionals: true;
      strict: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...GLOBAL_OPTIONS, ...options } as T & typeof GLOBAL_OPTIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments', command);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min) throw new UsageError(`missing ${positionals.names}`, command);
  if (n > positionals.max) {
    throw new UsageError(`unexpected argument "${parsed.positionals[positionals.max]}"`, command);
  }
  return parsed;
}

/** A required option's value, trimmed; empty counts as missing. */
export function requiredOption(
  command: CommandName,
  name: string,
  value: string | undefined,
): string {
  const v = value?.trim();
  if (!v) throw new UsageError(`--${name} is required and must not be empty`, command);
  return v;
}
