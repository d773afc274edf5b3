/**
 * The deployed entry point itself: `handler.ts` reads its configuration at cold start and runs
 * through middy with Powertools, exactly as Lambda loads it.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { readIntakeConfig } from '../../lambdas/intake/config.ts';
import { MissingConfigError } from '../../lambdas/shared/env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

const context = {
  functionName: 'cpr-intake',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cpr-intake',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

let env: IntakeEnv;

beforeAll(async () => {
  env = await intakeEnv();
  Object.assign(process.env, {
    CASES_TABLE: env.config.casesTable,
    AUDIT_TABLE: env.config.auditTable,
    INVENTORY_TABLE: env.config.inventoryTable,
    INBOUND_BUCKET: env.config.inboundBucket,
    INBOUND_PREFIX: env.config.inboundPrefix,
    STATE_MACHINE_ARN: env.config.stateMachineArn,
    TEAM_TOPIC_ARN: env.config.teamTopicArn,
    CPR_ADDRESSES: env.config.ownAddresses.join(','),
    POWERTOOLS_METRICS_NAMESPACE: 'CprIntakeTest',
  });
});
afterAll(async () => env?.stop());

describe('intake handler module', () => {
  test('processes an SES event end to end and logs no message content', async () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const { handler } = await import('../../lambdas/intake/handler.ts');
      const raw = await compose({
        from: 'reporter@researcher.example',
        to: CPR_ADDRESS,
        subject: 'Please revoke: compromised key',
        messageId: '<handler-1@researcher.example>',
        text: 'The secret body text SENTINEL-7731 must never reach the logs.',
      });
      const { event, messageId } = await env.deliver(raw);
      await handler(event, context);
      const record = await env.deps.messages.get(messageId);
      expect(record?.state).toBe('done');
      const c = await env.deps.cases.get(record!.caseId!);
      expect(c?.classification).toBe('keyCompromise');
    } finally {
      spy.mockRestore();
    }
    const log = writes.join('');
    expect(log).toContain('intake done');
    expect(log).toContain('ReportsReceived');
    expect(log).not.toContain('SENTINEL-7731');
  });

  test("our notices' sender counts as our own address (loop safety)", () => {
    const config = readIntakeConfig({
      ...process.env,
      SENDER_ADDRESS: 'Notices@Other-Domain.example',
    });
    expect(config.ownAddresses).toContain('notices@other-domain.example');
    expect(config.ownAddresses).toEqual(expect.arrayContaining([...env.config.ownAddresses]));
  });

  test('a missing variable fails the cold start, naming it', () => {
    const { CASES_TABLE: _, ...rest } = process.env;
    expect(() => readIntakeConfig(rest)).toThrow(MissingConfigError);
    expect(() => readIntakeConfig(rest)).toThrow(/CASES_TABLE/);
    expect(() => readIntakeConfig({ ...process.env, DEADLINE_POLICY_VERSION: 'nope' })).toThrow(
      /nope/,
    );
  });
});
