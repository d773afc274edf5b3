import { describe, expect, test } from 'vitest';
import { STACK_OUTPUTS } from '../../infra/stacks/cpr-intake-stack.ts';
import { buildApp, logicalId } from './support.ts';

const { stack, template } = buildApp();
const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

describe('stack outputs (the contract tools find resources by)', () => {
  test('every declared output is there, and nothing else', () => {
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
  });

  test.each([
    ['teamTopic', () => ({ Ref: logicalId(stack, stack.alerts.team) })],
    ['escalationTopic', () => ({ Ref: logicalId(stack, stack.alerts.escalation) })],
    ['pagerTopic', () => ({ Ref: logicalId(stack, stack.alerts.pager) })],
    ['deliveryEventsTopic', () => ({ Ref: logicalId(stack, stack.delivery.eventsTopic) })],
    ['configurationSet', () => ({ Ref: logicalId(stack, stack.delivery.configurationSet) })],
    ['acknowledgeFunction', () => ({ Ref: logicalId(stack, stack.tasks.acknowledge.fn) })],
    ['notifyTeamFunction', () => ({ Ref: logicalId(stack, stack.tasks.notifyTeam.fn) })],
    ['checkpointFunction', () => ({ Ref: logicalId(stack, stack.tasks.checkpoint.fn) })],
    ['deliveryEventsFunction', () => ({ Ref: logicalId(stack, stack.delivery.eventsFunction.fn) })],
  ] as const)('%s names the deployed resource', (key, expected) => {
    expect(outputs[STACK_OUTPUTS[key]]?.Value).toEqual(expected());
  });
});
