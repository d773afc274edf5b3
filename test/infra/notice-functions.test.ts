/**
 * The clock's task functions and the delivery-events function: house defaults, the variables
 * they read, and a role each with only what its task needs.
 */
import { describe, expect, test } from 'vitest';
import { EVIDENCE_PREFIX } from '../../infra/config.ts';
import type { CprFunction } from '../../infra/constructs/cpr-function.ts';
import { INVENTORY_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { BLOCKLIST_PREFIX } from '../../lambdas/adapters/s3/blocklist-export.ts';
import type { AlertTopic } from '../../lambdas/domain/case/types.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
// biome-ignore format: one line, as the other imports
import { actionsOf, buildApp, logicalId, objectArn, resourcesOf, roleStatements, type Statement, sesArn } from './support.ts';

const { stack, template, config } = buildApp();
const functions = {
  acknowledge: stack.tasks.acknowledge,
  notifyTeam: stack.tasks.notifyTeam,
  checkpoint: stack.tasks.checkpoint,
  deliveryEvents: stack.delivery.eventsFunction,
} as const;
type Name = keyof typeof functions;
const NAMES = Object.keys(functions) as Name[];

const ids = {
  cases: logicalId(stack, stack.store.cases),
  bucket: logicalId(stack, stack.mail.bucket),
  key: logicalId(stack, stack.alerts.key),
  configSet: logicalId(stack, stack.delivery.configurationSet),
  team: logicalId(stack, stack.alerts.team),
  escalation: logicalId(stack, stack.alerts.escalation),
  pager: logicalId(stack, stack.alerts.pager),
};
const topicRef = (topic: AlertTopic) => ({ Ref: ids[topic] });

function statementsOf(name: Name): Statement[] {
  return roleStatements(template, logicalId(stack, functions[name].role));
}
function properties(fn: CprFunction) {
  return template.findResources('AWS::Lambda::Function')[logicalId(stack, fn.fn)]?.Properties;
}
function resourcesFor(name: Name, prefix: string): unknown[] {
  return statementsOf(name)
    .filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)))
    .flatMap(resourcesOf);
}
function actionsFor(name: Name): string[] {
  return statementsOf(name).flatMap(actionsOf);
}

describe('notice functions: house defaults', () => {
  test.each(NAMES)('%s: nodejs24.x on arm64, 256 MB, 30 s, traced', (name) => {
    expect(properties(functions[name])).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
    });
  });

  test('each function has a role of its own', () => {
    const roles = NAMES.map((n) => properties(functions[n])?.Role);
    expect(new Set(roles.map((r) => JSON.stringify(r))).size).toBe(NAMES.length);
  });

  test.each(['acknowledge', 'notifyTeam', 'checkpoint'] as const)(
    '%s is invoked synchronously by Step Functions: no async config, no failure queue',
    (name) => {
      expect(functions[name].failureQueue).toBeUndefined();
      const fnId = logicalId(stack, functions[name].fn);
      const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
      expect(configs.filter((c) => c.Properties.FunctionName.Ref === fnId)).toEqual([]);
    },
  );
});

describe('notice functions: environment', () => {
  const variables = (name: Name) => properties(functions[name])?.Environment.Variables;

  test('acknowledge: sender, CA name, configuration set, CPR addresses, cases table', () => {
    expect(variables('acknowledge')).toMatchObject({
      [ENV.senderAddress]: config.senderAddress,
      [ENV.caName]: config.caName,
      [ENV.configurationSet]: { Ref: ids.configSet },
      [ENV.cprAddresses]: config.cprAddresses.join(','),
      [ENV.casesTable]: { Ref: ids.cases },
    });
  });

  test('notify-team: team topic, cases table and the inbound bucket name', () => {
    expect(variables('notifyTeam')).toMatchObject({
      [ENV.teamTopicArn]: topicRef('team'),
      [ENV.casesTable]: { Ref: ids.cases },
      [ENV.inboundBucket]: { Ref: ids.bucket },
    });
  });

  test('checkpoint: the three alert topics and the cases table', () => {
    expect(variables('checkpoint')).toMatchObject({
      [ENV.teamTopicArn]: topicRef('team'),
      [ENV.escalationTopicArn]: topicRef('escalation'),
      [ENV.pagerTopicArn]: topicRef('pager'),
      [ENV.casesTable]: { Ref: ids.cases },
    });
  });

  test('delivery-events: team and pager topics and the cases table', () => {
    expect(variables('deliveryEvents')).toMatchObject({
      [ENV.teamTopicArn]: topicRef('team'),
      [ENV.pagerTopicArn]: topicRef('pager'),
      [ENV.casesTable]: { Ref: ids.cases },
    });
    expect(variables('deliveryEvents')[ENV.escalationTopicArn]).toBeUndefined();
  });
});

