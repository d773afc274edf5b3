import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../lambdas/domain/case/types.ts';
import {
  type ClassifyInput,
  classify,
  hasCprVocabulary,
  statedCompromise,
  statedMisissuance,
} from '../../../lambdas/domain/classify/classify.ts';
import {
  type CertificateEvidence,
  type CsrEvidence,
  EMPTY_EVIDENCE,
  type Evidence,
  type PrivateKeyEvidence,
} from '../../../lambdas/domain/evidence/types.ts';
import { parseMail } from '../../../lambdas/domain/mail/parse.ts';
import type { ParsedMail } from '../../../lambdas/domain/mail/types.ts';
import { fastest, linearBound } from '../../support/cost.ts';
import { parsedMail } from '../../support/mail-builders.ts';

/** Fingerprints and SPKI hashes computed by openssl when the PKI fixtures were made. */
const facts: {
  certificates: Record<string, { sha256: string; serial: string; spkiSha256: string }>;
  keys: Record<string, { spkiSha256: string }>;
} = JSON.parse(readFileSync('test/fixtures/pki/facts.json', 'utf8'));

function certificate(name: string, source: string): CertificateEvidence {
  const f = facts.certificates[name];
  if (!f) throw new Error(`no facts for ${name}`);
  return {
    sha256: f.sha256,
    serial: f.serial,
    issuer: 'CN=CPR Intake Test Issuing CA 1',
    subject: 'CN=test',
    sans: [],
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2126-01-01T00:00:00.000Z',
    spkiSha256: f.spkiSha256,
    keyCompromised: false,
    source,
  };
}

function key(
  name: string,
  format: PrivateKeyEvidence['format'],
  source: string,
): PrivateKeyEvidence {
  return {
    spkiSha256: facts.keys[name]?.spkiSha256 ?? '',
    format,
    algorithm: 'rsa',
    matches: [],
    source,
    proof: true,
    proofFailure: null,
  };
}

function csr(overrides: Partial<CsrEvidence>): CsrEvidence {
  return {
    spkiSha256: facts.keys['leaf-rsa.key']?.spkiSha256 ?? '',
    subject: 'CN=Proof of key compromise for rsa.example.test',
    signatureValid: true,
    attestation: true,
    matches: [],
    source: 'attachment:proof.csr',
    ...overrides,
  };
}

/** The class alone; the signals are tested on their own below. */
const cls = (input: ClassifyInput) => classify(input).classification;
const evidence = (overrides: Partial<Evidence>): Evidence => ({ ...EMPTY_EVIDENCE, ...overrides });
const withText = (text: string, extra: Partial<ParsedMail> = {}): ParsedMail =>
  parsedMail({
    subject: null,
    content: { texts: [{ source: 'body', text }], parts: [] },
    ...extra,
  });

describe('classify the fixtures (with the evidence the extractor reports for them)', () => {
  /**
   * Evidence is written out here from facts.json rather than extracted, so these tests pin the
   * classification rules; the extractor is tested on the same fixtures in test/unit/evidence.
   */
  const cases: [string, Partial<Evidence>, Classification][] = [
    [
      'cpr-inline-pem.eml',
      {
        certificates: [certificate('leaf-rsa.pem', 'body')],
        keys: [key('leaf-rsa.key', 'pkcs8', 'body')],
      },
      'keyCompromise',
    ],
    ['cpr-attachments.eml', { csrs: [csr({})] }, 'keyCompromise'],
    [
      'cpr-archives.eml',
      { keys: [key('leaf-ec.key', 'pkcs8', 'attachment:evidence.zip/leaf-ec.key')] },
      'keyCompromise',
    ],
    [
      'cpr-forwarded.eml',
      { keys: [key('leaf-ec.sec1.key', 'sec1', 'attachment:fwd.eml/attachment:ec.key')] },
      'keyCompromise',
    ],
    [
      'cpr-html-crtsh.eml',
      { crtshIds: ['1234567890'], sha256Fingerprints: ['ab'.repeat(32)] },
      'other',
    ],
    ['cpr-quoted-reply.eml', { certificates: [certificate('leaf-other.pem', 'body')] }, 'other'],
    [
      'misissuance.eml',
      { serials: [facts.certificates['leaf-ec.pem']?.serial ?? ''] },
      'misissuance',
    ],
    ['list-mail.eml', {}, 'other'],
    ['newsletter.eml', {}, 'notACpr'],
    ['auto-reply.eml', {}, 'notACpr'],
    ['dsn-bounce.eml', {}, 'notACpr'],
    ['headers-only.eml', {}, 'notACpr'],
    // Stated in prose, no key attached: still the 24-hour track until a person looks.
    ['charset-mix.eml', {}, 'keyCompromise'],
    ['header-injection.eml', {}, 'keyCompromise'],
    ['truncated-base64.eml', {}, 'keyCompromise'],
  ];

  it.each(cases)('%s -> %s', async (name, found, expected) => {
    const mail = await parseMail(readFileSync(`test/fixtures/mail/${name}`));
    expect(cls({ evidence: evidence(found), mail })).toBe(expected);
  });
});

