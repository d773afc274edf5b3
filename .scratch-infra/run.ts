import { fastForwardClock, runClock, synthesizedClockDefinition } from '../local/state-machine.ts';
let t0 = Date.now();
const def = synthesizedClockDefinition();
console.log('synth ms', Date.now() - t0); t0 = Date.now();
synthesizedClockDefinition();
console.log('cached ms', Date.now() - t0);
console.log(JSON.stringify(def.States.ReportClockFailure), JSON.stringify(def.States.Acknowledge.Resource));
const clock = fastForwardClock(new Date('2025-01-01T00:00:00Z'));
const at = ['2025-01-01T12:00:00Z', '2025-01-01T20:00:00Z', '2025-01-02T00:00:00Z'];
let fails = 0;
const run = runClock(def, { caseId: 'CPR-20250101-ABCD' }, {
  clock,
  tasks: {
    Acknowledge: async () => { if (fails++ < 2) throw new Error('boom'); return { status: 'sent', messageId: 'm' }; },
    NotifyTeam: async () => ({ status: 'sent' }),
    PlanClock: async () => ({ done: false, index: 0, level: 'h12', at: at[0] }),
    EvaluateCheckpoint: async (p: any) => { console.log('eval', p, clock.now().toISOString()); return p.evaluateIndex < 2 ? { done: false, index: p.evaluateIndex + 1, level: 'x', at: at[p.evaluateIndex + 1] } : { done: true, reason: 'noMoreCheckpoints' }; },
    ReportClockFailure: async (p) => { console.log('SNS', p); return { MessageId: '1' }; },
  },
});
console.log(JSON.stringify(await run.outcome).slice(0, 500));
console.log(run.statesEntered());
console.log(run.events.filter(e => e.type === 'StateRetried').length);
const run2 = runClock(def, { caseId: 'CPR-20250101-ABCE' }, {
  clock,
  tasks: {
    Acknowledge: async () => ({ status: 'sent', messageId: 'm' }),
    NotifyTeam: async () => { throw new TypeError('team down'); },
    PlanClock: async () => ({}), EvaluateCheckpoint: async () => ({}),
    ReportClockFailure: async (p) => { console.log('SNS', p); return { MessageId: '1' }; },
  },
});
console.log(JSON.stringify(await run2.outcome));
console.log(run2.statesEntered());
