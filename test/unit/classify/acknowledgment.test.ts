import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SuppressionReason, Verdicts } from '../../../lambdas/domain/case/types.ts';
import {
  decideAcknowledgment,
  reporterAddress,
} from '../../../lambdas/domain/classify/acknowledgment.ts';
import { parseMail } from '../../../lambdas/domain/mail/parse.ts';
import type { ParsedMail } from '../../../lambdas/domain/mail/types.ts';
import { PASSING_VERDICTS } from '../../support/case-factory.ts';
import { parsedMail } from '../../support/mail-builders.ts';

const OWN = ['cpr@ca.example', 'Notices@CA.example'] as const;

const PASS = PASSING_VERDICTS;

function decide(mail: ParsedMail, verdicts: Partial<Verdicts> = {}) {
  return decideAcknowledgment({ mail, verdicts: { ...PASS, ...verdicts }, ownAddresses: OWN });
}

function reason(mail: ParsedMail, verdicts: Partial<Verdicts> = {}): SuppressionReason | null {
  return decide(mail, verdicts).reason;
}

const fixture = (name: string) => parseMail(readFileSync(`test/fixtures/mail/${name}`));

describe('decideAcknowledgment: each reason', () => {
  it('sends for an ordinary report', () => {
    expect(decide(parsedMail())).toEqual({ decision: 'send', reason: null });
  });

  it('missingFrom and invalidFrom', () => {
    expect(reason(parsedMail({ from: null }))).toBe('missingFrom');
    expect(
      reason(parsedMail({ from: { address: 'not an address', name: '' }, fromInvalid: true })),
    ).toBe('invalidFrom');
  });

  it('ownAddress: From or Reply-To is ours, in any case and with plus-addressing', () => {
    for (const address of [
      'cpr@ca.example',
      'CPR@CA.EXAMPLE',
      'cpr+loop@ca.example',
      'notices@ca.example',
    ]) {
      expect(reason(parsedMail({ from: { address, name: '' } }))).toBe('ownAddress');
    }
    expect(reason(parsedMail({ replyTo: { address: 'cpr+x@ca.example', name: '' } }))).toBe(
      'ownAddress',
    );
    expect(reason(parsedMail({ from: { address: 'cpr@other.example', name: '' } }))).toBeNull();
  });

  it('autoSubmitted: any Auto-Submitted but "no" (RFC 3834), X-Autoreply, X-Autorespond', () => {
    for (const value of [
      'auto-replied',
      'auto-generated',
      'Auto-Notified (x)',
      'auto-replied; owner-email=a@b',
    ]) {
      expect(reason(parsedMail({ headers: { 'auto-submitted': value } }))).toBe('autoSubmitted');
    }
    expect(reason(parsedMail({ headers: { 'auto-submitted': 'no' } }))).toBeNull();
    expect(reason(parsedMail({ headers: { 'auto-submitted': 'No (human)' } }))).toBeNull();
    expect(reason(parsedMail({ headers: { 'x-autoreply': 'yes' } }))).toBe('autoSubmitted');
    expect(reason(parsedMail({ headers: { 'x-autorespond': 'x' } }))).toBe('autoSubmitted');
  });

  it('autoSubmitted: X-Auto-Response-Suppress counts with All or AutoReply only', () => {
    expect(reason(parsedMail({ headers: { 'x-auto-response-suppress': 'All' } }))).toBe(
      'autoSubmitted',
    );
    expect(reason(parsedMail({ headers: { 'x-auto-response-suppress': 'DR, AutoReply' } }))).toBe(
      'autoSubmitted',
    );
    expect(reason(parsedMail({ headers: { 'x-auto-response-suppress': 'OOF, NRN' } }))).toBeNull();
  });

  it('bounce: a DSN, or From mailer-daemon@ / postmaster@', () => {
    expect(reason(parsedMail({ isDsn: true }))).toBe('bounce');
    expect(reason(parsedMail({ from: { address: 'mailer-daemon@mx.example', name: '' } }))).toBe(
      'bounce',
    );
    expect(reason(parsedMail({ from: { address: 'postmaster@mx.example', name: '' } }))).toBe(
      'bounce',
    );
  });

  it('nullReturnPath', () => {
    expect(reason(parsedMail({ returnPath: '<>' }))).toBe('nullReturnPath');
    expect(reason(parsedMail({ returnPath: null }))).toBeNull();
  });

  it('bulkPrecedence: bulk, list, junk only', () => {
    for (const value of ['bulk', 'List', 'junk ']) {
      expect(reason(parsedMail({ headers: { precedence: value } }))).toBe('bulkPrecedence');
    }
    expect(reason(parsedMail({ headers: { precedence: 'first-class' } }))).toBeNull();
  });

  it('mailingList: List-Id (RFC 2919) or List-Unsubscribe (RFC 2369)', () => {
    expect(reason(parsedMail({ headers: { 'list-id': '<x.lists.example>' } }))).toBe('mailingList');
    expect(reason(parsedMail({ headers: { 'list-unsubscribe': '<mailto:u@x>' } }))).toBe(
      'mailingList',
    );
  });

  it('dmarcFail: a DMARC failure under any policy, or none published', () => {
    for (const dmarcPolicy of ['reject', 'REJECT', 'quarantine', 'none', null]) {
      expect(reason(parsedMail(), { dmarc: 'FAIL', dmarcPolicy })).toBe('dmarcFail');
    }
    expect(reason(parsedMail(), { dmarc: 'PASS', dmarcPolicy: 'reject' })).toBeNull();
  });

  it('spfFail: SPF failed and no aligned DKIM signature passed', () => {
    const noDmarc = { spf: 'FAIL', dmarc: 'GRAY' } as const;
    // No signature at all, or a signature of another domain (anyone can sign for their own).
    expect(reason(parsedMail(), { ...noDmarc, dkim: 'NONE' })).toBe('spfFail');
    expect(reason(parsedMail({ dkimDomains: ['attacker.example'] }), noDmarc)).toBe('spfFail');
    // SES says DKIM passed, but not which signature: an unaligned one among them may be it.
    expect(
      reason(parsedMail({ dkimDomains: ['researcher.example', 'attacker.example'] }), noDmarc),
    ).toBe('spfFail');
    expect(
      reason(parsedMail({ dkimDomains: ['researcher.example'] }), { ...noDmarc, dkim: 'FAIL' }),
    ).toBe('spfFail');
    // Aligned: the From domain itself, or a parent or child of it.
    expect(reason(parsedMail({ dkimDomains: ['researcher.example'] }), noDmarc)).toBeNull();
    expect(
      reason(
        parsedMail({
          from: { address: 'r@mail.researcher.example', name: '' },
          dkimDomains: ['researcher.example'],
        }),
        noDmarc,
      ),
    ).toBeNull();
    // DMARC passing with SPF failing means an aligned DKIM signature passed (RFC 7489 4.2).
    expect(reason(parsedMail(), { spf: 'FAIL', dkim: 'PASS', dmarc: 'PASS' })).toBeNull();
    // SPF that did not fail (softfail shows as GRAY, none as NONE) is left to DMARC and the limits.
    expect(reason(parsedMail(), { spf: 'GRAY', dkim: 'NONE', dmarc: 'GRAY' })).toBeNull();
  });

  it('multipleFrom: more than one mailbox in From, or more than one From header', () => {
    expect(reason(parsedMail({ fromMailboxes: 2 }))).toBe('multipleFrom');
    const parsed = parseMail(
      Buffer.from(
        'From: Rita <rita@researcher.example>, Victim <victim@elsewhere.example>\r\n' +
          'To: cpr@ca.example\r\nSubject: key\r\nMessage-ID: <m1@researcher.example>\r\n\r\nbody\r\n',
      ),
    );
    return parsed.then((mail) => {
      expect(mail.fromMailboxes).toBe(2);
      expect(reason(mail)).toBe('multipleFrom');
    });
  });

  it('reads the signing domains of every DKIM-Signature header', async () => {
    const mail = await parseMail(
      Buffer.from(
        'DKIM-Signature: v=1; a=rsa-sha256; d=Researcher.Example; s=s1; h=from; bh=x; b=y\r\n' +
          'DKIM-Signature: v=1; a=rsa-sha256; s=s2;\r\n d=attacker.example; h=from; bh=x; b=y\r\n' +
          'From: rita@researcher.example\r\nTo: cpr@ca.example\r\nSubject: key\r\n\r\nbody\r\n',
      ),
    );
    expect(mail.dkimDomains).toEqual(['researcher.example', 'attacker.example']);
    expect(mail.fromMailboxes).toBe(1);
  });
});

