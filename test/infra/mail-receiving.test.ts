/**
 * SES receiving as synthesized: the CPR rule (order of actions, TLS, scanning), the two grants
 * that name exactly this rule, and the activation custom resource.
 */
import { describe, expect, test } from 'vitest';
import { RECEIPT_RULE_NAME } from '../../infra/constructs/mail-receiving.ts';
import { actionsOf, buildApp, logicalId, type Statement, sesArn } from './support.ts';

const { stack, template, config } = buildApp();
const bucketId = logicalId(stack, stack.mail.bucket);
const intakeId = logicalId(stack, stack.intake.function.fn);
const ruleId = logicalId(stack, stack.receiving.rule);
const RULE_SET = `${config.stackName}-inbound`;

/** How CDK writes the rule's ARN. */
const ruleArn = sesArn(`receipt-rule-set/${RULE_SET}:receipt-rule/${RECEIPT_RULE_NAME}`);

function resourcesOfType(type: string, t = template) {
  return Object.entries(t.findResources(type));
}

describe('receipt rule', () => {
  const rule = template.findResources('AWS::SES::ReceiptRule')[ruleId];
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field
  const props = rule?.Properties.Rule as Record<string, any>;

  test('is the only rule, in the stack’s own rule set', () => {
    expect(resourcesOfType('AWS::SES::ReceiptRule')).toHaveLength(1);
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: RULE_SET });
    expect(rule?.Properties.RuleSetName).toEqual({
      Ref: logicalId(stack, stack.receiving.ruleSet as never),
    });
  });

  test('matches exactly the CPR addresses, enabled', () => {
    expect(props.Recipients).toEqual(config.cprAddresses);
    expect(props.Enabled).toBe(true);
    expect(props.Name).toBe(RECEIPT_RULE_NAME);
  });

  test('requires TLS and scans for spam and viruses', () => {
    expect(props.TlsPolicy).toBe('Require');
    expect(props.ScanEnabled).toBe(true);
  });

  test('stores the raw message to S3 first, then invokes intake asynchronously', () => {
    expect(props.Actions).toEqual([
      { S3Action: { BucketName: { Ref: bucketId }, ObjectKeyPrefix: config.inboundPrefix } },
      {
        LambdaAction: {
          FunctionArn: { 'Fn::GetAtt': [intakeId, 'Arn'] },
          InvocationType: 'Event',
        },
      },
    ]);
  });

  test('no rule drops, bounces or stops mail on a verdict', () => {
    const json = JSON.stringify(template.toJSON());
    for (const action of ['BounceAction', 'StopAction', 'SNSAction', 'WorkmailAction']) {
      expect(json).not.toContain(action);
    }
    expect(json).not.toContain('drop-spam');
  });

  test('is created after both grants, which SES checks at creation', () => {
    const permissionId = resourcesOfType('AWS::Lambda::Permission').find(
      ([, p]) => p.Properties.Principal === 'ses.amazonaws.com',
    )?.[0];
    expect(rule?.DependsOn).toEqual(
      expect.arrayContaining([logicalId(stack, stack.mail.bucket.policy!), permissionId]),
    );
  });

  test('with the default empty prefix the S3 action has no prefix', () => {
    const { stack: s, template: t } = buildApp({ inboundPrefix: undefined });
    const r = t.findResources('AWS::SES::ReceiptRule')[logicalId(s, s.receiving.rule)];
    expect(r?.Properties.Rule.Actions[0].S3Action).toEqual({
      BucketName: { Ref: logicalId(s, s.mail.bucket) },
    });
  });
});

describe('grants name this one rule', () => {
  test('the bucket policy lets SES put under the inbound prefix for this rule only', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as Statement[];
    const ses = statements.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'ses.amazonaws.com' }),
    );
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!)).toEqual(['s3:PutObject']);
    expect(ses[0]?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 'aws:SourceArn': ruleArn },
    });
  });

  test('the intake function may be invoked by SES for this rule only', () => {
    const sesPermissions = resourcesOfType('AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'ses.amazonaws.com',
    );
    expect(sesPermissions).toHaveLength(1);
    expect(sesPermissions[0]?.[1].Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [intakeId, 'Arn'] },
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: ruleArn,
    });
  });
});

describe('activation', () => {
  interface Activation {
    readonly Properties: Record<string, string | undefined> & { InstallLatestAwsSdk?: unknown };
    readonly DependsOn: string[];
  }
  const activation = (): Activation => {
    const all = resourcesOfType('Custom::SesActiveReceiptRuleSet');
    expect(all).toHaveLength(1);
    return all[0]?.[1] as Activation;
  };
  const call = (json: string | undefined) => (json ? JSON.parse(json) : undefined);

  test('activates the rule set on create and update, after the rule exists', () => {
    const resource = activation();
    const props = resource.Properties;
    for (const phase of ['Create', 'Update']) {
      expect(call(props[phase])).toMatchObject({
        service: 'SES',
        action: 'setActiveReceiptRuleSet',
        parameters: { RuleSetName: RULE_SET },
      });
    }
    expect(props.InstallLatestAwsSdk).toBe(false);
    expect(resource.DependsOn).toContain(ruleId);
  });

  test('deactivates on delete, since SES refuses to delete the active rule set', () => {
    expect(call(activation().Properties.Delete)).toEqual({
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: {},
    });
  });

  test('a renamed rule set is an update, not a replacement (whose delete would deactivate)', () => {
    expect(call(activation().Properties.Create).physicalResourceId).toEqual({
      id: 'active-receipt-rule-set',
    });
  });

  test('its role may set the active rule set and write its own log group, nothing else', () => {
    const roleId = logicalId(stack, stack.receiving.node.findChild('ActivationRole') as never);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'ses:SetActiveReceiptRuleSet',
    ]);
    const managed = template.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns;
    expect(managed).toBeUndefined();
  });

  test('activateRuleSet: false leaves activation to a person (and the canary checks it)', () => {
    const { template: t } = buildApp({ activateRuleSet: false });
    expect(Object.keys(t.findResources('Custom::SesActiveReceiptRuleSet'))).toHaveLength(0);
    expect(Object.keys(t.findResources('AWS::SES::ReceiptRule'))).toHaveLength(1);
  });

  test('an existing rule set gets the rule, and is never deactivated or deleted', () => {
    const { template: t } = buildApp({ existingReceiptRuleSetName: 'default-rule-set' });
    expect(Object.keys(t.findResources('AWS::SES::ReceiptRuleSet'))).toHaveLength(0);
    t.hasResourceProperties('AWS::SES::ReceiptRule', { RuleSetName: 'default-rule-set' });
    const [activation] = Object.values(t.findResources('Custom::SesActiveReceiptRuleSet'));
    expect(activation?.Properties.Delete).toBeUndefined();
    expect(JSON.stringify(t.toJSON())).toContain(
      ':receipt-rule-set/default-rule-set:receipt-rule/cpr-reports',
    );
  });
});
