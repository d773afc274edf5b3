/**
 * The scheduled verifier as synthesized: its schedule, a role with only what a round needs, and
 * the issuers it (and intake) find next to their code.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../infra/config.ts';
import { bundledFilePath, bundledFilesHook } from '../../infra/constructs/cpr-function.ts';
import { ISSUERS_FILE_NAME, issuersFile } from '../../infra/constructs/issuers.ts';
import { VERIFY_INTERVAL_MINUTES } from '../../infra/constructs/revocation-verifier.ts';
import { CASES_TABLE_SCHEMA } from '../../lambdas/adapters/dynamo/schema.ts';
import { readIssuersFile } from '../../lambdas/adapters/fs/issuers-file.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import * as infra from './support.ts';

const { actionsOf, buildApp, logicalId, resourcesOf, roleStatements, sampleRawConfig } = infra;

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/pki/${name}`, import.meta.url), 'utf8');
const ISSUERS = [
  {
    name: 'Example Intermediate',
    certificate: fixture('intermediate-ca.pem'),
    ocspUrl: 'http://ocsp.ca.example/',
    crlUrl: 'http://crl.ca.example/intermediate.crl',
  },
];

const { stack, template } = buildApp({ issuers: ISSUERS });
const verifier = stack.verifier.function;
const fnId = logicalId(stack, verifier.fn);
const roleId = logicalId(stack, verifier.role);
const idOf = (construct: { node: { defaultChild?: unknown } }) => logicalId(stack, construct);
const ids = {
  cases: idOf(stack.store.cases),
  audit: idOf(stack.store.audit),
  team: idOf(stack.alerts.team),
  pager: idOf(stack.alerts.pager),
  topicKey: idOf(stack.alerts.key),
  queue: idOf(verifier.failureQueue as never),
  scheduleRole: idOf(stack.verifier.scheduleRole),
};
const statements = roleStatements(template, roleId);
const variables = (id: string) =>
  template.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables as Record<
    string,
    unknown
  >;

describe('verifier schedule', () => {
  test(`EventBridge Scheduler invokes the verifier every ${VERIFY_INTERVAL_MINUTES} minutes`, () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: `rate(${VERIFY_INTERVAL_MINUTES} minutes)`,
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [ids.scheduleRole, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
        RetryPolicy: {
          MaximumEventAgeInSeconds: VERIFY_INTERVAL_MINUTES * 60,
          MaximumRetryAttempts: 2,
        },
      }),
    });
  });

  test('one round at a time, and a stale retry expires after one interval', () => {
    expect(template.findResources('AWS::Lambda::Function')[fnId]?.Properties).toMatchObject({
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumEventAgeInSeconds: VERIFY_INTERVAL_MINUTES * 60,
    });
  });

  test("the schedule's role may invoke the verifier (and reach its failure queue), nothing else", () => {
    const trust =
      template.findResources('AWS::IAM::Role')[ids.scheduleRole]?.Properties
        .AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([
      expect.objectContaining({
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
    const own = roleStatements(template, ids.scheduleRole);
    expect([...new Set(own.flatMap(actionsOf))].sort()).toEqual([
      'lambda:InvokeFunction',
      'sqs:SendMessage',
    ]);
    const invoke = own.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke.flatMap(resourcesOf))).not.toMatch(/"\*"/);
    for (const r of invoke.flatMap(resourcesOf)) expect(JSON.stringify(r)).toContain(fnId);
  });
});

describe('verifier role', () => {
  const actions = [...new Set(statements.flatMap(actionsOf))].sort();

  test('cases table: items by key, guarded puts, Query of a case and of the open-case index; audit events appended', () => {
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    const resources = dynamo.flatMap(resourcesOf);
    expect(resources).toContainEqual({ 'Fn::GetAtt': [ids.cases, 'Arn'] });
    // The audit table: only what appending needs (the append-only level of every writer).
    const onAudit = dynamo.filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r).includes(ids.audit)),
    );
    expect(onAudit.flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(JSON.stringify(resources)).toContain(
      `/index/${CASES_TABLE_SCHEMA.openByDeadlineIndex.name}`,
    );
    // Nothing of the inventory: obligations are kept in step by the checkpoint, not here.
    expect(JSON.stringify(resources)).not.toContain(logicalId(stack, stack.store.inventory));
    expect(resources).toHaveLength(3);
  });

  test('publishes to the team and pager topics only; no S3, no mail, no other service', () => {
    const publish = statements.filter((s) => actionsOf(s).includes('sns:Publish'));
    const published = publish.flatMap(resourcesOf);
    expect(published).toHaveLength(2);
    expect(published).toEqual(expect.arrayContaining([{ Ref: ids.team }, { Ref: ids.pager }]));
    expect(actions.filter((a) => !/^(dynamodb|sns|kms|logs|xray|sqs):/.test(a))).toEqual([]);
    // SQS only to hand a failed event to its own failure queue (the on-failure destination).
    const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(resourcesOf)).toEqual([{ 'Fn::GetAtt': [ids.queue, 'Arn'] }]);
    expect(actions.filter((a) => a.startsWith('s3:') || a.startsWith('ses:'))).toEqual([]);
    // KMS only for the topics' key, through SNS.
    const kms = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    for (const s of kms) expect(JSON.stringify(s)).toContain(ids.topicKey);
  });

  test('reads the issuers from the file bundled with its code, as intake does', () => {
    const path = bundledFilePath(ISSUERS_FILE_NAME);
    expect(variables(fnId)).toMatchObject({
      [ENV.casesTable]: { Ref: ids.cases },
      [ENV.auditTable]: { Ref: ids.audit },
      [ENV.teamTopicArn]: { Ref: ids.team },
      [ENV.pagerTopicArn]: { Ref: ids.pager },
      [ENV.issuersFile]: path,
    });
    expect(variables(logicalId(stack, stack.intake.function.fn))).toMatchObject({
      [ENV.issuersFile]: path,
    });
  });

  test('without issuers configured, no function is told of a file that is not there', () => {
    const plain = buildApp();
    const fns = plain.template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(fns)) {
      expect(fn.Properties.Environment?.Variables?.[ENV.issuersFile]).toBeUndefined();
    }
  });
});

describe('issuers in the configuration', () => {
  test('the bundling hook writes the configured issuers where the functions read them', () => {
    const config = parseConfig(sampleRawConfig({ issuers: ISSUERS }));
    const hook = bundledFilesHook('test', issuersFile(config.issuers));
    const out = mkdtempSync(join(tmpdir(), 'cpr-bundle-out-'));
    for (const command of hook.afterBundling('/input', out)) {
      execFileSync('bash', ['-c', command]);
    }
    const read = readIssuersFile(join(out, ISSUERS_FILE_NAME));
    expect(read.map((i) => [i.name, i.ocspUrl, i.crlUrl])).toEqual([
      ['Example Intermediate', ISSUERS[0]!.ocspUrl, ISSUERS[0]!.crlUrl],
    ]);
    expect(read[0]!.certificate.ca).toBe(true);
  });

  test.each([
    [
      'a certificate that is not a CA',
      [{ ...ISSUERS[0], certificate: fixture('leaf-ec.pem') }],
      'cpr.issuers: issuers[0] (Example Intermediate): certificate is not a CA',
    ],
    [
      'an unreadable certificate',
      [
        {
          ...ISSUERS[0],
          certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        },
      ],
      'certificate is not readable',
    ],
    [
      'an OCSP URL that is not http(s)',
      [{ ...ISSUERS[0], ocspUrl: 'ldap://x.example/' }],
      'ocspUrl',
    ],
    ['an entry without a name', [{ certificate: ISSUERS[0]!.certificate }], 'cpr.issuers.0.name'],
  ])('%s fails synth, naming the entry', (_what, issuers, message) => {
    expect(() => parseConfig(sampleRawConfig({ issuers }))).toThrow(message);
  });

  test('a bundled file name that a shell or a path could misread is refused', () => {
    for (const name of ['../issuers.json', 'a b', '$(id)', '']) {
      expect(() =>
        bundledFilesHook('test', [{ name, content: '[]', envName: ENV.issuersFile }]),
      ).toThrow('not a plain file name');
    }
  });
});
