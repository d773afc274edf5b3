/**
 * `cpr`: dispatches a command line to its command and maps errors to exit codes. Runs in-process
 * (tests) or from `cli/cpr.ts` (the installed command).
 */

import { NoticeTransitionError } from '../lambdas/domain/case/notice-transitions.ts';
import { MailRateLimitedError } from '../lambdas/domain/notices/acknowledgment-limits.ts';
import { CaseNotFoundError } from '../lambdas/domain/ports/case-store.ts';
import { SendInDoubtError } from '../lambdas/domain/ports/send-claims.ts';
import { RevocationRefusedError } from '../lambdas/domain/revocation/ports.ts';
import type { Command, CommandContext, GlobalValues } from './command.ts';
import {
  type Deployment,
  DeploymentError,
  dataDirOf,
  deploymentNow,
  resolveDeployment,
} from './deployment.ts';
import { CliError, EXIT, UsageError } from './errors.ts';
import { COMMAND_NAMES, type CommandName, commandHelp, mainHelp } from './help.ts';
import type { Io } from './output.ts';
import type { Services } from './services.ts';

/** Loaded on demand: each command pulls in only the SDK clients it uses (start-up time). */
const COMMANDS: Readonly<Record<CommandName, () => Promise<Command>>> = {
  ingest: async () => (await import('./commands/ingest.ts')).ingest,
  list: async () => (await import('./commands/list.ts')).list,
  show: async () => (await import('./commands/show.ts')).show,
  notice: async () => (await import('./commands/notice.ts')).notice,
  send: async () => (await import('./commands/send.ts')).send,
  close: async () => (await import('./commands/close.ts')).close,
  replay: async () => (await import('./commands/replay.ts')).replay,
  inventory: async () => (await import('./commands/inventory.ts')).inventory,
  timeline: async () => (await import('./commands/timeline.ts')).timeline,
  triage: async () => (await import('./commands/triage.ts')).triage,
  revoke: async () => (await import('./commands/revoke.ts')).revoke,
  verify: async () => (await import('./commands/verify.ts')).verify,
  blocklist: async () => (await import('./commands/blocklist.ts')).blocklist,
};

export interface RunOptions {
  readonly io: Io;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly now?: () => Date;
}

function isCommand(name: string | undefined): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name ?? '');
}

/** Network errors that mean "nothing listens there": the local stack has stopped. */
function isUnreachable(error: unknown): boolean {
  const codes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);
  for (let e = error as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 5; i += 1) {
    if (e.code && codes.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], options: RunOptions): Promise<number> {
  const { io } = options;
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? args[0] : undefined;
    if (name === undefined) {
      io.err(mainHelp());
      return EXIT.usage;
    }
    if (topic !== undefined && !isCommand(topic)) {
      io.err(`cpr: unknown command "${topic}"\n\n${mainHelp()}`);
      return EXIT.usage;
    }
    io.out(topic ? commandHelp(topic) : mainHelp());
    return EXIT.ok;
  }
  if (name === '--version') {
    io.out('cpr 0.1.0');
    return EXIT.ok;
  }
  if (!isCommand(name)) {
    io.err(`cpr: unknown command "${name}"\n\n${mainHelp()}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(commandHelp(name));
    return EXIT.ok;
  }

  let services: Services | null = null;
  let deploymentKind: 'local' | 'aws' | null = null;
  let resolved: Deployment | null = null;
  const wall = options.now ?? (() => new Date());
  const ctx: CommandContext = {
    io,
    env,
    cwd,
    // The local stack may run simulated time (CPR_TIME_SCALE): its "now" is the one that counts.
    now: () => (resolved ? deploymentNow(resolved, wall) : wall()),
    async services(values: GlobalValues) {
      if (!services) {
        const deployment = await resolveDeployment({
          stack: values.stack,
          region: values.region,
          dataDir: values['data-dir']
            ? dataDirOf({ CPR_DATA_DIR: values['data-dir'] }, cwd)
            : dataDirOf(env, cwd),
        });
        deploymentKind = deployment.kind;
        resolved = deployment;
        services = (await import('./services.ts')).servicesFor(deployment, env);
      }
      return services;
    },
  };
  try {
    const command = await COMMANDS[name]();
    return await command(ctx, args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cpr ${name}: ${error.message}\n\n${commandHelp(error.command ?? name)}`);
      return EXIT.usage;
    }
    if (
      error instanceof CliError ||
      error instanceof DeploymentError ||
      error instanceof NoticeTransitionError ||
      error instanceof CaseNotFoundError ||
      error instanceof RevocationRefusedError ||
      error instanceof MailRateLimitedError ||
      error instanceof SendInDoubtError
    ) {
      io.err(`cpr ${name}: ${error.message}`);
      return EXIT.failed;
    }
    if (deploymentKind === 'local' && isUnreachable(error)) {
      io.err(
        `cpr ${name}: the local stack does not answer (${(error as Error).message}): start it with \`npm start\`, or pass --stack NAME --region REGION`,
      );
      return EXIT.failed;
    }
    const e = error as Error;
    io.err(`cpr ${name}: ${e.name}: ${e.message}`);
    return EXIT.failed;
  } finally {
    (services as Services | null)?.destroy();
  }
}