describe('classify rules', () => {
  it('any private key is a key compromise, whatever the text says', () => {
    const found = evidence({ keys: [key('leaf-rsa.pkcs1.key', 'pkcs1', 'body')] });
    expect(cls({ evidence: found, mail: withText('Hello') })).toBe('keyCompromise');
  });

  it('a CSR counts only when its signature verifies and it attests or matches', () => {
    const mail = withText('see attachment');
    expect(cls({ evidence: evidence({ csrs: [csr({})] }), mail })).toBe('keyCompromise');
    expect(
      cls({
        evidence: evidence({ csrs: [csr({ attestation: false, matches: ['aa'] })] }),
        mail,
      }),
    ).toBe('keyCompromise');
    expect(cls({ evidence: evidence({ csrs: [csr({ signatureValid: false })] }), mail })).toBe(
      'other',
    );
    expect(cls({ evidence: evidence({ csrs: [csr({ attestation: false })] }), mail })).toBe(
      'other',
    );
  });

  it('misissuance needs a certificate reference or CPR vocabulary', () => {
    expect(cls({ evidence: EMPTY_EVIDENCE, mail: withText('The wording is incorrect.') })).toBe(
      'notACpr',
    );
    const serial = evidence({ serials: ['0123'] });
    expect(cls({ evidence: serial, mail: withText('The wording is incorrect.') })).toBe(
      'misissuance',
    );
    expect(
      cls({
        evidence: EMPTY_EVIDENCE,
        mail: withText('Your certificate has an incorrect OU.'),
      }),
    ).toBe('misissuance');
  });

  it('key compromise wins over misissuance, misissuance over other', () => {
    const both = withText('This misissued certificate also has a compromised private key.');
    expect(cls({ evidence: EMPTY_EVIDENCE, mail: both })).toBe('keyCompromise');
    const certs = evidence({ certificates: [certificate('leaf-ec.pem', 'body')] });
    expect(cls({ evidence: certs, mail: withText('Not compliant with the BRs.') })).toBe(
      'misissuance',
    );
    expect(cls({ evidence: certs, mail: withText('Please revoke.') })).toBe('other');
  });

  it('the subject counts as text', () => {
    const mail = parsedMail({
      content: { texts: [{ source: 'subject', text: 'keyCompromise' }], parts: [] },
    });
    expect(cls({ evidence: EMPTY_EVIDENCE, mail })).toBe('keyCompromise');
  });

  it('text in a forwarded message counts', () => {
    const mail = parsedMail({
      content: {
        texts: [{ source: 'attachment:fwd.eml/body', text: 'the private key was leaked' }],
        parts: [],
      },
    });
    expect(cls({ evidence: EMPTY_EVIDENCE, mail })).toBe('keyCompromise');
  });

  it('automatic messages are judged by their evidence only: they quote our own notices', () => {
    const quote = 'Re: [CPR-20260101-ABCD] Key compromise: private key published';
    const dsn = withText(quote, { isDsn: true });
    const autoReply = withText(quote, { headers: { 'auto-submitted': 'auto-replied' } });
    for (const mail of [dsn, autoReply]) {
      expect(cls({ evidence: EMPTY_EVIDENCE, mail })).toBe('notACpr');
      expect(cls({ evidence: evidence({ crtshIds: ['1'] }), mail })).toBe('other');
      expect(
        cls({ evidence: evidence({ keys: [key('leaf-ec.key', 'pkcs8', 'body')] }), mail }),
      ).toBe('keyCompromise');
    }
    // A postmaster is a person at a hosting company, not a bounce, for classification.
    const postmaster = withText(quote, {
      from: { address: 'postmaster@hosting.example', name: '' },
    });
    expect(cls({ evidence: EMPTY_EVIDENCE, mail: postmaster })).toBe('keyCompromise');
  });

  it('no evidence and no vocabulary is not a CPR; any evidence makes it at least other', () => {
    expect(cls({ evidence: EMPTY_EVIDENCE, mail: withText('Lunch on Friday?') })).toBe('notACpr');
    expect(
      cls({
        evidence: evidence({ sha256Fingerprints: ['ab'.repeat(32)] }),
        mail: withText('FYI'),
      }),
    ).toBe('other');
    expect(
      cls({ evidence: EMPTY_EVIDENCE, mail: withText('Please revoke our TLS certificate.') }),
    ).toBe('other');
  });
});

