/** Paths the constructs need, resolved from this file so the working directory does not matter. */
import { fileURLToPath } from 'node:url';

/** The repository root: package.json, package-lock.json and `lambdas/` live here. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The lock file esbuild's bundling hashes and resolves against. */
export const LOCK_FILE = fileURLToPath(new URL('../package-lock.json', import.meta.url));

/** Absolute path of a function entry below `lambdas/`, e.g. `lambdaEntry('intake/handler.ts')`. */
export function lambdaEntry(relative: string): string {
  return fileURLToPath(new URL(`../lambdas/${relative}`, import.meta.url));
}
