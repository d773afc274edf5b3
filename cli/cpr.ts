/**
 * Entry of the `cpr` command (run by cli/bin/cpr.js with the project's Node 24 and tsx).
 * Output goes through process.stdout/stderr; the exit code is set, not forced, so buffered
 * output is flushed before the process ends.
 */
import { runCli } from './main.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  io: {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  },
});
