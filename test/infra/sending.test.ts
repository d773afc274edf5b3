/** The sending side: the sender domain's SES identity and the configuration set of every notice. */
import { describe, expect, test } from 'vitest';
import { buildApp, logicalId } from './support.ts';

const { stack, template, config } = buildApp();
const domain = config.senderAddress.split('@')[1];

describe('sender identity', () => {
  test('is the sender domain, with Easy DKIM 2048-bit keys, using the configuration set', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: domain,
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: logicalId(stack, stack.delivery.configurationSet) },
      },
    });
  });

  test('a configured MAIL FROM subdomain falls back to amazonses.com rather than refusing to send', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      MailFromAttributes: {
        MailFromDomain: `${config.sesIdentities.mailFromSubdomain}.${domain}`,
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
    });
  });

  test('without a MAIL FROM subdomain there are no MAIL FROM attributes', () => {
    const { template: t } = buildApp({ sesIdentities: { create: true } });
    const [identity] = Object.values(t.findResources('AWS::SES::EmailIdentity'));
    expect(identity?.Properties.MailFromAttributes).toBeUndefined();
  });
});

describe('identities of the mail domains', () => {
  test('SES receives only for verified domains: each mail domain gets an Easy DKIM identity', () => {
    const { template: t } = buildApp({
      mailDomains: ['example.com', 'example.net'],
      cprAddresses: ['cpr@example.com', 'cpr@example.net'],
    });
    const identities = Object.values(t.findResources('AWS::SES::EmailIdentity')).map(
      (r) => r.Properties,
    );
    expect(identities.map((p) => p.EmailIdentity).sort()).toEqual(['example.com', 'example.net']);
    for (const p of identities) {
      expect(p.DkimSigningAttributes).toEqual({ NextSigningKeyLength: 'RSA_2048_BIT' });
    }
    const dns = JSON.stringify(t.toJSON().Outputs.DnsRecords);
    expect(dns.match(/DkimDNSTokenName/g)).toHaveLength(6);
  });

  test('the sender domain, also a mail domain, is one identity, not two', () => {
    expect(Object.keys(template.findResources('AWS::SES::EmailIdentity'))).toHaveLength(1);
  });
});

describe('configuration set', () => {
  test('gives up on an undeliverable notice after 2 hours, leaving 22 of the 24 to react', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { MaxDeliverySeconds: 7200 },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
    });
  });
});
