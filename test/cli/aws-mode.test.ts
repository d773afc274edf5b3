/**
 * `--stack NAME --region R`: the deployment comes from CloudFormation's DescribeStacks and the
 * actor from STS GetCallerIdentity, through the real SDK clients. Both answer here from a loopback
 * Query-protocol endpoint (the SDK's own AWS_ENDPOINT_URL_* variables point at it, as they point
 * the other clients at the stand-ins), so the whole AWS path runs without an account.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STACK_OUTPUTS } from '../../infra/stacks/cpr-intake-stack.ts';
import { type CliEnv, cliEnv } from './support.ts';

/** A command line's words, as a shell would split them (no quoting needed here). */
const argv = (line: string) => line.split(' ');

const CALLER = 'arn:aws:sts::123456789012:assumed-role/CprCompliance/alice';
const SAVED = [
  'AWS_ENDPOINT_URL_CLOUDFORMATION',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_LAMBDA',
] as const;

let env: CliEnv;
let server: Server;
const saved: Record<string, string | undefined> = {};

function xml(action: string, result: string): string {
  const ns =
    action === 'GetCallerIdentity'
      ? 'https://sts.amazonaws.com/doc/2011-06-15/'
      : 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
  return `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;
}

beforeAll(async () => {
  env = await cliEnv();
  const d = env.deployment;
  const outputs: Record<string, string> = {
    [STACK_OUTPUTS.inboundBucket]: d.inboundBucket,
    [STACK_OUTPUTS.keyPrefixes]: JSON.stringify({
      inbound: d.inboundPrefix,
      evidence: d.evidencePrefix,
    }),
    [STACK_OUTPUTS.casesTable]: d.casesTable,
    [STACK_OUTPUTS.auditTable]: d.auditTable,
    [STACK_OUTPUTS.inventoryTable]: d.inventoryTable,
    [STACK_OUTPUTS.deadlineStateMachine]: d.stateMachineArn,
    [STACK_OUTPUTS.intakeFunction]: d.intakeFunction,
    [STACK_OUTPUTS.configurationSet]: 'cpr-notices',
  };
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    res.setHeader('content-type', 'text/xml');
    if (form.get('Action') === 'GetCallerIdentity') {
      return res.end(
        xml(
          'GetCallerIdentity',
          `<Arn>${CALLER}</Arn><UserId>AROA:alice</UserId><Account>123456789012</Account>`,
        ),
      );
    }
    if (form.get('StackName') !== 'CprIntake') {
      res.statusCode = 400;
      return res.end(
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${form.get('StackName')} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      );
    }
    const members = Object.entries(outputs)
      .map(
        ([k, v]) =>
          `<member><OutputKey>${k}</OutputKey><OutputValue>${v.replaceAll('"', '&quot;')}</OutputValue></member>`,
      )
      .join('');
    res.end(
      xml(
        'DescribeStacks',
        `<Stacks><member><StackName>CprIntake</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/CprIntake/1</StackId><CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks>`,
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const k of SAVED) saved[k] = process.env[k];
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = url;
  process.env.AWS_ENDPOINT_URL_STS = url;
  process.env.AWS_ENDPOINT_URL_LAMBDA = d.endpoints?.lambda;
});
afterAll(async () => {
  for (const k of SAVED) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await env?.stop();
});

describe('cpr against a deployed stack', () => {
  test('resources from the stack outputs, the person from STS', async () => {
    env.now = new Date();
    const aws = ['--stack', 'CprIntake', '--region', 'us-east-1'];
    const [r] = await env.runJson<{ caseId: string }[]>(
      ...argv(`ingest test/fixtures/mail/cpr-quoted-reply.eml`),
      ...aws,
    );
    const listed = await env.runJson<{ id: string }[]>('list', '--open', ...aws);
    expect(listed.map((c) => c.id)).toContain(r!.caseId);
    const noticed = await env.runJson<{ notice: { actor: string } }>(
      ...argv(`notice`),
      r!.caseId,
      ...argv(`--to reporter --sent --note phoned`),
      ...aws,
    );
    expect(noticed.notice.actor).toBe(CALLER);
  });

  test('an unknown stack is named, exit 1', async () => {
    const r = await env.run('list', '--stack', 'Nope', '--region', 'us-east-1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stack Nope: Stack with id Nope does not exist');
  });
});
