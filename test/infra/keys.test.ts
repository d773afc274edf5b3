/**
 * Private keys at rest: raw mail (which holds what reporters send, private keys included) is
 * encrypted with a customer-managed key whose policy names every principal that may use it;
 * every log group is encrypted with the log key.
 */
import { describe, expect, test } from 'vitest';
import { breakGlassRoleName } from '../../infra/constructs/break-glass.ts';
import { KEY_ADMIN_ACTIONS } from '../../infra/constructs/keys.ts';
import { actionsOf, buildApp, logicalId, roleStatements, type Statement } from './support.ts';

const { stack, template } = buildApp();
const mailKeyId = logicalId(stack, stack.mailKey.key);
const intakeRoleId = logicalId(stack, stack.intake.function.role);
const breakGlassId = logicalId(stack, stack.breakGlass.role);
// The checkpoint reads a case's parsed evidence (the certificates and proven keys a revocation
// obligation names) and writes the blocklist's copy: through S3 only, like intake.
const checkpointRoleId = logicalId(stack, stack.tasks.checkpoint.role);

function keyStatements(keyLogicalId: string): Statement[] {
  return template.findResources('AWS::KMS::Key')[keyLogicalId]?.Properties.KeyPolicy.Statement;
}

/** The principals (as template JSON) a statement names, one string each. */
function principalsOf(statement: Statement): string[] {
  const p = statement.Principal as Record<string, unknown>;
  return Object.entries(p).flatMap(([kind, v]) =>
    (Array.isArray(v) ? v : [v]).map((one) => `${kind}:${JSON.stringify(one)}`),
  );
}

const USE = /^kms:(Decrypt|Encrypt|GenerateDataKey|ReEncrypt|CreateGrant|\*)/;

describe('the mail key', () => {
  const statements = keyStatements(mailKeyId);
  const allows = statements.filter((s) => s.Effect === 'Allow');

  test('encrypts the inbound and the archive bucket, and is never deleted with the stack', () => {
    for (const bucket of [stack.mail.bucket, stack.archive.bucket]) {
      const props = template.findResources('AWS::S3::Bucket')[logicalId(stack, bucket)]?.Properties;
      expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [mailKeyId, 'Arn'] },
        },
        BucketKeyEnabled: true,
      });
    }
    const key = template.findResources('AWS::KMS::Key')[mailKeyId];
    expect(key?.DeletionPolicy).toBe('Retain');
    expect(key?.Properties.EnableKeyRotation).toBe(true);
  });

  test('the account administers it and cannot use it: no kms:* and no decrypt for IAM', () => {
    const account = allows.filter((s) => JSON.stringify(s.Principal).includes(':root'));
    expect(account).toHaveLength(1);
    expect(actionsOf(account[0]!).sort()).toEqual([...KEY_ADMIN_ACTIONS].sort());
    expect(actionsOf(account[0]!).filter((a) => USE.test(a))).toEqual([]);
  });

  test('admits for use only SES, the functions that read the buckets, and the break-glass role', () => {
    // The checkpoint only reads with it (the evidence): the blocklist has a bucket of its own.
    const checkpointUses = allows
      .filter((s) => principalsOf(s).some((p) => p.includes(checkpointRoleId)))
      .flatMap(actionsOf)
      .filter((a) => USE.test(a));
    expect([...new Set(checkpointUses)]).toEqual(['kms:Decrypt']);
    // Who, whatever statements the policy groups them in (intake reads and writes).
    const users = [
      ...new Set(allows.filter((s) => actionsOf(s).some((a) => USE.test(a))).flatMap(principalsOf)),
    ].sort();
    expect(users).toEqual(
      [
        `AWS:${JSON.stringify({ 'Fn::GetAtt': [breakGlassId, 'Arn'] })}`,
        `AWS:${JSON.stringify({ 'Fn::GetAtt': [intakeRoleId, 'Arn'] })}`,
        `AWS:${JSON.stringify({ 'Fn::GetAtt': [checkpointRoleId, 'Arn'] })}`,
        `Service:${JSON.stringify('ses.amazonaws.com')}`,
      ].sort(),
    );
    // Every use goes through S3, and is no more than data keys and decryption.
    for (const s of allows.filter((st) => actionsOf(st).some((a) => USE.test(a)))) {
      expect(JSON.stringify(s.Condition)).toContain('kms:ViaService');
      for (const a of actionsOf(s)) expect(['kms:Decrypt', 'kms:GenerateDataKey']).toContain(a);
    }
  });

  test('SES may only generate data keys, for this account and this one receipt rule', () => {
    const ses = allows.filter((s) => JSON.stringify(s.Principal).includes('ses.amazonaws.com'));
    expect(ses).toHaveLength(1);
    expect(actionsOf(ses[0]!)).toEqual(['kms:GenerateDataKey']);
    const condition = ses[0]?.Condition as { StringEquals: Record<string, unknown> };
    expect(condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(JSON.stringify(condition.StringEquals['aws:SourceArn'])).toContain(
      ':receipt-rule-set/CprIntake-inbound:receipt-rule/cpr-reports',
    );
  });

  test('no one may create grants on it but AWS services for their own resources', () => {
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Condition: {
          BoolIfExists: {
            'kms:GrantIsForAWSResource': 'false',
            'aws:PrincipalIsAWSService': 'false',
          },
        },
      }),
    );
  });

  test('no other role of the stack is granted the mail key', () => {
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    const withKey = roles.filter((id) =>
      roleStatements(template, id).some((s) =>
        JSON.stringify(s.Resource).includes(`"${mailKeyId}"`),
      ),
    );
    expect(withKey.sort()).toEqual([breakGlassId, intakeRoleId, checkpointRoleId].sort());
  });
});

describe('the break-glass role', () => {
  const role = template.findResources('AWS::IAM::Role')[breakGlassId];

  test('has a fixed name, needs MFA, and lasts an hour', () => {
    expect(role?.Properties.RoleName).toBe(breakGlassRoleName('CprIntake'));
    expect(role?.Properties.MaxSessionDuration).toBe(3600);
    const [trust] = (role?.Properties.AssumeRolePolicyDocument.Statement ?? []) as Statement[];
    expect(trust?.Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
  });

  test('reads and stores mail objects, nothing else', () => {
    const actions = new Set(roleStatements(template, breakGlassId).flatMap(actionsOf));
    expect([...actions].sort()).toEqual(
      [
        'kms:Decrypt',
        'kms:GenerateDataKey',
        's3:GetObject',
        's3:ListBucket',
        's3:PutObject',
      ].sort(),
    );
  });
});

describe('log groups', () => {
  const logKeyId = Object.keys(template.findResources('AWS::KMS::Key')).find((id) =>
    id.startsWith('LogKey'),
  );

  test('every log group of the stack is encrypted with the log key', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(8);
    for (const g of groups)
      expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logKeyId, 'Arn'] });
  });

  test('only CloudWatch Logs may use the log key, for log groups of this account', () => {
    const users = keyStatements(logKeyId!).filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => USE.test(a)),
    );
    expect(users).toHaveLength(1);
    expect(JSON.stringify(users[0]?.Principal)).toContain('logs.');
    expect(JSON.stringify(users[0]?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
  });
});
