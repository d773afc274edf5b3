import { describe, expect, test } from 'vitest';
import {
  isSesHeader,
  outboundAddress,
  SES_HEADER_LIMITS,
  threadingReference,
} from '../../../lambdas/domain/notices/outbound.ts';

describe('outboundAddress: what SES can send to', () => {
  test.each([
    ['rita@researcher.example', 'rita@researcher.example'],
    ['Rita.R+cpr@Researcher.Example', 'Rita.R+cpr@researcher.example'],
    ['rita@bücher.example', 'rita@xn--bcher-kva.example'],
    ['rita@münchen.de', 'rita@xn--mnchen-3ya.de'],
  ])('%s goes out as %s', (input, expected) => {
    expect(outboundAddress(input)).toMatchObject({ deliverable: true, address: expected });
  });

  test.each([
    ['rité@researcher.example', 'nonAsciiLocalPart'],
    ['"rita smith"@researcher.example', 'quotedLocalPart'],
    ['rita@[192.0.2.1]', 'addressLiteral'],
    ['rita@[IPv6:2001:db8::1]', 'addressLiteral'],
    ['rita@localhost', 'invalidDomain'],
    ['rita@-bad-.example', 'invalidDomain'],
    ['no-at-sign', 'notAnAddress'],
    ['@researcher.example', 'notAnAddress'],
    [`${'a'.repeat(65)}@researcher.example`, 'tooLong'],
    [
      `rita@${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example`,
      'tooLong',
    ],
  ])('%s is undeliverable (%s)', (input, reason) => {
    expect(outboundAddress(input)).toEqual({ deliverable: false, reason });
  });
});

describe('SES header rules (SES v2 MessageHeader)', () => {
  test('printable ASCII within 126 / 870 characters passes; anything else does not', () => {
    expect(isSesHeader('In-Reply-To', '<a@b.example>')).toBe(true);
    expect(isSesHeader('In-Reply-To', 'x'.repeat(SES_HEADER_LIMITS.maxValueChars))).toBe(true);
    expect(isSesHeader('In-Reply-To', 'x'.repeat(SES_HEADER_LIMITS.maxValueChars + 1))).toBe(false);
    expect(isSesHeader('X'.repeat(127), 'v')).toBe(false);
    expect(isSesHeader('Bad:Name', 'v')).toBe(false);
    expect(isSesHeader('In-Reply-To', '<é@b.example>')).toBe(false);
    expect(isSesHeader('In-Reply-To', 'a\r\nBcc: victim@example.com')).toBe(false);
    expect(isSesHeader('In-Reply-To', '')).toBe(false);
  });

  test('a reporter Message-ID SES would refuse is dropped from the threading headers', () => {
    expect(threadingReference('abc@researcher.example')).toBe('<abc@researcher.example>');
    expect(threadingReference(`${'x'.repeat(900)}@researcher.example`)).toBeNull();
    expect(threadingReference('ünïcode@researcher.example')).toBeNull();
    expect(threadingReference('a b@researcher.example')).toBeNull();
    expect(threadingReference(null)).toBeNull();
  });
});
