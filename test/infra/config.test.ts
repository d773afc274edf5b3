import { describe, expect, test } from 'vitest';
import { ConfigError, parseConfig, rawConfigFromContext } from '../../infra/config.ts';
import { SAMPLE_INVENTORY_IMPORT, sampleRawConfig } from './support.ts';

/** The smallest valid configuration: the two required fields. */
const MINIMAL = { cprAddresses: ['cpr@example.com'], senderAddress: 'cpr@example.com' } as const;

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
  test('the sample in cdk.json is valid and uses the documentation domain and numbers', () => {
    const config = parseConfig(sampleRawConfig());
    expect(config.cprAddresses.length).toBeGreaterThan(0);
    for (const address of config.cprAddresses) expect(address).toMatch(/@example\.com$/);
    expect(config.senderAddress).toMatch(/@example\.com$/);
    const subscriptions = Object.values(config.subscriptions).flat();
    // The sample shows every protocol, each with a reserved example endpoint.
    expect(new Set(subscriptions.map((s) => s.protocol))).toEqual(
      new Set(['email', 'https', 'sms']),
    );
    for (const { protocol, endpoint } of subscriptions) {
      if (protocol === 'sms') expect(endpoint).toMatch(/^\+1555555010\d$/);
      else expect(endpoint).toMatch(/[@.]example\.com(\/|$)/);
    }
  });

  test('fills the defaults around the two required fields', () => {
    expect(parseConfig(MINIMAL)).toEqual({
      stackName: 'CprIntake',
      mailDomains: ['example.com'],
      cprAddresses: ['cpr@example.com'],
      senderAddress: 'cpr@example.com',
      caName: 'Example CA',
      subscriptions: { team: [], escalation: [], pager: [] },
      inboundPrefix: '',
      deadlinePolicyVersion: 'br-2.2',
      logRetentionDays: 731,
      protection: { retainData: true, deletionProtection: true },
      sesIdentities: { create: true },
      retentionYears: 2,
      canaryIntervalMinutes: 15,
      activateRuleSet: true,
      acknowledgmentLimits: { perAddress: 3, perDomain: 20, windowHours: 24 },
      issuers: [],
    });
  });

  test('acknowledgment limits: defaults for what is left out, refused when out of bounds', () => {
    expect(
      parseConfig({ ...MINIMAL, acknowledgmentLimits: { perDomain: 50 } }).acknowledgmentLimits,
    ).toEqual({ perAddress: 3, perDomain: 50, windowHours: 24 });
    expect(() => parseConfig({ ...MINIMAL, acknowledgmentLimits: { perAddress: 0 } })).toThrow(
      /acknowledgmentLimits\.perAddress: must be at least 1/,
    );
    expect(() => parseConfig({ ...MINIMAL, acknowledgmentLimits: { perhour: 1 } })).toThrow(
      /unknown field/,
    );
  });

  test('lower-cases addresses, because the function compares them lower-cased', () => {
    expect(parseConfig({ ...MINIMAL, cprAddresses: ['CPR@Example.COM'] }).cprAddresses).toEqual([
      'cpr@example.com',
    ]);
  });

  test('returns a frozen object, nested parts included', () => {
    const config = parseConfig(MINIMAL);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.protection)).toBe(true);
    expect(Object.isFrozen(config.cprAddresses)).toBe(true);
    expect(Object.isFrozen(config.subscriptions.team)).toBe(true);
  });

  test('no configuration at all names both ways to give one', () => {
    expect(parseError(undefined).message).toMatch(/"cpr".*cprConfigFile/s);
  });

  test('missing cprAddresses names the field', () => {
    expect(parseError({ senderAddress: 'cpr@example.com' }).message).toContain('cpr.cprAddresses:');
  });

  test('an empty address list is refused', () => {
    expect(parseError({ ...MINIMAL, cprAddresses: [] }).message).toContain(
      'cpr.cprAddresses: must list at least one address',
    );
  });

  test('a bad email names its position in the list', () => {
    expect(
      parseError({ ...MINIMAL, cprAddresses: ['cpr@example.com', 'cpr at example'] }).message,
    ).toContain('cpr.cprAddresses.1: must be an email address');
  });

  test('a repeated address is refused', () => {
    expect(
      parseError({ ...MINIMAL, cprAddresses: ['a@example.com', 'A@example.com'] }).message,
    ).toContain('must not repeat an address');
  });

  test('an unknown removal-protection flag is refused by name', () => {
    const error = parseError({ ...MINIMAL, protection: { retain: false } });
    expect(error.message).toContain('cpr.protection.retain: unknown field');
  });

  test('an unknown top-level field is refused (a typo must not silently fall back)', () => {
    expect(parseError({ ...MINIMAL, inboundPrefx: 'x/' }).message).toContain(
      'cpr.inboundPrefx: unknown field',
    );
  });

  test('log retention is at least 2 years by default and cannot be set shorter (BR 5.4.3)', () => {
    expect(parseConfig(MINIMAL).logRetentionDays).toBe(731);
    expect(parseConfig({ ...MINIMAL, logRetentionDays: 1827 }).logRetentionDays).toBe(1827);
    expect(parseError({ ...MINIMAL, logRetentionDays: 365 }).message).toContain(
      'cpr.logRetentionDays: must be at least 731 days (BR 5.4.3',
    );
  });

  test('a retention CloudWatch Logs does not offer is refused with the valid choices', () => {
    const message = parseError({ ...MINIMAL, logRetentionDays: 42 }).message;
    expect(message).toContain('cpr.logRetentionDays: must be one of');
    expect(message).toContain('731');
  });

  test('an unknown deadline policy fails synth instead of every cold start', () => {
    expect(parseError({ ...MINIMAL, deadlinePolicyVersion: 'br-9' }).message).toContain(
      'cpr.deadlinePolicyVersion: must be one of: br-2.2',
    );
  });

  test.each([
    ['inbound', 'must be empty or a path ending in "/"'],
    ['in*/', 'must be empty or a path ending in "/"'],
    ['evidence/inbound/', 'must not be inside "evidence/"'],
  ])('inbound prefix %j is refused', (inboundPrefix, message) => {
    expect(parseError({ ...MINIMAL, inboundPrefix }).message).toContain(
      `cpr.inboundPrefix: ${message}`,
    );
  });

  test('a stack name CloudFormation would refuse is refused', () => {
    expect(parseError({ ...MINIMAL, stackName: '1st_stack' }).message).toContain('cpr.stackName:');
  });

  test('reports every bad field at once', () => {
    const message = parseError({ ...MINIMAL, cprAddresses: ['nope'], logRetentionDays: 2 }).message;
    expect(message).toContain('cpr.cprAddresses.0');
    expect(message).toContain('cpr.logRetentionDays');
  });
});

