/**
 * Least privilege both ways: what each function really asks of DynamoDB, recorded on the wire
 * while it runs against the stand-in, must be what the synthesized template grants its role, on
 * that table or index. dynalite checks no IAM, so without this a grant narrower than the code
 * (an UpdateItem the role lacks) would only fail in AWS, after the mail went out.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { casesTable } from '../../lambdas/adapters/dynamo/cases-table.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { clockDeps } from '../../lambdas/clock/deps.ts';
import {
  acknowledgeTask,
  checkpointTask,
  deliveryEventsTask,
  notifyTeamTask,
} from '../../lambdas/clock/tasks.ts';
import { runCanary } from '../../lambdas/domain/canary/run.ts';
import { parseInventoryText } from '../../lambdas/domain/inventory/csv.ts';
import { intakeDeps } from '../../lambdas/intake/deps.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { pointSdkAt } from '../../local/stand-ins.ts';
import { actionsOf, buildApp, logicalId, resourcesOf, roleStatements } from '../infra/support.ts';
import {
  type ClockEnv,
  clockEnv,
  SENDER,
  sesEventNotification,
  TOPICS,
} from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, TEST_CANARY_SECRET } from '../support/intake-env.ts';

const pki = (name: string) =>
  readFileSync(new URL(`../fixtures/pki/${name}`, import.meta.url), 'utf-8');

interface Call {
  readonly fn: string;
  readonly action: string;
  readonly table: string;
  readonly index: string | null;
}

/** Forwards every DynamoDB request to the stand-in and notes who asked what of which table. */
async function recordingProxy(upstream: string) {
  const calls: Call[] = [];
  const state = { fn: 'setup' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '?';
      const input = JSON.parse(body.toString('utf8') || '{}') as {
        TableName?: string;
        IndexName?: string;
        RequestItems?: Record<string, unknown>;
      };
      const tables = input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {});
      for (const table of tables) {
        calls.push({ fn: state.fn, action, table, index: input.IndexName ?? null });
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      const out = await fetch(upstream, { method: 'POST', headers, body });
      res.writeHead(out.status, { 'content-type': out.headers.get('content-type') ?? '' });
      res.end(Buffer.from(await out.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    as: (fn: string) => {
      state.fn = fn;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const { stack, template } = buildApp();
const roles = {
  intake: stack.intake.function,
  acknowledge: stack.tasks.acknowledge,
  notifyTeam: stack.tasks.notifyTeam,
  checkpoint: stack.tasks.checkpoint,
  deliveryEvents: stack.delivery.eventsFunction,
  canary: stack.canary.function,
} as const;

let env: ClockEnv;
let proxy: Awaited<ReturnType<typeof recordingProxy>>;

beforeAll(async () => {
  env = await clockEnv();
  const { records } = await parseInventoryText(pki('inventory.csv'));
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put(records);
  proxy = await recordingProxy(inject('dynamoEndpoint'));
  // Every client made from here on goes through the proxy.
  pointSdkAt(process.env, { dynamodb: proxy.endpoint });
  let now = new Date('2026-11-27T09:00:00.000Z');
  const deps = clockDeps({
    casesTable: env.config.casesTable,
    auditTable: env.config.auditTable,
    revocation: {
      inventoryTable: env.config.inventoryTable,
      evidenceBucket: env.config.evidenceBucket,
      evidencePrefix: env.config.evidencePrefix,
      blocklistBucket: env.config.inboundBucket,
    },
    configurationSet: 'cpr-notices',
    topics: TOPICS,
    region: 'us-east-1',
    now: () => now,
  });

  // A key-compromise report: it exercises the inventory, the blocklist and revocations too.
  proxy.as('intake');
  const raw = await compose({
    from: 'Rita Reporter <rita@researcher.example>',
    to: CPR_ADDRESS,
    subject: 'Key compromise: private key for rsa.example.test',
    text: `The private key is public:\n\n${pki('leaf-rsa.key')}\n${pki('leaf-rsa.pem')}`,
  });
  const { event } = await env.deliver(raw, { timestamp: now });
  const [result] = await handleSesEvent(event, {
    deps: intakeDeps(env.config, () => now),
    settings: env.settings,
    inboundPrefix: env.config.inboundPrefix,
  });
  const caseId = result!.caseId!;

  proxy.as('acknowledge');
  const ack = (await acknowledgeTask(deps, SENDER)({ caseId })) as { messageId: string };
  proxy.as('notifyTeam');
  await notifyTeamTask(deps, { rawMail: (k) => k })({ caseId });
  proxy.as('checkpoint');
  await checkpointTask(deps)({ caseId, afterIndex: -1 });
  now = new Date('2026-11-27T21:00:00.000Z');
  await checkpointTask(deps)({ caseId, evaluateIndex: 0 });
  proxy.as('deliveryEvents');
  await deliveryEventsTask(deps)(sesEventNotification('Bounce', ack.messageId, now.toISOString()));
  // The canary's own reads (heartbeat, open cases); its other ports touch no table.
  proxy.as('canary');
  const table = casesTable(documentClient(), env.config.casesTable);
  await runCanary(
    {
      secret: async () => TEST_CANARY_SECRET,
      mailer: { send: async () => ({ messageId: 'canary-1' }) },
      ruleSets: { activeRuleSetName: async () => 'rules' },
      subscriptions: { count: async () => ({ confirmed: 1, pending: 0 }) },
      heartbeats: table.heartbeats,
      openCases: table.cases,
      alerts: { publish: async () => undefined },
      now: () => now,
    },
    {
      from: SENDER.senderAddress,
      to: CPR_ADDRESS,
      expectedRuleSet: 'rules',
      intervalMinutes: 15,
      region: null,
    },
  );
  proxy.as('done');
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await env?.stop();
});

/** The logical id of the table a stand-in table name stands for. */
function tableId(name: string): string {
  const tables = {
    [env.config.casesTable]: stack.store.cases,
    [env.config.auditTable]: stack.store.audit,
    [env.config.inventoryTable]: stack.store.inventory,
  };
  const table = tables[name];
  if (!table) throw new Error(`unknown table ${name}`);
  return logicalId(stack, table);
}

function granted(fn: keyof typeof roles, call: Call): boolean {
  const id = tableId(call.table);
  return roleStatements(template, logicalId(stack, roles[fn].role)).some(
    (s) =>
      s.Effect === 'Allow' &&
      actionsOf(s).includes(`dynamodb:${call.action}`) &&
      resourcesOf(s).some((r) =>
        call.index
          ? JSON.stringify(r).includes(`"${id}"`) &&
            JSON.stringify(r).includes(`/index/${call.index}`)
          : JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      ),
  );
}

describe('what each function asks of DynamoDB is what its role is granted', () => {
  test.each(Object.keys(roles) as (keyof typeof roles)[])('%s', (fn) => {
    const calls = proxy.calls.filter((c) => c.fn === fn);
    expect(calls.length).toBeGreaterThan(0);
    const denied = calls.filter((c) => !granted(fn, c));
    expect(
      denied.map((c) => `${c.action} ${tableId(c.table)}${c.index ? `/${c.index}` : ''}`),
    ).toEqual([]);
  });
});
