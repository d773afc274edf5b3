#!/usr/bin/env node
/**
 * The `cpr` command's launcher (package.json "bin"). It may be started by any Node on the PATH
 * (the system's is older than the project needs), so it does not run the CLI itself: it starts
 * the project's own Node 24 (the `node` package, node_modules/.bin/node next to this project)
 * with tsx as loader on cli/cpr.ts (with heap limits for the streaming inventory commands,
 * `heap.js`), passes the arguments, standard streams and signals through, and exits with the
 * child's code. Plain JavaScript that any Node >= 20 can run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heapFlagsFor } from './heap.js';

const REQUIRED_MAJOR = 24;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = join(root, 'cli', 'cpr.ts');

/** The project's Node: the `node` package's binary, else this Node if it is new enough. */
function projectNode() {
  for (const candidate of [
    join(root, 'node_modules', '.bin', 'node'),
    join(root, 'node_modules', 'node', 'bin', 'node'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  const major = Number(process.versions.node.split('.')[0]);
  return major >= REQUIRED_MAJOR ? process.execPath : null;
}

const node = projectNode();
if (!node) {
  process.stderr.write(
    `cpr: needs Node ${REQUIRED_MAJOR}: run \`npm ci\` in ${root} (it installs the project's Node)\n`,
  );
  process.exit(1);
}
let tsx;
try {
  // Resolved from this file, so `cpr` works from any working directory.
  tsx = import.meta.resolve('tsx');
} catch {
  process.stderr.write(`cpr: tsx is not installed: run \`npm ci\` in ${root}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const child = spawn(node, [...heapFlagsFor(args), '--import', tsx, entry, ...args], {
  stdio: 'inherit',
});
const forward = (signal) => () => {
  if (child.exitCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward(signal));
child.on('error', (error) => {
  process.stderr.write(`cpr: cannot start ${node}: ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so the shell sees what happened.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