describe('decideAcknowledgment: precedence', () => {
  const ORDER: readonly SuppressionReason[] = [
    'missingFrom',
    'invalidFrom',
    'ownAddress',
    'autoSubmitted',
    'bounce',
    'nullReturnPath',
    'bulkPrecedence',
    'mailingList',
    'dmarcFail',
  ];

  /** A mail carrying the signals of ORDER[level] and of every reason after it. */
  function mailFrom(level: number): ParsedMail {
    const fromByLevel: Partial<ParsedMail>[] = [
      { from: null },
      { from: { address: 'junk', name: '' }, fromInvalid: true },
      { from: { address: 'cpr+x@ca.example', name: '' } },
    ];
    const headers: Record<string, string> = {};
    if (level <= 3) headers['auto-submitted'] = 'auto-replied';
    if (level <= 6) headers.precedence = 'bulk';
    if (level <= 7) headers['list-id'] = '<l.example>';
    return parsedMail({
      ...(fromByLevel[level] ?? {}),
      headers,
      isDsn: level <= 4,
      returnPath: level <= 5 ? '<>' : 'reporter@researcher.example',
    });
  }

  it.each(ORDER.map((r, level) => [r, level] as const))(
    '%s wins over every later reason',
    (expected, level) => {
      expect(reason(mailFrom(level), { dmarc: 'FAIL', dmarcPolicy: 'none' })).toBe(expected);
    },
  );
});

