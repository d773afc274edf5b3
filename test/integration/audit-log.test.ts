/**
 * The audit log (BR 5.4) against the DynamoDB stand-in through the real SDK: its events live in
 * a table of their own (whose grants and resource policy say "append only", test/infra), never
 * among the case's items, and an event once written is kept as first written.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import type { AuditEvent } from '../../lambdas/domain/audit/events.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

let env: IntakeEnv;
let caseId: string;

async function itemsOf(table: string, pk: string): Promise<Record<string, unknown>[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  env = await intakeEnv();
  const report = {
    from: 'Rita Reporter <rita@researcher.example>',
    to: CPR_ADDRESS,
    subject: 'Misissued certificate, please revoke',
    text: 'The certificate with serial 0a:1b:2c was issued without my request.\n',
  };
  const { event } = await env.deliver(await compose(report));
  const { deps, settings, config } = env;
  const [result] = await handleSesEvent(event, { deps, settings, ...config });
  caseId = result!.caseId!;
});
afterAll(async () => env?.stop());

describe('audit events in their own table', () => {
  test('intake writes the events to the audit table and none to the cases table', async () => {
    const inCases = await itemsOf(env.config.casesTable, `CASE#${caseId}`);
    expect(inCases.length).toBeGreaterThan(0); // the case item and its message are there
    expect(inCases.filter((i) => String(i.sk).startsWith('EVENT#'))).toEqual([]);

    const inAudit = await itemsOf(env.config.auditTable, `CASE#${caseId}`);
    expect(inAudit.map((i) => i.type).sort()).toEqual(['opened', 'received']);
    expect(inAudit.every((i) => String(i.sk).startsWith('EVENT#'))).toBe(true);
    const listed = await env.deps.audit.list(caseId);
    expect(listed.map((e) => e.eventId).sort()).toEqual(inAudit.map((i) => i.eventId).sort());
  });

  test('an event appended again under its id keeps its first time and text', async () => {
    const [first] = await env.deps.audit.list(caseId);
    const rewrite: AuditEvent = {
      ...first!,
      at: '2030-01-01T00:00:00.000Z',
      description: 'rewritten later',
    };
    await env.deps.audit.append([rewrite]);
    const after = (await env.deps.audit.list(caseId)).find((e) => e.eventId === first!.eventId);
    expect(after).toEqual(first);
  });

  test('a new event is appended next to the others', async () => {
    const before = await env.deps.audit.list(caseId);
    const added: AuditEvent = {
      caseId,
      at: '2026-11-27T10:00:00.000Z',
      actor: 'system:clock',
      type: 'escalation.warning',
      description: 'warning at 12 h',
      eventId: `${caseId}:test-warning`,
    };
    await env.deps.audit.append([added]);
    expect(await env.deps.audit.has(caseId, added.eventId)).toBe(true);
    expect(await env.deps.audit.list(caseId)).toHaveLength(before.length + 1);
  });
});