describe('text helpers', () => {
  it.each([
    'Key compromise for example.com',
    'Revocation reason: keyCompromise',
    'I have the compromised private key',
    'We found compromised keys',
    'The private key has been exposed',
    'the private key for rsa.example.test was leaked',
    'private keys were published on GitHub',
    'a leaked private key',
  ])('statedCompromise(%j)', (phrase) => {
    expect(statedCompromise(phrase)).toBe(true);
  });

  it.each([
    'Please revoke my certificate',
    'The key ceremony was compromise-free',
    'private key storage',
  ])('not statedCompromise(%j)', (phrase) => {
    expect(statedCompromise(phrase)).toBe(false);
  });

  it.each([
    'This certificate was misissued',
    'a mis-issuance',
    'it is non-compliant',
    'not compliant with RFC 5280',
    'it violates the Baseline Requirements',
    'a BR violation',
    'CAA forbids your CA',
    'invalid SAN',
    'incorrectly encoded',
    'zlint reports errors',
    'it should not have been issued',
  ])('statedMisissuance(%j)', (phrase) => {
    expect(statedMisissuance(phrase)).toBe(true);
  });

  it('hasCprVocabulary', () => {
    expect(hasCprVocabulary('please REVOKE it')).toBe(true);
    expect(hasCprVocabulary('Certificate Problem Report')).toBe(true);
    expect(hasCprVocabulary('Spring sale: 20% off office chairs')).toBe(false);
  });

  it('stays linear on long hostile text', async () => {
    const cost = (repeats: number) => {
      const text = `${'private key '.repeat(repeats)}x`;
      return fastest(() => {
        statedCompromise(text);
        statedMisissuance(text);
      });
    };
    const small = await cost(20_000);
    expect(await cost(200_000)).toBeLessThan(linearBound(small, 10));
  });

  it('a 2.4 MB hostile text costs what its first MAX_SIGNAL_TEXT_CHARS cost', async () => {
    const unit = 'private key CN not in SAN 秘密鍵 ';
    const small = unit.repeat(Math.ceil(100_000 / unit.length));
    const large = unit.repeat(Math.ceil(2_400_000 / unit.length));
    const t = (text: string) => () => {
      statedCompromise(text);
      statedMisissuance(text);
    };
    const smallCost = await fastest(t(small));
    expect(await fastest(t(large))).toBeLessThan(smallCost * 2 + 50);
  });

  it('many long texts in one message cost what MAX_CLASSIFIED_TEXT_CHARS cost', async () => {
    const text = 'private key CN SAN '.repeat(6_000);
    const mail = (n: number) =>
      parsedMail({
        content: { texts: Array.from({ length: n }, () => ({ source: 'body', text })), parts: [] },
      });
    const few = mail(3);
    const many = mail(200);
    const t = (m: ParsedMail) => () => classify({ evidence: EMPTY_EVIDENCE, mail: m });
    const fewCost = await fastest(t(few));
    expect(await fastest(t(many))).toBeLessThan(fewCost * 2 + 50);
  });
});