describe('parseConfig: notices and alerts', () => {
  const withSubscriptions = (subscriptions: unknown) => ({ ...MINIMAL, subscriptions });

  test('a missing sender address says what it is for', () => {
    expect(parseError({ cprAddresses: ['cpr@example.com'] }).message).toContain(
      'cpr.senderAddress: is required: the verified SES identity',
    );
  });

  test('a sender that is no email address is refused; a valid one is lower-cased', () => {
    expect(parseError({ ...MINIMAL, senderAddress: 'example.com' }).message).toContain(
      'cpr.senderAddress: must be an email address',
    );
    expect(parseConfig({ ...MINIMAL, senderAddress: 'CPR@Example.com' }).senderAddress).toBe(
      'cpr@example.com',
    );
  });

  test.each([
    ['', 'must not be empty'],
    ['Example CA\r\nBcc: someone@example.net', 'must not contain control characters'],
    ['x'.repeat(101), 'must be at most 100 characters'],
  ])('CA name %j is refused (it goes into mail headers)', (caName, message) => {
    expect(parseError({ ...MINIMAL, caName }).message).toContain(`cpr.caName: ${message}`);
  });

  test('one subscription of each protocol is accepted, an email one lower-cased', () => {
    const config = parseConfig(
      withSubscriptions({
        team: [{ protocol: 'email', endpoint: 'PKI@example.com' }],
        escalation: [{ protocol: 'https', endpoint: 'https://hooks.example.com/cpr?x=1' }],
        pager: [{ protocol: 'sms', endpoint: '+15555550100' }],
      }),
    );
    expect(config.subscriptions).toEqual({
      team: [{ protocol: 'email', endpoint: 'pki@example.com' }],
      escalation: [{ protocol: 'https', endpoint: 'https://hooks.example.com/cpr?x=1' }],
      pager: [{ protocol: 'sms', endpoint: '+15555550100' }],
    });
  });

  test('a topic left out has no subscribers', () => {
    const config = parseConfig(withSubscriptions({ pager: [] }));
    expect(config.subscriptions).toEqual({ team: [], escalation: [], pager: [] });
  });

  test.each([
    [{ protocol: 'email', endpoint: 'pki team' }, 'team.0.endpoint: must be an email address'],
    [{ protocol: 'https', endpoint: 'http://hooks.example.com/' }, 'must be an https:// URL'],
    [{ protocol: 'https', endpoint: 'https://localhost/hook' }, 'must be an https:// URL'],
    [
      { protocol: 'https', endpoint: 'https://user:secret@hooks.example.com/' },
      'team.0.endpoint: must not contain credentials',
    ],
    [{ protocol: 'sms', endpoint: '0555 555 0100' }, 'must be a phone number in E.164 form'],
    [
      { protocol: 'fax', endpoint: '+15555550100' },
      'team.0.protocol: must be one of: email, https, sms',
    ],
    [{ protocol: 'email', endpoint: 'a@example.com', filter: 'x' }, 'team.0.filter: unknown field'],
  ])('subscription %j is refused', (subscription, message) => {
    expect(parseError(withSubscriptions({ team: [subscription] })).message).toContain(message);
  });

  test('an unknown topic is refused by name', () => {
    expect(parseError(withSubscriptions({ teams: [] })).message).toContain(
      'cpr.subscriptions.teams: unknown field',
    );
  });

  test('one endpoint twice on a topic is refused (removing one would unsubscribe both)', () => {
    const twice = [
      { protocol: 'email', endpoint: 'pki@example.com' },
      { protocol: 'email', endpoint: 'PKI@example.com' },
    ];
    expect(parseError(withSubscriptions({ pager: twice })).message).toContain(
      'cpr.subscriptions.pager: must not repeat an endpoint',
    );
  });
});

