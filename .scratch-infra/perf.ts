import { StateMachine } from 'aws-local-stepfunctions';
import { synthesizedClockDefinition } from '../local/state-machine.ts';
const d = synthesizedClockDefinition();
for (let i = 0; i < 3; i++) { const t = performance.now(); new StateMachine(d); console.log('construct', performance.now() - t); }
const t = performance.now(); new StateMachine(d, { validationOptions: { noValidate: true } }); console.log('novalidate', performance.now() - t);
