/**
 * Cost comparisons for hostile-input tests, as mailparser's are written: the time of a large
 * input against a small one in the same run, never against an absolute time (absolute figures
 * live in `bench/`). Linear work `factor` times larger stays under `small * factor * 3 + 50` ms;
 * quadratic work does not.
 */

/** Milliseconds of the fastest of `runs` runs: the machine's noise only ever adds time. */
export async function fastest(work: () => unknown, runs = 3): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** The most a linear cost `factor` times the small one may take. */
export function linearBound(small: number, factor: number): number {
  return small * factor * 3 + 50;
}
