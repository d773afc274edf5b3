/** The canary's cold start: configuration from the environment, the secret read once. */
import { describe, expect, test } from 'vitest';
import { cachedSecret } from '../../../lambdas/adapters/secrets.ts';
import { readCanaryConfig } from '../../../lambdas/canary/config.ts';

const ENV = {
  CASES_TABLE: 'cases',
  SES_CONFIGURATION_SET: 'notices',
  CANARY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:canary-AbCdEf',
  TEAM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:team',
  ESCALATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:escalation',
  PAGER_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:pager',
  SENDER_ADDRESS: 'cpr@ca.example',
  CPR_ADDRESSES: 'CPR@ca.example,revoke@ca.example',
  RECEIPT_RULE_SET_NAME: 'CprIntake-inbound',
  CANARY_INTERVAL_MINUTES: '15',
  AWS_REGION: 'eu-west-1',
};

describe('readCanaryConfig', () => {
  test('reads everything the run needs; the canary writes to the first CPR address', () => {
    const config = readCanaryConfig(ENV);
    expect(config.secret).toEqual({ kind: 'secretsManager', secretArn: ENV.CANARY_SECRET_ARN });
    expect(config.settings).toEqual({
      from: 'cpr@ca.example',
      to: 'cpr@ca.example',
      expectedRuleSet: 'CprIntake-inbound',
      intervalMinutes: 15,
      region: 'eu-west-1',
    });
    expect(config.topics.pager).toBe(ENV.PAGER_TOPIC_ARN);
  });

  test('the local stack gives the key itself', () => {
    const { CANARY_SECRET_ARN: _, ...local } = ENV;
    expect(readCanaryConfig({ ...local, CANARY_SECRET: 'k'.repeat(64) }).secret).toEqual({
      kind: 'plain',
      secret: 'k'.repeat(64),
    });
  });

  test('no key at all fails the cold start, naming both variables', () => {
    const { CANARY_SECRET_ARN: _, ...none } = ENV;
    expect(() => readCanaryConfig(none)).toThrow(
      /neither CANARY_SECRET_ARN nor CANARY_SECRET is set/,
    );
  });

  test.each([
    'RECEIPT_RULE_SET_NAME',
    'PAGER_TOPIC_ARN',
    'CASES_TABLE',
    'CANARY_INTERVAL_MINUTES',
  ] as const)('a missing %s fails the cold start by name', (name) => {
    const { [name]: _, ...rest } = ENV;
    expect(() => readCanaryConfig(rest)).toThrow(new RegExp(name));
  });

  test('an interval that is not a whole number of minutes is refused', () => {
    expect(() => readCanaryConfig({ ...ENV, CANARY_INTERVAL_MINUTES: 'soon' })).toThrow(
      /CANARY_INTERVAL_MINUTES must be a whole number/,
    );
  });
});

describe('cachedSecret', () => {
  test('reads Secrets Manager once per container', async () => {
    let reads = 0;
    const secret = cachedSecret({ kind: 'secretsManager', secretArn: 'arn:x' }, async () => {
      reads += 1;
      return 'k'.repeat(64);
    });
    expect(await secret()).toBe('k'.repeat(64));
    expect(await secret()).toBe('k'.repeat(64));
    expect(reads).toBe(1);
  });

  test('a failed read is not cached: the next run tries again', async () => {
    let reads = 0;
    const secret = cachedSecret({ kind: 'secretsManager', secretArn: 'arn:x' }, async () => {
      reads += 1;
      if (reads === 1) throw new Error('Throttling');
      return 'k'.repeat(64);
    });
    await expect(secret()).rejects.toThrow('Throttling');
    expect(await secret()).toBe('k'.repeat(64));
  });
});
