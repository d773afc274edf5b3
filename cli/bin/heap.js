/**
 * V8 heap limits for the `cpr` commands that stream large files (`inventory import`,
 * `inventory export-ddb-json`). Their live heap is small (a few groups of rows in flight), but
 * without a limit V8 lets the heap grow for a long time before it collects: peak RSS then
 * depends on the machine, not on the work. A limit makes V8 collect early and keeps the
 * process's memory flat whatever the file's size (docs/benchmarks.md). Plain JavaScript: the
 * launcher runs on any Node >= 20.
 */

/** Old space in MB: several times the live heap of a streaming import, so collection stays rare. */
export const STREAMING_OLD_SPACE_MB = 96;
/** Young generation semi-space in MB: short-lived row objects die there. */
export const STREAMING_SEMI_SPACE_MB = 8;

const STREAMING = new Set(['import', 'export-ddb-json']);

/** Node options for a `cpr` command line: heap limits for the streaming inventory commands. */
export function heapFlagsFor(args) {
  const at = args.indexOf('inventory');
  if (at < 0 || !args.slice(at + 1).some((a) => STREAMING.has(a))) return [];
  return [
    `--max-old-space-size=${STREAMING_OLD_SPACE_MB}`,
    `--max-semi-space-size=${STREAMING_SEMI_SPACE_MB}`,
  ];
}
