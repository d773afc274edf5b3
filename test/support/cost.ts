/**
 * Cost comparisons for hostile-input tests, as mailparser's are written: the time of a large
 * input against a small one in the same run, never against an absolute time (absolute figures
 * live in `bench/`). Linear work `factor` times larger stays under `small * factor * 3 + 50` ms;
 * quadratic work does not.
 */

/** The last run's value and the milliseconds of the fastest of `runs` runs. */
export async function fastestWithValue<T>(work: () => Promise<T>, runs = 3): Promise<[T, number]> {
  let best = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    value = await work();
    best = Math.min(best, performance.now() - started);
  }
  return [value as T, best];
}

/** Milliseconds of the fastest of `runs` runs: the machine's noise only ever adds time. */
export async function fastest(work: () => unknown, runs = 3): Promise<number> {
  return (await fastestWithValue(async () => work(), runs))[1];
}

/** The most a linear cost `factor` times the small one may take. */
export function linearBound(small: number, factor: number): number {
  return small * factor * 3 + 50;
}