describe('parseConfig: mail domains', () => {
  test('the mail domain is derived from the CPR addresses when they share one', () => {
    const config = parseConfig({
      ...MINIMAL,
      cprAddresses: ['cpr@Example.com', 'revoke@example.com'],
    });
    expect(config.mailDomains).toEqual(['example.com']);
  });

  test('addresses in two domains must list both on purpose', () => {
    const twoDomains = { ...MINIMAL, cprAddresses: ['cpr@example.com', 'cpr@example.net'] };
    expect(parseError(twoDomains).message).toContain(
      'cpr.mailDomains: the CPR addresses are in several domains (example.com, example.net)',
    );
    expect(
      parseConfig({ ...twoDomains, mailDomains: ['example.com', 'Example.NET'] }).mailDomains,
    ).toEqual(['example.com', 'example.net']);
  });

  test('an address outside the listed mail domains is refused by position', () => {
    const message = parseError({
      ...MINIMAL,
      mailDomains: ['example.com'],
      cprAddresses: ['cpr@example.com', 'cpr@pki.example.com'],
    }).message;
    expect(message).toContain(
      'cpr.cprAddresses.1: cpr@pki.example.com is not in a mail domain (example.com)',
    );
  });

  test.each([
    [[], 'cpr.mailDomains: must list at least one domain'],
    [['example'], 'cpr.mailDomains.0: must be a domain name such as example.com'],
    [['example.com', 'EXAMPLE.com'], 'cpr.mailDomains: must not repeat a domain'],
  ])('mailDomains %j is refused', (mailDomains, message) => {
    expect(parseError({ ...MINIMAL, mailDomains }).message).toContain(message);
  });
});

describe('parseConfig: archive, canary, receiving, sender identity', () => {
  test.each([
    [1, 'must be at least 2 (BR 5.5'],
    [2.5, 'must be a whole number of years'],
    ['2', 'must be a whole number of years'],
    [101, "must be at most 100 (S3 Object Lock's maximum)"],
  ])('retentionYears %j is refused', (retentionYears, message) => {
    expect(parseError({ ...MINIMAL, retentionYears }).message).toContain(
      `cpr.retentionYears: ${message}`,
    );
  });

  test('a longer retention than BR 5.5 asks for is accepted', () => {
    expect(parseConfig({ ...MINIMAL, retentionYears: 7 }).retentionYears).toBe(7);
  });

  test.each([4, 7, 45, 61, 0])('canaryIntervalMinutes %j is refused', (canaryIntervalMinutes) => {
    expect(parseError({ ...MINIMAL, canaryIntervalMinutes }).message).toContain(
      'cpr.canaryIntervalMinutes: must divide an hour: one of 5, 6, 10, 12, 15, 20, 30, 60',
    );
  });

  test.each([5, 10, 30, 60])('canaryIntervalMinutes %j is accepted', (canaryIntervalMinutes) => {
    expect(parseConfig({ ...MINIMAL, canaryIntervalMinutes }).canaryIntervalMinutes).toBe(
      canaryIntervalMinutes,
    );
  });

  test('activateRuleSet must be a boolean', () => {
    expect(parseError({ ...MINIMAL, activateRuleSet: 'yes' }).message).toContain(
      'cpr.activateRuleSet:',
    );
  });

  test('an existing receipt rule set is named by a valid SES name', () => {
    expect(
      parseConfig({ ...MINIMAL, existingReceiptRuleSetName: 'default-rule-set' })
        .existingReceiptRuleSetName,
    ).toBe('default-rule-set');
    expect(parseError({ ...MINIMAL, existingReceiptRuleSetName: 'my rules' }).message).toContain(
      'cpr.existingReceiptRuleSetName: must be an SES receipt rule set name',
    );
  });

  test('a stack name too long to name the receipt rule set is refused', () => {
    expect(parseError({ ...MINIMAL, stackName: `S${'x'.repeat(56)}` }).message).toContain(
      'cpr.stackName: must be at most 56 characters (it names the SES receipt rule set)',
    );
  });

  test('the MAIL FROM subdomain is one DNS label', () => {
    expect(
      parseConfig({ ...MINIMAL, sesIdentities: { mailFromSubdomain: 'Bounce' } }).sesIdentities,
    ).toEqual({ create: true, mailFromSubdomain: 'bounce' });
    expect(
      parseError({ ...MINIMAL, sesIdentities: { mailFromSubdomain: 'bounce.mail' } }).message,
    ).toContain('cpr.sesIdentities.mailFromSubdomain: must be one DNS label');
    expect(parseError({ ...MINIMAL, sesIdentities: { dkim: false } }).message).toContain(
      'cpr.sesIdentities.dkim: unknown field',
    );
  });
});

