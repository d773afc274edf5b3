import { describe, expect, test } from 'vitest';
import { buildApp, logicalId } from './support.ts';

const { stack, template, config } = buildApp();
const clock = stack.clock;
const stateMachineId = logicalId(stack, clock.stateMachine);
const logGroupId = logicalId(stack, clock.logGroup);
const resource = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId];

describe('deadline clock', () => {
  test('is a Standard state machine (waits up to a year, exactly-once starts by name)', () => {
    expect(resource?.Properties.StateMachineType).toBe('STANDARD');
  });

  test('logs ALL events with execution data to its own log group, and is traced', () => {
    expect(resource?.Properties.LoggingConfiguration).toEqual({
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } },
      ],
      IncludeExecutionData: true,
      Level: 'ALL',
    });
    expect(resource?.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const logGroup = template.findResources('AWS::Logs::LogGroup')[logGroupId];
    expect(logGroup?.Properties.RetentionInDays).toBe(config.logRetentionDays);
    expect(logGroup?.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\//);
  });

  test('the synthesized definition is the placeholder Pass -> Succeed (replaced later)', () => {
    const definition = JSON.parse(resource?.Properties.DefinitionString as string);
    const start = definition.States[definition.StartAt];
    expect(start.Type).toBe('Pass');
    expect(definition.States[start.Next].Type).toBe('Succeed');
  });

  test('the state machine role may only log and trace for now', () => {
    const roleId = logicalId(stack, clock.stateMachine.role);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(
      (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const actions = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => s.Action),
    );
    for (const action of actions) expect(action).toMatch(/^(logs|xray):/);
  });
});
