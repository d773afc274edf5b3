import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { deploymentFromOutputs } from '../../cli/deployment.ts';
import { STACK_OUTPUTS } from '../../infra/stack-outputs.ts';
import { STACK_OUTPUTS as REEXPORTED } from '../../infra/stacks/cpr-intake-stack.ts';
import { buildApp, logicalId } from './support.ts';

const { stack, template, config } = buildApp();
const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

/** An output's value with every CloudFormation reference replaced by `<LogicalId>` or `<Pseudo>`. */
function resolved(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `<${String(v.Ref).replace(/^AWS::/, '')}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolved).join(sep);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}
const value = (key: keyof typeof STACK_OUTPUTS) => resolved(outputs[STACK_OUTPUTS[key]]?.Value);

describe('stack outputs (the contract tools find resources by)', () => {
  test('every declared output is there, and nothing else', () => {
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
  });

  test('the keys live in a module without CDK, re-exported by the stack for old importers', () => {
    const source = readFileSync(new URL('../../infra/stack-outputs.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/from ['"]aws-cdk-lib|from ['"]constructs/);
    expect(REEXPORTED).toBe(STACK_OUTPUTS);
  });

  test.each([
    ['teamTopic', () => ({ Ref: logicalId(stack, stack.alerts.team) })],
    ['escalationTopic', () => ({ Ref: logicalId(stack, stack.alerts.escalation) })],
    ['pagerTopic', () => ({ Ref: logicalId(stack, stack.alerts.pager) })],
    ['deliveryEventsTopic', () => ({ Ref: logicalId(stack, stack.delivery.eventsTopic) })],
    ['configurationSet', () => ({ Ref: logicalId(stack, stack.delivery.configurationSet) })],
    ['acknowledgeFunction', () => ({ Ref: logicalId(stack, stack.tasks.acknowledge.fn) })],
    ['notifyTeamFunction', () => ({ Ref: logicalId(stack, stack.tasks.notifyTeam.fn) })],
    ['checkpointFunction', () => ({ Ref: logicalId(stack, stack.tasks.checkpoint.fn) })],
    ['deliveryEventsFunction', () => ({ Ref: logicalId(stack, stack.delivery.eventsFunction.fn) })],
    ['canaryFunction', () => ({ Ref: logicalId(stack, stack.canary.function.fn) })],
    ['evidenceBucket', () => ({ Ref: logicalId(stack, stack.mail.bucket) })],
    ['archiveBucket', () => ({ Ref: logicalId(stack, stack.archive.bucket) })],
    ['blocklistBucket', () => ({ Ref: logicalId(stack, stack.blocklist.bucket) })],
    ['dashboard', () => ({ Ref: logicalId(stack, stack.dashboard.dashboard) })],
  ] as const)('%s names the deployed resource', (key, expected) => {
    expect(outputs[STACK_OUTPUTS[key]]?.Value).toEqual(expected());
  });

  test('sender, CA name, CPR addresses, mail domains and rule set come from the configuration', () => {
    expect(value('senderAddress')).toBe(config.senderAddress);
    expect(value('caName')).toBe(config.caName);
    expect(JSON.parse(String(value('acknowledgmentLimits')))).toEqual(config.acknowledgmentLimits);
    expect(value('cprAddresses')).toBe(config.cprAddresses.join(','));
    expect(value('mailDomains')).toBe(config.mailDomains.join(','));
    expect(value('receiptRuleSet')).toBe(`${config.stackName}-inbound`);
  });

  test('the CLI reads the sender settings from them (cpr send against AWS)', () => {
    const flat = Object.fromEntries(
      Object.entries(outputs).map(([k, o]) => [k, resolved(o.Value)]),
    );
    const d = deploymentFromOutputs(config.stackName, 'eu-west-1', flat, STACK_OUTPUTS);
    expect(d).toMatchObject({
      senderAddress: config.senderAddress,
      caName: config.caName,
      replyTo: config.cprAddresses[0],
      evidenceBucket: `<${logicalId(stack, stack.mail.bucket)}>`,
      evidencePrefix: 'evidence/',
      inboundPrefix: config.inboundPrefix,
    });
  });
});

describe('DnsRecords', () => {
  const records = () => JSON.parse(value('dnsRecords')) as Record<string, string>[];
  const identity = logicalId(stack, stack.delivery.identity!);

  test('MX of every mail domain to SES receiving in the stack region', () => {
    expect(
      records().filter((r) => r.type === 'MX' && config.mailDomains.includes(r.name!)),
    ).toEqual(
      config.mailDomains.map((name) => ({
        name,
        type: 'MX',
        value: '10 inbound-smtp.<Region>.amazonaws.com',
      })),
    );
  });

  test('the three Easy DKIM CNAMEs of the sender domain', () => {
    expect(records().filter((r) => r.type === 'CNAME')).toEqual(
      [1, 2, 3].map((i) => ({
        name: `<${identity}.DkimDNSTokenName${i}>`,
        type: 'CNAME',
        value: `<${identity}.DkimDNSTokenValue${i}>`,
      })),
    );
  });

  test('MX and SPF of the custom MAIL FROM domain', () => {
    const mailFrom = `${config.sesIdentities.mailFromSubdomain}.${config.senderAddress.split('@')[1]}`;
    expect(records().filter((r) => r.name === mailFrom)).toEqual([
      { name: mailFrom, type: 'MX', value: '10 feedback-smtp.<Region>.amazonses.com' },
      { name: mailFrom, type: 'TXT', value: '"v=spf1 include:amazonses.com ~all"' },
    ]);
  });

  test('an identity managed elsewhere has no DKIM records here, and no identity resource', () => {
    const { template: t } = buildApp({ sesIdentities: { create: false } });
    expect(Object.keys(t.findResources('AWS::SES::EmailIdentity'))).toHaveLength(0);
    const dns = JSON.parse(resolved(t.toJSON().Outputs.DnsRecords.Value)) as { type: string }[];
    expect(dns.map((r) => r.type)).toEqual(['MX']);
  });
});