describe('decideAcknowledgment: verdicts that must never silence a reporter', () => {
  it('sends despite spam and virus verdicts (NETLOCK, certSIGN, GlobalSign)', async () => {
    const mail = await fixture('cpr-archives.eml');
    for (const spam of ['FAIL', 'GRAY', 'PROCESSING_FAILED'] as const) {
      for (const virus of ['FAIL', 'GRAY', 'PROCESSING_FAILED'] as const) {
        expect(decide(mail, { spam, virus })).toEqual({ decision: 'send', reason: null });
      }
    }
    // A failed SPF without aligned DKIM suppresses the acknowledgment (the From is likely forged),
    // never the case: its obligations and escalations are untouched by any verdict.
    expect(
      decide(mail, { spam: 'FAIL', virus: 'FAIL', spf: 'FAIL', dkim: 'FAIL', dmarc: 'GRAY' }),
    ).toEqual({ decision: 'suppress', reason: 'spfFail' });
  });
});

describe('decideAcknowledgment on the fixtures', () => {
  it.each([
    ['cpr-inline-pem.eml', null],
    ['cpr-html-crtsh.eml', null],
    ['cpr-forwarded.eml', null],
    ['charset-mix.eml', null],
    ['auto-reply.eml', 'autoSubmitted'],
    ['dsn-bounce.eml', 'bounce'],
    ['list-mail.eml', 'bulkPrecedence'],
    ['newsletter.eml', 'mailingList'],
    // The encoded "Auto-Submitted" and the bare-CR "Precedence" are text, not headers.
    ['header-injection.eml', null],
  ] as const)('%s -> %s', async (name, expected) => {
    expect(reason(await fixture(name))).toBe(expected);
  });
});

describe('reporterAddress', () => {
  it('is the valid From address', () => {
    expect(reporterAddress(parsedMail())).toBe('reporter@researcher.example');
  });

  it('is null for a missing or invalid From, and never falls back to Reply-To', () => {
    const replyTo = { address: 'desk@researcher.example', name: '' };
    expect(reporterAddress(parsedMail({ from: null, replyTo }))).toBeNull();
    expect(
      reporterAddress(
        parsedMail({ from: { address: 'junk', name: '' }, fromInvalid: true, replyTo }),
      ),
    ).toBeNull();
  });

  it('is the From, not the Reply-To, when both are set', () => {
    const mail = parsedMail({ replyTo: { address: 'someone-else@attacker.example', name: '' } });
    expect(reporterAddress(mail)).toBe('reporter@researcher.example');
  });

  it('reads the parsed fixtures', async () => {
    expect(reporterAddress(await fixture('cpr-inline-pem.eml'))).toBe(
      'alice.reporter@researcher.example',
    );
    expect(reporterAddress(await fixture('header-injection.eml'))).toBe('mallory@attacker.example');
  });
});
