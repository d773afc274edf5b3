/**
 * The canary as synthesized: its schedule, its secret, the variables it reads, and a role with
 * exactly what one run needs.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { ENV } from '../../lambdas/shared/env-names.ts';
// biome-ignore format: one line, as the other imports
import { actionsOf, buildApp, logicalId, resourcesOf, roleStatements, type Statement, sesArn } from './support.ts';

const { stack, template, config } = buildApp();
const canary = stack.canary;
const fnId = logicalId(stack, canary.function.fn);
const roleId = logicalId(stack, canary.function.role);
const secretId = logicalId(stack, canary.secret);
const ids = {
  cases: logicalId(stack, stack.store.cases),
  configSet: logicalId(stack, stack.delivery.configurationSet),
  team: logicalId(stack, stack.alerts.team),
  escalation: logicalId(stack, stack.alerts.escalation),
  pager: logicalId(stack, stack.alerts.pager),
  key: logicalId(stack, stack.alerts.key),
  queue: logicalId(stack, canary.function.failureQueue as never),
};

/** Every statement of every policy attached to the canary's role, the separate ones included. */
const statements = roleStatements(template, roleId);
const withAction = (action: string): Statement[] =>
  statements.filter((s) => actionsOf(s).includes(action));

describe('canary schedule', () => {
  test('runs every canaryIntervalMinutes as a cron aligned to the hour', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `cron(0/${config.canaryIntervalMinutes} * * * ? *)`,
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
          RetryPolicy: {
            MaximumEventAgeInSeconds: config.canaryIntervalMinutes * 60,
            MaximumRetryAttempts: 2,
          },
        }),
      ],
    });
  });

  test.each([
    [5, 'cron(0/5 * * * ? *)'],
    [60, 'cron(0 * * * ? *)'],
  ])('every %i minutes is %s', (canaryIntervalMinutes, expression) => {
    const { template: t } = buildApp({ canaryIntervalMinutes });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expression });
  });

  test('a retry after the next run is pointless: async events expire after one interval', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumEventAgeInSeconds: config.canaryIntervalMinutes * 60,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [ids.queue, 'Arn'] } } },
    });
  });
});

describe('canary secret', () => {
  test('is a generated 64-character key without punctuation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });

  test('the canary and intake can read it, and nothing else can', () => {
    const readers = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some((s) =>
        actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      ),
    );
    const roles = readers.flatMap((p) => p.Properties.Roles as unknown[]);
    expect(roles).toEqual(
      expect.arrayContaining([
        { Ref: roleId },
        { Ref: logicalId(stack, stack.intake.function.role) },
      ]),
    );
    expect(roles).toHaveLength(2);
    for (const policy of readers) {
      const secretStatements = (policy.Properties.PolicyDocument.Statement as Statement[]).filter(
        (s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toEqual([
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secretId } },
      ]);
    }
  });

  test('intake finds it through CANARY_SECRET_ARN', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.canarySecretArn]: { Ref: secretId },
          [ENV.archiveBucket]: Match.anyValue(),
        }),
      },
    });
  });
});

describe('canary function', () => {
  test('runs on the house defaults with the variables it reads', () => {
    const fn = template.findResources('AWS::Lambda::Function')[fnId];
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      [ENV.canarySecretArn]: { Ref: secretId },
      [ENV.configurationSet]: { Ref: ids.configSet },
      [ENV.casesTable]: { Ref: ids.cases },
      [ENV.teamTopicArn]: { Ref: ids.team },
      [ENV.escalationTopicArn]: { Ref: ids.escalation },
      [ENV.pagerTopicArn]: { Ref: ids.pager },
      [ENV.senderAddress]: config.senderAddress,
      [ENV.cprAddresses]: config.cprAddresses.join(','),
      [ENV.receiptRuleSetName]: `${config.stackName}-inbound`,
      [ENV.canaryIntervalMinutes]: String(config.canaryIntervalMinutes),
      POWERTOOLS_METRICS_NAMESPACE: 'CprIntake',
    });
  });

  test('an existing rule set is the one the canary expects to be active', () => {
    const { stack: s, template: t } = buildApp({ existingReceiptRuleSetName: 'default-rule-set' });
    const fn = t.findResources('AWS::Lambda::Function')[logicalId(s, s.canary.function.fn)];
    expect(fn?.Properties.Environment.Variables[ENV.receiptRuleSetName]).toBe('default-rule-set');
  });
});

describe('canary role: least privilege', () => {
  test('grants exactly these actions, none of them a wildcard', () => {
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'ses:DescribeActiveReceiptRuleSet',
      'ses:SendEmail',
      'sns:ListSubscriptionsByTopic',
      'sns:Publish',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('ses:SendEmail: only from the sender, only to the first CPR address, only via the set', () => {
    const [send, ...more] = withAction('ses:SendEmail');
    expect(more).toEqual([]);
    expect(actionsOf(send!)).toEqual(['ses:SendEmail']);
    const domain = config.senderAddress.split('@')[1];
    expect(resourcesOf(send!)).toEqual(
      expect.arrayContaining([
        sesArn(`identity/${domain}`),
        sesArn(`identity/${config.senderAddress}`),
        sesArn({ Ref: ids.configSet }),
      ]),
    );
    expect(resourcesOf(send!)).toHaveLength(3);
    expect(send?.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': config.senderAddress },
      'ForAllValues:StringEqualsIgnoreCase': { 'ses:Recipients': [config.cprAddresses[0]] },
    });
  });

  test('DynamoDB: GetItem on the cases table, Query on the openByDeadline index, nothing else', () => {
    expect(withAction('dynamodb:GetItem').flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [ids.cases, 'Arn'] },
    ]);
    const [query] = withAction('dynamodb:Query');
    expect(actionsOf(query!)).toEqual(['dynamodb:Query']);
    expect(resourcesOf(query!)).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.cases, 'Arn'] }, '/index/openByDeadline']] },
    ]);
  });

  test('SNS: list the subscriptions of the three alert topics, publish to the team topic only', () => {
    expect(withAction('sns:ListSubscriptionsByTopic').flatMap(resourcesOf)).toEqual(
      expect.arrayContaining([{ Ref: ids.team }, { Ref: ids.escalation }, { Ref: ids.pager }]),
    );
    expect(withAction('sns:ListSubscriptionsByTopic').flatMap(resourcesOf)).toHaveLength(3);
    expect(withAction('sns:Publish').flatMap(resourcesOf)).toEqual([{ Ref: ids.team }]);
    const [kms] = withAction('kms:GenerateDataKey');
    expect(resourcesOf(kms!)).toEqual([{ 'Fn::GetAtt': [ids.key, 'Arn'] }]);
    expect(JSON.stringify(kms?.Condition)).toContain('kms:ViaService');
  });

  test('Resource "*" only for X-Ray and ses:DescribeActiveReceiptRuleSet, the latter in its own policy', () => {
    const anywhere = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(anywhere.flatMap(actionsOf).sort()).toEqual([
      'ses:DescribeActiveReceiptRuleSet',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const own = Object.entries(template.findResources('AWS::IAM::Policy')).find(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('ses:DescribeActiveReceiptRuleSet'),
    );
    expect(own?.[1].Properties.PolicyDocument.Statement).toEqual([
      { Action: 'ses:DescribeActiveReceiptRuleSet', Effect: 'Allow', Resource: '*' },
    ]);
    // The function is created after it, so its first run already has it.
    expect(template.findResources('AWS::Lambda::Function')[fnId]?.DependsOn).toContain(own?.[0]);
  });

  test('uses no managed policy', () => {
    expect(
      template.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns,
    ).toBeUndefined();
  });
});