describe('signals, languages, list mail and revocation requests', () => {
  const run = (text: string, extra: Partial<ParsedMail> = {}, input: Partial<ClassifyInput> = {}) =>
    classify({ evidence: EMPTY_EVIDENCE, mail: withText(text, extra), ...input });

  it.each([
    ['en', 'Our server was hacked, please revoke.'],
    ['de', 'Unser Server wurde gehackt.'],
    ['fr', 'Notre serveur a été piraté.'],
    ['es', 'Nuestro servidor fue hackeado.'],
    ['it', 'Il server è stato violato.'],
    ['nl', 'Onze server is gehackt.'],
    ['pl', 'Nasz serwer został zhakowany.'],
    ['pt', 'Nosso servidor foi invadido.'],
    ['ja', 'サーバーが不正アクセスを受けました。'],
    ['zh', '我们的服务器被黑了。'],
  ])(
    'a hacked server is a key compromise (%s), and the signal says which language',
    (lang, text) => {
      const r = run(text);
      expect(r.classification).toBe('keyCompromise');
      expect(r.signals.some((x) => x.startsWith('text:serverHacked:'))).toBe(true);
      // Words shared with an earlier language are tagged with that one (Dutch "gehackt": de).
      if (lang !== 'nl') expect(r.signals).toContain(`text:serverHacked:${lang}`);
    },
  );

  it.each([
    ['en', 'We lost the key of our certificate.'],
    ['de', 'Wir haben den privaten Schlüssel verloren.'],
    ['fr', 'Nous avons perdu la clé privée.'],
    ['es', 'La clave privada fue robada.'],
    ['it', 'La chiave privata è stata rubata.'],
    ['nl', 'De privésleutel is gestolen.'],
    ['pl', 'Klucz prywatny wyciekł.'],
    ['pt', 'A chave privada foi vazada.'],
    ['ja', '秘密鍵を紛失しました。'],
    ['zh', '私钥丢失了。'],
  ])('a lost or stolen key is a key compromise (%s)', (lang, text) => {
    expect(run(text).signals).toContain(`text:keyLost:${lang}`);
  });

  it.each([
    ['en', 'I never requested this certificate.'],
    ['de', 'Dieses Zertifikat haben wir nie beantragt.'],
    ['fr', "Nous n'avons jamais demandé ce certificat."],
    ['es', 'Nunca solicitamos este certificado.'],
    ['it', 'Non abbiamo mai richiesto questo certificato.'],
    ['nl', 'Dit certificaat hebben wij nooit aangevraagd.'],
    ['pl', 'Nigdy nie zamawialiśmy tego certyfikatu.'],
    ['pt', 'Nunca solicitamos este certificado.'],
    ['ja', 'この証明書は申請していません。'],
    ['zh', '我们从未申请过这张证书。'],
  ])('"I never requested this certificate" is misissuance (%s)', (lang, text) => {
    const r = run(text);
    expect(r.classification).toBe('misissuance');
    // Portuguese "nunca solicitamos" is also Spanish, and tagged es.
    expect(r.signals).toContain(`text:unauthorisedIssuance:${lang === 'pt' ? 'es' : lang}`);
  });

  it.each([
    ['de', 'Bitte sperren Sie unser Zertifikat.'],
    ['fr', 'Merci de révoquer notre certificat.'],
    ['es', 'Por favor, revoquen el certificado.'],
    ['it', 'Vorrei revocare il certificato.'],
    ['nl', 'Graag het certificaat intrekken.'],
    ['pl', 'Proszę unieważnić certyfikat.'],
    ['pt', 'Gostaria de revogar o certificado.'],
    ['ja', '証明書を失効してください。'],
    ['zh', '请吊销我们的证书。'],
    ['en', 'Please revoke it.'],
  ])('a revocation request without a reason is other, never notACpr (%s)', (_lang, text) => {
    const r = run(text);
    expect(r.classification).toBe('other');
    expect(r.revocationRequested).toBe(true);
  });

  it('list and newsletter mail that names no certificate of ours is never keyCompromise', () => {
    const headers = { 'list-id': '<news.lists.example>', precedence: 'bulk' };
    const text =
      'This week: key compromise at a hoster, servers were hacked. Please revoke old keys!';
    const notOurs = run(text, { headers }, { namesOurCertificate: false });
    expect(notOurs.classification).toBe('other');
    expect(notOurs.revocationRequested).toBe(false);
    expect(notOurs.signals).toContain('mail:bulkNotOurs');
    // A private key in list mail not matching our inventory: shown, still not paged.
    const withKey = classify({
      evidence: evidence({ keys: [key('leaf-ec.key', 'pkcs8', 'body')] }),
      mail: withText('look', { headers: { precedence: 'list' } }),
      namesOurCertificate: false,
    });
    expect(withKey.classification).toBe('other');
    expect(withKey.signals).toEqual(['evidence:names', 'evidence:privateKey', 'mail:bulkNotOurs']);
    // The same list mail naming one of our certificates is read like any report.
    expect(run(text, { headers }, { namesOurCertificate: true }).classification).toBe(
      'keyCompromise',
    );
  });

  it('a plain-text bounce from MAILER-DAEMON is automatic: its quoted notice is not read', () => {
    const r = run('Subject: [CPR-20261127-ABCDEF] Key compromise: please revoke', {
      from: { address: 'MAILER-DAEMON@mx.example', name: '' },
    });
    expect(r).toEqual({
      classification: 'notACpr',
      signals: ['mail:automatic'],
      revocationRequested: false,
    });
  });

  it('records the deciding signals: evidence, lints, text', () => {
    expect(
      classify({
        evidence: evidence({ keys: [key('leaf-ec.key', 'pkcs8', 'body')] }),
        mail: withText('Bitte widerrufen.'),
      }).signals,
    ).toEqual(['evidence:privateKey', 'text:revocationRequest:de']);
  });

  it('negations are not understood: read as compromise, the safe error', () => {
    expect(run('This is not a key compromise.').classification).toBe('keyCompromise');
  });

  it('reads only the first MAX_SIGNAL_TEXT_CHARS of a text', () => {
    const late = `${'x '.repeat(60_000)}our server was hacked`;
    expect(run(late).classification).toBe('notACpr');
  });
});
