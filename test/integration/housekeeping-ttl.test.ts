/**
 * DynamoDB's TTL on the cases table removes only housekeeping items: used canary nonces, once no
 * token could be replayed any more, and mail rate counters, once their window has passed. The
 * stand-in has no TTL, so this checks what each item carries and what the table declares.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import {
  CANARY_NONCE_KEEP_MS,
  DynamoHeartbeatStore,
} from '../../lambdas/adapters/dynamo/heartbeat-store.ts';
import { keys } from '../../lambdas/adapters/dynamo/keys.ts';
import { DynamoRateLimiter } from '../../lambdas/adapters/dynamo/rate-limits.ts';
import { CASES_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { CANARY_MAX_AGE_MS } from '../../lambdas/domain/canary/token.ts';
import { createTables, pointSdkAt } from '../../local/stand-ins.ts';

const TTL = CASES_TABLE_SCHEMA.ttlAttribute;
let table: string;
const db = () => documentClient();

beforeAll(async () => {
  pointSdkAt(process.env, { dynamodb: inject('dynamoEndpoint') });
  const name = `ttl-${randomUUID().slice(0, 8)}`;
  table = `cases-${name}`;
  await createTables(inject('dynamoEndpoint'), {
    cases: table,
    audit: `audit-${name}`,
    inventory: `inventory-${name}`,
  });
});

const item = async (key: Record<string, string>) =>
  (await db().send(new GetCommand({ TableName: table, Key: key }))).Item;

describe('TTL of housekeeping items', () => {
  test('a used nonce outlives every replay of its token, then expires', async () => {
    expect(CANARY_NONCE_KEEP_MS).toBeGreaterThanOrEqual(2 * CANARY_MAX_AGE_MS);
    const receivedAt = '2026-12-02T03:00:00.000Z';
    const claim = { nonce: randomUUID(), sesMessageId: 'ses-1', messageIdHeader: null, receivedAt };
    expect(await new DynamoHeartbeatStore(db(), table).claimNonce(claim)).toBe(true);
    const stored = await item(keys.canaryNonce(claim.nonce));
    expect(stored?.[TTL]).toBe((Date.parse(receivedAt) + CANARY_NONCE_KEEP_MS) / 1000);
  });

  test('a rate counter expires when its window has passed', async () => {
    const now = new Date('2026-12-02T03:00:00.000Z');
    const windowMs = 24 * 3_600_000;
    const limiter = new DynamoRateLimiter(db(), table);
    const key = `address:${randomUUID()}@example.test`;
    expect(await limiter.admit([{ key, limit: 3 }], 'h1', now, windowMs)).toEqual({
      admitted: true,
    });
    expect((await item(keys.rateCounter(key)))?.[TTL]).toBe((now.getTime() + windowMs) / 1000);
  });

  test('the heartbeat itself never expires', async () => {
    const store = new DynamoHeartbeatStore(db(), table);
    await store.record({
      receivedAt: '2026-12-02T03:00:01.000Z',
      sentAt: '2026-12-02T03:00:00.000Z',
      sesMessageId: 'ses-2',
      latencyMs: 1000,
    });
    expect((await item(keys.heartbeat()))?.[TTL]).toBeUndefined();
  });
});