describe('parseConfig: inventory import', () => {
  test('a bucket and a prefix are taken as they are; without the field there is no import', () => {
    expect(
      parseConfig({ ...MINIMAL, inventoryImport: SAMPLE_INVENTORY_IMPORT }).inventoryImport,
    ).toEqual(SAMPLE_INVENTORY_IMPORT);
    expect(
      parseConfig({ ...MINIMAL, inventoryImport: { bucketName: 'ca.inventory-2' } })
        .inventoryImport,
    ).toEqual({ bucketName: 'ca.inventory-2' });
    expect(parseConfig(MINIMAL)).not.toHaveProperty('inventoryImport');
  });

  test('a missing bucket name says what it is', () => {
    expect(parseError({ ...MINIMAL, inventoryImport: {} }).message).toContain(
      'cpr.inventoryImport.bucketName: must be the name of the S3 bucket holding the converted files',
    );
  });

  test.each([
    ['s3://example-ca-staging', 'must be an S3 bucket name'],
    ['arn:aws:s3:::example-ca-staging', 'must be an S3 bucket name'],
    ['Example-CA-Staging', 'must be an S3 bucket name'],
    ['ca', 'must be an S3 bucket name'],
    ['x'.repeat(64), 'must be an S3 bucket name'],
    ['-staging', 'must be an S3 bucket name'],
    ['staging.', 'must be an S3 bucket name'],
    ['my_bucket', 'must be an S3 bucket name'],
    ['xn--staging', 'must be an S3 bucket name'],
    ['example..staging', 'must not contain ".."'],
    ['192.168.5.4', 'must not be an IP address'],
    ['staging-s3alias', 'must not end in a reserved suffix'],
  ])('bucket name %j is refused', (bucketName, message) => {
    expect(parseError({ ...MINIMAL, inventoryImport: { bucketName } }).message).toContain(
      `cpr.inventoryImport.bucketName: ${message}`,
    );
  });

  test.each([
    // Without the "/" the import would also read "inventory/2026-12-01-retry/".
    'inventory/2026-12-01',
    '/inventory/',
    's3://example-ca-staging/inventory/',
    'inventory/*/',
    'inventory//',
    'inventory files/',
    '',
  ])('key prefix %j is refused', (keyPrefix) => {
    expect(
      parseError({ ...MINIMAL, inventoryImport: { bucketName: 'staging', keyPrefix } }).message,
    ).toContain('cpr.inventoryImport.keyPrefix: must be a key prefix ending in "/"');
  });

  test('a key prefix longer than DynamoDB takes is refused', () => {
    const keyPrefix = 'a/'.repeat(513);
    expect(
      parseError({ ...MINIMAL, inventoryImport: { bucketName: 'staging', keyPrefix } }).message,
    ).toContain('cpr.inventoryImport.keyPrefix: must be at most 1024 characters');
  });

  test('an unknown field is refused by name', () => {
    expect(
      parseError({ ...MINIMAL, inventoryImport: { bucketName: 'staging', prefix: 'a/' } }).message,
    ).toContain('cpr.inventoryImport.prefix: unknown field');
  });
});

describe('rawConfigFromContext', () => {
  const fromFile = { cprAddresses: ['file@example.com'], senderAddress: 'file@example.com' };
  const file = JSON.stringify(fromFile);

  test('a config file wins over the inline object', () => {
    const raw = rawConfigFromContext(
      { cprAddresses: ['inline@example.com'], senderAddress: 'inline@example.com' },
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
    expect(rawConfigFromContext(file, undefined)).toEqual(fromFile);
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