describe('notice functions: least privilege', () => {
  test.each(NAMES)('%s: no wildcard action (no sns:*, ses:*, dynamodb:*)', (name) => {
    for (const action of actionsFor(name)) expect(action).not.toContain('*');
  });

  test.each(NAMES)('%s: Resource "*" for the X-Ray actions only', (name) => {
    const anywhere = statementsOf(name).filter((s) => resourcesOf(s).includes('*'));
    expect(anywhere.flatMap(actionsOf).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  // Each reads a case and writes it back version-checked (PutItem), records outbound messages
  // (PutItem, attribute_not_exists): no UpdateItem, no batches. The checkpoint also lists a
  // case's revocation obligations (Query) and reads the inventory, by key and by its serial and
  // SPKI indexes: certificates on a blocked key become obligations. (The audit table's grants:
  // audit-table.test.ts.)
  test.each(NAMES)(
    '%s: single items of its tables, read and put; the checkpoint also queries',
    (name) => {
      const audit = JSON.stringify({ 'Fn::GetAtt': [logicalId(stack, stack.store.audit), 'Arn'] });
      const resources = resourcesFor(name, 'dynamodb:').filter((r) => JSON.stringify(r) !== audit);
      if (name === 'checkpoint') {
        const inventory = logicalId(stack, stack.store.inventory);
        expect(resources).toHaveLength(4);
        expect(resources).toContainEqual({ 'Fn::GetAtt': [ids.cases, 'Arn'] });
        expect(resources).toContainEqual({ 'Fn::GetAtt': [inventory, 'Arn'] });
        const indexes = JSON.stringify(resources);
        expect(indexes).toContain(`/index/${INVENTORY_TABLE_SCHEMA.bySha256Index.name}`);
        expect(indexes).toContain(`/index/${INVENTORY_TABLE_SCHEMA.bySpkiIndex.name}`);
        // The inventory itself only by key (its issuer list, its matches), never queried.
        const inventoryArn = JSON.stringify({ 'Fn::GetAtt': [inventory, 'Arn'] });
        const onInventory = statementsOf(name).filter((s) =>
          resourcesOf(s).some((r) => JSON.stringify(r) === inventoryArn),
        );
        expect(onInventory.flatMap(actionsOf).sort()).toEqual([
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
        ]);
      } else {
        expect(resources).toEqual([{ 'Fn::GetAtt': [ids.cases, 'Arn'] }]);
      }
      expect(
        [...new Set(actionsFor(name).filter((a) => a.startsWith('dynamodb:')))].sort(),
      ).toEqual(
        name === 'checkpoint'
          ? ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']
          : ['dynamodb:GetItem', 'dynamodb:PutItem'],
      );
    },
  );

  test.each(NAMES.filter((n) => n !== 'checkpoint'))(
    '%s: no S3 access (the bucket name is for links only)',
    (name) => {
      expect(actionsFor(name).filter((a) => a.startsWith('s3:'))).toEqual([]);
    },
  );

  test('checkpoint: reads only the evidence files, writes only the blocklist object', () => {
    const s3 = statementsOf('checkpoint').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('s3:')),
    );
    const get = s3.filter((s) => actionsOf(s).includes('s3:GetObject')).flatMap(resourcesOf);
    const put = s3.filter((s) => actionsOf(s).includes('s3:PutObject')).flatMap(resourcesOf);
    expect(get).toEqual([objectArn(ids.bucket, `/${EVIDENCE_PREFIX}*`)]);
    expect(put).toEqual([objectArn(ids.bucket, `/${BLOCKLIST_PREFIX}*`)]);
    expect(
      s3
        .flatMap(actionsOf)
        .filter((a) => !['s3:GetObject', 's3:PutObject', 's3:ListBucket'].includes(a)),
    ).toEqual([]);
  });

  test('acknowledge sends only as the sender identities, only through the configuration set', () => {
    const domain = config.senderAddress.split('@')[1];
    expect(
      actionsFor('acknowledge')
        .filter((a) => a.startsWith('ses:'))
        .sort(),
      // SES v2 SendEmail is authorized as ses:SendEmail for any content; SendRawEmail is v1.
    ).toEqual(['ses:SendEmail']);
    const resources = resourcesFor('acknowledge', 'ses:');
    expect(resources).toHaveLength(3);
    // And only with the configured sender as From, not any address of the verified domain.
    const send = statementsOf('acknowledge').filter((st) =>
      actionsOf(st).includes('ses:SendEmail'),
    );
    expect(send).toHaveLength(1);
    expect(send[0]?.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': config.senderAddress },
    });
    expect(resources).toEqual(
      expect.arrayContaining([
        sesArn(`identity/${domain}`),
        sesArn(`identity/${config.senderAddress}`),
        sesArn({ Ref: ids.configSet }),
      ]),
    );
  });

  test.each([
    ['acknowledge', []],
    ['notifyTeam', ['team']],
    ['checkpoint', ['team', 'escalation', 'pager']],
    ['deliveryEvents', ['team', 'pager']],
  ] as const)('%s publishes to exactly %j', (name, topics) => {
    expect(actionsFor(name).filter((a) => a.startsWith('sns:'))).toEqual(
      topics.length > 0 ? ['sns:Publish'] : [],
    );
    const published = resourcesFor(name, 'sns:');
    expect(published).toHaveLength(topics.length);
    expect(published).toEqual(expect.arrayContaining(topics.map(topicRef)));
  });

  test.each(['notifyTeam', 'checkpoint', 'deliveryEvents'] as const)(
    '%s uses the topic key only through SNS, for data keys and decrypt',
    (name) => {
      const kms = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
      // The checkpoint also uses the mail key, through S3 only (evidence and the blocklist copy).
      const viaS3 = kms.filter((s) => JSON.stringify(s.Condition).includes('s3.'));
      expect(viaS3).toHaveLength(name === 'checkpoint' ? 1 : 0);
      for (const s of viaS3) {
        expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      }
      kms.splice(0, kms.length, ...kms.filter((s) => !viaS3.includes(s)));
      expect(kms).toHaveLength(1);
      expect(actionsOf(kms[0]!).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(kms[0]?.Resource).toEqual({ 'Fn::GetAtt': [ids.key, 'Arn'] });
      expect(kms[0]?.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      });
    },
  );

  test.each(['notifyTeam', 'checkpoint', 'deliveryEvents'] as const)('%s sends no mail', (name) => {
    expect(actionsFor(name).filter((a) => a.startsWith('ses:'))).toEqual([]);
  });
});
