/**
 * A clock for running the deadline state machine in tests: time jumps from Wait to Wait, and
 * scripted actions (a person recording a report, a bounce arriving) happen at their own times
 * on the way, in order, as they would in a real day.
 */
import type { LocalClock } from '../../local/state-machine.ts';

export interface ScriptStep {
  readonly at: string;
  readonly run: () => Promise<void>;
}

export function scriptedClock(
  target: { now: Date },
  script: readonly ScriptStep[],
): LocalClock & { readonly waits: string[] } {
  const pending = [...script].sort((a, b) => a.at.localeCompare(b.at));
  const waits: string[] = [];
  return {
    waits,
    now: () => new Date(target.now),
    async waitUntil(at) {
      waits.push(at.toISOString());
      while (pending.length > 0 && new Date(pending[0]!.at) <= at) {
        const step = pending.shift()!;
        target.now = new Date(Math.max(target.now.getTime(), new Date(step.at).getTime()));
        await step.run();
      }
      target.now = new Date(Math.max(target.now.getTime(), at.getTime()));
    },
  };
}
