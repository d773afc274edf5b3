/**
 * The audit log (BR 5.4) is append-only in the template itself: a table of its own, a resource
 * policy that refuses every change or removal of an item to every principal but the break-glass
 * role, and no role of the stack allowed anything on it beyond GetItem, PutItem and Query.
 */
import { describe, expect, test } from 'vitest';
import type { CprFunction } from '../../infra/constructs/cpr-function.ts';
import { AUDIT_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { actionsOf, buildApp, logicalId, resourcesOf, type Statement } from './support.ts';

const { stack, template } = buildApp();
const auditId = logicalId(stack, stack.store.audit);
const casesId = logicalId(stack, stack.store.cases);
const breakGlassId = logicalId(stack, stack.breakGlass.role);

/** What would change or remove an audit event once written (written out here, not imported). */
const ITEM_CHANGES = ['UpdateItem', 'DeleteItem', 'BatchWriteItem']
  .concat(['Insert', 'Update', 'Delete'].map((verb) => `PartiQL${verb}`))
  .map((action) => `dynamodb:${action}`);

/** Every function whose code appends audit events. */
const WRITERS: readonly [string, CprFunction][] = [
  ['intake', stack.intake.function],
  ['acknowledge', stack.tasks.acknowledge],
  ['notify-team', stack.tasks.notifyTeam],
  ['checkpoint', stack.tasks.checkpoint],
  ['delivery-events', stack.delivery.eventsFunction],
];

const auditTable = () => template.findResources('AWS::DynamoDB::Table')[auditId]!;

/** Every statement of every identity policy in the template, inline or attached, with its role. */
function identityStatements(): { roles: string[]; statement: Statement }[] {
  const out: { roles: string[]; statement: Statement }[] = [];
  for (const p of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = ((p.Properties.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
    for (const s of p.Properties.PolicyDocument.Statement as Statement[]) {
      out.push({ roles, statement: s });
    }
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of (role.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[]) {
      for (const s of inline.PolicyDocument.Statement) out.push({ roles: [id], statement: s });
    }
  }
  return out;
}

/** The resource is the audit table (or an index of it), or anything at all. */
function reachesAudit(resource: unknown): boolean {
  return resource === '*' || JSON.stringify(resource).includes(`"${auditId}"`);
}

/** An allowed action that covers `action` (exactly, or by a wildcard such as `dynamodb:*`). */
function covers(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
    'i',
  );
  return re.test(action);
}

function roleStatementsOn(roleId: string): Statement[] {
  return identityStatements()
    .filter((e) => e.roles.includes(roleId) && e.statement.Effect === 'Allow')
    .map((e) => e.statement)
    .filter((s) => resourcesOf(s).some(reachesAudit));
}

describe('audit table', () => {
  test('is a table of its own, keyed by case and event, recoverable and never replaced', () => {
    expect(auditId).not.toBe(casesId);
    expect(auditTable().Properties).toMatchObject({
      KeySchema: [
        { AttributeName: AUDIT_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(auditTable().DeletionPolicy).toBe('Retain');
  });

  test('its resource policy denies every item change to everyone but the break-glass role', () => {
    const statements = auditTable().Properties.ResourcePolicy.PolicyDocument
      .Statement as Statement[];
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toHaveLength(1);
    const [deny] = denies;
    expect([...actionsOf(deny!)].sort()).toEqual([...ITEM_CHANGES].sort());
    expect(deny!.Principal).toEqual({ AWS: '*' });
    expect(deny!.Resource).toBe('*');
    expect(deny!.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [breakGlassId, 'Arn'] } },
    });
    // The policy grants nothing: access comes from each role's own policy.
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  test('no role of the stack may update, delete or batch-write an audit event', () => {
    const offending = identityStatements().filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        resourcesOf(statement).some(reachesAudit) &&
        actionsOf(statement).some((a) => ITEM_CHANGES.some((change) => covers(a, change))),
    );
    expect(offending).toEqual([]);
  });

  test('no role has a managed policy (AmazonDynamoDBFullAccess and the like)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });

  test.each(WRITERS)('%s: GetItem and PutItem on the audit table, nothing more', (_, fn) => {
    const statements = roleStatementsOn(logicalId(stack, fn.role));
    // X-Ray's statement has Resource "*" (no resource-level permissions): not a table grant.
    const onTable = statements.filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r).includes(`"${auditId}"`)),
    );
    // (CDK merges statements with the same actions: the cases table may share one.)
    expect([...new Set(onTable.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    const auditResources = onTable
      .flatMap(resourcesOf)
      .filter((r) => JSON.stringify(r).includes(`"${auditId}"`));
    expect(auditResources).toEqual([{ 'Fn::GetAtt': [auditId, 'Arn'] }]);
    const anywhere = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(anywhere.flatMap(actionsOf).every((a) => a.startsWith('xray:'))).toBe(true);
    const variables =
      template.findResources('AWS::Lambda::Function')[logicalId(stack, fn.fn)]?.Properties
        .Environment.Variables;
    expect(variables[ENV.auditTable]).toEqual({ Ref: auditId });
  });

  test('the canary and the break-glass role have no access to it', () => {
    for (const roleId of [logicalId(stack, stack.canary.function.role), breakGlassId]) {
      const onTable = roleStatementsOn(roleId).filter((s) =>
        resourcesOf(s).some((r) => JSON.stringify(r).includes(`"${auditId}"`)),
      );
      expect(onTable).toEqual([]);
    }
  });

  test('the stack publishes its name for the CLI', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AuditTableName?.Value).toEqual({ Ref: auditId });
  });
});
