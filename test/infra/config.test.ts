import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfig, rawConfigFromContext } from '../../infra/config.ts';
import { sampleRawConfig } from './support.ts';

function parseError(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  test('the sample in cdk.json is valid and uses the documentation domain', () => {
    const config = parseConfig(sampleRawConfig());
    expect(config.cprAddresses.length).toBeGreaterThan(0);
    for (const address of config.cprAddresses) expect(address).toMatch(/@example\.com$/);
  });

  test('fills the defaults around the one required field', () => {
    expect(parseConfig({ cprAddresses: ['cpr@example.com'] })).toEqual({
      stackName: 'CprIntake',
      cprAddresses: ['cpr@example.com'],
      inboundPrefix: '',
      deadlinePolicyVersion: 'br-2.2',
      logRetentionDays: 365,
      protection: { retainData: true, deletionProtection: true },
    });
  });

  test('lower-cases addresses, because the function compares them lower-cased', () => {
    expect(parseConfig({ cprAddresses: ['CPR@Example.COM'] }).cprAddresses).toEqual([
      'cpr@example.com',
    ]);
  });

  test('returns a frozen object, nested parts included', () => {
    const config = parseConfig({ cprAddresses: ['cpr@example.com'] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.protection)).toBe(true);
    expect(Object.isFrozen(config.cprAddresses)).toBe(true);
  });

  test('no configuration at all names both ways to give one', () => {
    expect(parseError(undefined).message).toMatch(/"cpr".*cprConfigFile/s);
  });

  test('missing cprAddresses names the field', () => {
    expect(parseError({ stackName: 'CprIntake' }).message).toContain('cpr.cprAddresses:');
  });

  test('an empty address list is refused', () => {
    expect(parseError({ cprAddresses: [] }).message).toContain(
      'cpr.cprAddresses: must list at least one address',
    );
  });

  test('a bad email names its position in the list', () => {
    expect(parseError({ cprAddresses: ['cpr@example.com', 'cpr at example'] }).message).toContain(
      'cpr.cprAddresses.1: must be an email address',
    );
  });

  test('a repeated address is refused', () => {
    expect(parseError({ cprAddresses: ['a@example.com', 'A@example.com'] }).message).toContain(
      'must not repeat an address',
    );
  });

  test('an unknown removal-protection flag is refused by name', () => {
    const error = parseError({ cprAddresses: ['cpr@example.com'], protection: { retain: false } });
    expect(error.message).toContain('cpr.protection.retain: unknown field');
  });

  test('an unknown top-level field is refused (a typo must not silently fall back)', () => {
    expect(parseError({ cprAddresses: ['cpr@example.com'], inboundPrefx: 'x/' }).message).toContain(
      'cpr.inboundPrefx: unknown field',
    );
  });

  test('a retention CloudWatch Logs does not offer is refused with the valid choices', () => {
    const message = parseError({ cprAddresses: ['cpr@example.com'], logRetentionDays: 42 }).message;
    expect(message).toContain('cpr.logRetentionDays: must be one of');
    expect(message).toContain('731');
  });

  test('an unknown deadline policy fails synth instead of every cold start', () => {
    expect(
      parseError({ cprAddresses: ['cpr@example.com'], deadlinePolicyVersion: 'br-9' }).message,
    ).toContain('cpr.deadlinePolicyVersion: must be one of: br-2.2');
  });

  test.each([
    ['inbound', 'must be empty or a path ending in "/"'],
    ['in*/', 'must be empty or a path ending in "/"'],
    ['evidence/inbound/', 'must not be inside "evidence/"'],
  ])('inbound prefix %j is refused', (inboundPrefix, message) => {
    expect(parseError({ cprAddresses: ['cpr@example.com'], inboundPrefix }).message).toContain(
      `cpr.inboundPrefix: ${message}`,
    );
  });

  test('a stack name CloudFormation would refuse is refused', () => {
    expect(
      parseError({ cprAddresses: ['cpr@example.com'], stackName: '1st_stack' }).message,
    ).toContain('cpr.stackName:');
  });

  test('reports every bad field at once', () => {
    const message = parseError({ cprAddresses: ['nope'], logRetentionDays: 2 }).message;
    expect(message).toContain('cpr.cprAddresses.0');
    expect(message).toContain('cpr.logRetentionDays');
  });
});

describe('rawConfigFromContext', () => {
  const file = JSON.stringify({ cprAddresses: ['file@example.com'] });

  test('a config file wins over the inline object', () => {
    const raw = rawConfigFromContext(
      { cprAddresses: ['inline@example.com'] },
      'c.json',
      () => file,
    );
    expect(parseConfig(raw).cprAddresses).toEqual(['file@example.com']);
  });

  test('the inline object is used as is', () => {
    const inline = { cprAddresses: ['inline@example.com'] };
    expect(rawConfigFromContext(inline, undefined)).toBe(inline);
  });

  test("-c cpr='{...}' arrives as a string and is parsed", () => {
    expect(rawConfigFromContext(file, undefined)).toEqual({ cprAddresses: ['file@example.com'] });
  });

  test('an unreadable file is a ConfigError naming the file', () => {
    const read = () => {
      throw new Error('ENOENT');
    };
    expect(() => rawConfigFromContext(undefined, 'missing.json', read)).toThrow(
      /cprConfigFile: cannot read missing\.json/,
    );
  });

  test('a file that is not JSON is a ConfigError', () => {
    expect(() => rawConfigFromContext(undefined, 'c.json', () => '{')).toThrow(ConfigError);
  });
});
