/**
 * The DNS records a CA creates for the stack (docs/deploy.md): MX of every mail domain to SES
 * receiving, the three Easy DKIM CNAMEs of every domain identity (they also verify it), and the custom MAIL FROM domain's
 * MX and SPF. SPF and DMARC of the sender domain itself are policy choices of the CA, documented
 * rather than generated.
 */
import { Aws } from 'aws-cdk-lib';
import type { EmailIdentity } from 'aws-cdk-lib/aws-ses';

export interface DnsRecord {
  readonly name: string;
  readonly type: 'MX' | 'CNAME' | 'TXT';
  readonly value: string;
}

export interface DnsRecordsInput {
  readonly mailDomains: readonly string[];
  /** The domain identities the stack manages (sender domain first). */
  readonly identities: readonly EmailIdentity[];
  readonly mailFromDomain: string | undefined;
}

/** SES's inbound SMTP endpoint of the stack's region. */
export const INBOUND_SMTP = `inbound-smtp.${Aws.REGION}.amazonaws.com`;
/** Where SES receives bounces for a custom MAIL FROM domain. */
export const FEEDBACK_SMTP = `feedback-smtp.${Aws.REGION}.amazonses.com`;
/** The SPF record SES asks for on a custom MAIL FROM domain. */
export const MAIL_FROM_SPF = '"v=spf1 include:amazonses.com ~all"';

export function dnsRecords(input: DnsRecordsInput): DnsRecord[] {
  const records: DnsRecord[] = input.mailDomains.map((domain) => ({
    name: domain,
    type: 'MX',
    value: `10 ${INBOUND_SMTP}`,
  }));
  for (const identity of input.identities) {
    for (const dkim of identity.dkimRecords) {
      records.push({ name: dkim.name, type: 'CNAME', value: dkim.value });
    }
  }
  if (input.mailFromDomain) {
    records.push(
      { name: input.mailFromDomain, type: 'MX', value: `10 ${FEEDBACK_SMTP}` },
      { name: input.mailFromDomain, type: 'TXT', value: MAIL_FROM_SPF },
    );
  }
  return records;
}
