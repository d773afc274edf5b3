import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAIL_LIMITS } from '../../../lambdas/domain/mail/limits.ts';
import { parseMail, UnparsableMailError } from '../../../lambdas/domain/mail/parse.ts';
import { KEPT_HEADERS, type ParsedMail } from '../../../lambdas/domain/mail/types.ts';
import { fastest, linearBound } from '../../support/cost.ts';

const MAIL_DIR = 'test/fixtures/mail';
const PKI_DIR = 'test/fixtures/pki';

/** Fingerprints and serials computed by openssl when the PKI fixtures were made. */
const facts: { certificates: Record<string, { sha256: string }> } = JSON.parse(
  readFileSync(join(PKI_DIR, 'facts.json'), 'utf8'),
);
const sha256Of = (name: string): string => facts.certificates[name]?.sha256 ?? 'missing';

const fixture = (name: string): Buffer => readFileSync(join(MAIL_DIR, name));
const pki = (name: string): Buffer => readFileSync(join(PKI_DIR, name));
const parse = (name: string): Promise<ParsedMail> => parseMail(fixture(name));

function text(mail: ParsedMail, source: string): string | undefined {
  return mail.content.texts.find((t) => t.source === source)?.text;
}

function part(mail: ParsedMail, source: string) {
  return mail.content.parts.find((p) => p.source === source);
}

const CRLF = '\r\n';

describe('parseMail on well-formed reports', () => {
  it('reads ids, addresses and the inline PEM body of a plain report', async () => {
    const mail = await parse('cpr-inline-pem.eml');
    expect(mail.messageIdHeader).toBe('cpr-inline-pem@fixtures.example');
    expect(mail.from).toEqual({
      address: 'alice.reporter@researcher.example',
      name: 'Alice Reporter',
    });
    expect(mail.fromInvalid).toBe(false);
    expect(mail.returnPath).toBe('alice.reporter@researcher.example');
    expect(mail.isDsn).toBe(false);
    expect(text(mail, 'subject')).toBe(
      'Key compromise: private key for rsa.example.test published',
    );
    const body = text(mail, 'body') ?? '';
    const certificateLine = pki('leaf-rsa.pem').toString().split('\n')[1] ?? 'missing';
    expect(body).toContain(certificateLine);
    expect(body).toContain('-----BEGIN PRIVATE KEY-----');
    expect(mail.problems).toEqual([]);
  });

  it('keeps only the headers intake reads, lowercased, as single strings', async () => {
    for (const name of ['list-mail.eml', 'auto-reply.eml', 'cpr-inline-pem.eml']) {
      const mail = await parse(name);
      for (const key of Object.keys(mail.headers)) expect(KEPT_HEADERS).toContain(key);
    }
    const list = await parse('list-mail.eml');
    expect(list.headers).toMatchObject({
      precedence: 'bulk',
      'list-id': 'CA policy discussion <dev-security-policy.lists.example.org>',
      'list-unsubscribe': '<mailto:dev-security-policy+unsubscribe@lists.example.org>',
    });
    expect((await parse('auto-reply.eml')).headers['auto-submitted']).toBe('auto-replied');
  });

  it('converts an HTML-only body to text, keeping link targets and dropping markup', async () => {
    const mail = await parse('cpr-html-crtsh.eml');
    expect(text(mail, 'body')).toBeUndefined();
    const html = text(mail, 'body:html') ?? '';
    expect(html).toContain('https://crt.sh/?id=1234567890');
    expect(html).toContain(`https://crt.sh/?sha256=${sha256Of('leaf-ec.pem').toUpperCase()}`);
    expect(html).toContain(
      sha256Of('leaf-other.pem')
        .toUpperCase()
        .replace(/(..)(?!$)/g, '$1:'),
    );
    expect(html).not.toMatch(/<\/?[a-z]+[\s>]/i);
    expect(html).not.toContain('document.write');
  });

  it('searches both alternatives of a multipart/alternative message', async () => {
    const mail = await parse('newsletter.eml');
    expect(text(mail, 'body')).toContain('Ergonomic office chairs');
    expect(text(mail, 'body:html')).toContain('Ergonomic office chairs');
  });

  it('decodes every attachment, named after its file', async () => {
    const mail = await parse('cpr-attachments.eml');
    expect(mail.content.parts.map((p) => p.source)).toEqual([
      'attachment:rsa.example.test.cer',
      'attachment:chain.p7b',
      'attachment:proof.csr',
    ]);
    expect(Buffer.from(part(mail, 'attachment:rsa.example.test.cer')?.content ?? [])).toEqual(
      pki('leaf-rsa.der'),
    );
    expect(Buffer.from(part(mail, 'attachment:chain.p7b')?.content ?? [])).toEqual(
      pki('bundle.p7b'),
    );
    expect(part(mail, 'attachment:proof.csr')?.filename).toBe('proof.csr');

    const archives = await parse('cpr-archives.eml');
    for (const name of ['evidence.zip', 'evidence.tar.gz', 'evidence.tar.xz']) {
      expect(Buffer.from(part(archives, `attachment:${name}`)?.content ?? [])).toEqual(pki(name));
    }
  });

  it('parses a forwarded message/rfc822 and surfaces its content under a source prefix', async () => {
    const mail = await parse('cpr-forwarded.eml');
    expect(text(mail, 'attachment:fwd.eml/subject')).toBe('Compromised key for ec.example.test');
    expect(text(mail, 'attachment:fwd.eml/body')).toContain(
      'EC private key of ec.example.test was leaked',
    );
    const key = part(mail, 'attachment:fwd.eml/attachment:ec.key');
    expect(Buffer.from(key?.content ?? [])).toEqual(pki('leaf-ec.sec1.key'));
    expect(part(mail, 'attachment:fwd.eml/attachment:ec.pem')).toBeDefined();
    // Parsed, so not handed on a second time as an opaque part.
    expect(mail.content.parts.some((p) => p.contentType === 'message/rfc822')).toBe(false);
    // The outer message's own fields are the forwarder's.
    expect(mail.from?.address).toBe('carol@hosting.example');
  });

  it('reads threading headers without angle brackets', async () => {
    const reply = await parse('reply-to-ack.eml');
    expect(reply.inReplyTo).toEqual(['ack.CPR-20260101-ABCD@ca.example']);
    expect(reply.references).toEqual([
      'cpr-inline-pem@fixtures.example',
      'ack.CPR-20260101-ABCD@ca.example',
    ]);
    expect(reply.subject).toBe(
      'Re: [CPR-20260101-ABCD] Key compromise: private key for rsa.example.test published',
    );

    const quoted = await parse('cpr-quoted-reply.eml');
    expect(quoted.inReplyTo).toEqual(['question-1@elsewhere.example']);
    expect(text(quoted, 'body')).toContain('> -----BEGIN CERTIFICATE-----');
  });

  it('recognises a DSN and keeps the null Return-Path as <>', async () => {
    const mail = await parse('dsn-bounce.eml');
    expect(mail.isDsn).toBe(true);
    expect(mail.returnPath).toBe('<>');
    expect(mail.from?.address).toBe('mailer-daemon@mx.researcher.example');
    expect(mail.content.parts.map((p) => p.contentType)).toContain('message/delivery-status');
    // The returned message (our acknowledgment) is parsed like any forwarded message.
    expect(mail.content.texts.map((t) => t.source)).toContain('attachment:part-3/subject');
    expect((await parse('cpr-inline-pem.eml')).isDsn).toBe(false);
  });

  it('decodes a mix of charsets: ISO-8859-1, an encoded-word subject, Shift_JIS, an unknown label', async () => {
    const mail = await parse('charset-mix.eml');
    expect(mail.subject).toBe('Schlüssel kompromittiert – 秘密鍵 (rsa.example.test)');
    expect(mail.from?.name).toBe('Jörg Müller');
    const body = text(mail, 'body') ?? '';
    expect(body).toContain('Grüße aus Köln!');
    expect(body).toContain('秘密鍵が漏洩しました');
    expect(body).toContain('This part declares a charset nobody knows.');
    expect(mail.problems.some((p) => p.includes('x-no-such-charset'))).toBe(true);
  });
});

describe('parseMail on hostile input', () => {
  /** A multipart nested `depth` levels deep, as the nested-200 fixture is built. */
  function nested(depth: number): Buffer {
    const out = [
      'Content-Type: multipart/mixed; boundary="l0"',
      '',
      '--l0',
      'Content-Type: text/plain',
      '',
      'top',
      '',
    ];
    for (let i = 0; i < depth; i++)
      out.push(`--l${i}`, `Content-Type: multipart/mixed; boundary="l${i + 1}"`, '', '');
    out.push(`--l${depth}`, 'Content-Type: text/plain', '', 'innermost', '');
    for (let i = depth; i >= 0; i--) out.push(`--l${i}--`, '');
    return Buffer.from(out.join('\r\n'));
  }

  it('costs linear time in the nesting depth, past the depth limit too', async () => {
    const small = await fastest(() => parseMail(nested(200)));
    expect(await fastest(() => parseMail(nested(2000)))).toBeLessThan(linearBound(small, 10));
  });

  it('bounds a 200-level nested multipart: no stack overflow, problem noted', async () => {
    const mail = await parse('nested-200.eml');
    expect(text(mail, 'body')).toContain('top-level text');
    expect(text(mail, 'body')).not.toContain('innermost text');
    expect(
      mail.problems.some((p) => p.includes(`deeper than ${DEFAULT_MAIL_LIMITS.maxMimeDepth}`)),
    ).toBe(true);
  });

  it('survives 10,000 nesting levels (mailparser alone overflows its stack)', async () => {
    let raw = `From: a@researcher.example${CRLF}Subject: deep${CRLF}`;
    for (let i = 0; i < 10_000; i++)
      raw += `Content-Type: multipart/mixed; boundary="b${i}"${CRLF}${CRLF}--b${i}${CRLF}`;
    const mail = await parseMail(
      Buffer.from(`${raw}Content-Type: text/plain${CRLF}${CRLF}deep${CRLF}`),
    );
    expect(mail.subject).toBe('deep');
    expect(mail.problems.length).toBeGreaterThan(0);
  });

  it('notes a truncated base64 attachment and a missing closing boundary, and parses the rest', async () => {
    const mail = await parse('truncated-base64.eml');
    expect(text(mail, 'body')).toBe('The private keys are in the attached archive.');
    expect(Buffer.from(part(mail, 'attachment:rsa.pem')?.content ?? [])).toEqual(
      pki('leaf-rsa.pem'),
    );
    const zip = part(mail, 'attachment:keys.zip');
    expect(zip?.content.length).toBeGreaterThan(0);
    expect(zip?.content.length).toBeLessThan(pki('evidence.zip').length);
    expect(mail.problems.some((p) => /application\/zip.*truncated or corrupt/.test(p))).toBe(true);
    expect(mail.problems.some((p) => p.includes('no closing boundary'))).toBe(true);
  });

  it('never lets an encoded CR/LF create a header: subject and names stay single lines', async () => {
    const mail = await parse('header-injection.eml');
    expect(mail.subject).toBe(
      'Key compromise Bcc: victim@example.org Auto-Submitted: auto-replied',
    );
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.headers['auto-submitted']).toBeUndefined();
    // A bare CR inside another header does not start a Precedence header either.
    expect(mail.headers.precedence).toBeUndefined();
    expect(Object.keys(mail.headers)).not.toContain('bcc');
    expect(mail.from).toEqual({
      address: 'mallory@attacker.example',
      name: 'Mallory Bcc: victim@example.org',
    });
    for (const t of mail.content.texts.filter((t) => t.source === 'subject'))
      expect(t.text).not.toMatch(/[\r\n]/);
  });

  it('rejects garbage, empty and whitespace input with UnparsableMailError', async () => {
    await expect(parse('garbage.eml')).rejects.toBeInstanceOf(UnparsableMailError);
    await expect(parse('empty.eml')).rejects.toThrow(UnparsableMailError);
    await expect(parseMail(Buffer.from(' \r\n\t\r\n'))).rejects.toThrow(UnparsableMailError);
    await expect(parseMail(Buffer.from('hello, this is not a mail\r\n'))).rejects.toThrow(
      /first line is not a header field/,
    );
    const error = await parse('garbage.eml').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UnparsableMailError' });
  });

  it('parses a message that is only headers', async () => {
    const mail = await parse('headers-only.eml');
    expect(mail.subject).toBe('Headers only');
    expect(mail.from?.address).toBe('ivan@researcher.example');
    expect(mail.content.texts).toEqual([{ source: 'subject', text: 'Headers only' }]);
    expect(mail.content.parts).toEqual([]);
  });

  it('tolerates an mbox separator line before the headers', async () => {
    const mail = await parseMail(
      Buffer.from(
        `From a@b Thu Nov 26 10:00:00 2026${CRLF}From: x@researcher.example${CRLF}Subject: s${CRLF}${CRLF}b`,
      ),
    );
    expect(mail.subject).toBe('s');
  });
});

describe('parseMail header details', () => {
  const raw = (headers: string[], body = 'body'): Buffer =>
    Buffer.from(`${headers.join(CRLF)}${CRLF}${CRLF}${body}`);

  it('flags a From without a valid address, and tells it apart from a missing From', async () => {
    const invalid = await parseMail(raw(['From: not an address', 'Subject: x']));
    expect(invalid.fromInvalid).toBe(true);
    expect(invalid.from?.address).toBe('not an address');
    for (const from of [
      'From: <>',
      'From: user@localhost',
      'From: undisclosed-recipients:;',
      'From:',
    ]) {
      expect((await parseMail(raw([from, 'Subject: x']))).fromInvalid).toBe(true);
    }
    const missing = await parseMail(raw(['Subject: x']));
    expect(missing.from).toBeNull();
    expect(missing.fromInvalid).toBe(false);
  });

  it('uses the first of several From headers and notes it', async () => {
    const mail = await parseMail(
      raw(['From: first@researcher.example', 'From: second@attacker.example']),
    );
    expect(mail.from?.address).toBe('first@researcher.example');
    expect(mail.problems).toContain('2 From headers: the first one is used');
  });

  it('reads Reply-To, Message-IDs without brackets and a non-null Return-Path', async () => {
    const mail = await parseMail(
      raw([
        'Return-Path: <Bounces+X@Researcher.Example>',
        'From: A <a@researcher.example>',
        'Reply-To: Desk <Desk@Researcher.Example>',
        'Message-ID: bare-id@researcher.example',
        'References: <r1@x.example>',
        ' <r2@x.example> <r1@x.example>',
      ]),
    );
    expect(mail.returnPath).toBe('bounces+x@researcher.example');
    expect(mail.replyTo).toEqual({ address: 'desk@researcher.example', name: 'Desk' });
    expect(mail.messageIdHeader).toBe('bare-id@researcher.example');
    expect(mail.references).toEqual(['r1@x.example', 'r2@x.example', 'r1@x.example']);
  });
});

describe('parseMail limits', () => {
  const limits = (overrides: Partial<typeof DEFAULT_MAIL_LIMITS>) => ({
    ...DEFAULT_MAIL_LIMITS,
    ...overrides,
  });
  const head = `From: a@researcher.example${CRLF}Subject: limits${CRLF}`;

  it('parses only the first maxRawMessageBytes of a larger message and says so', async () => {
    const mail = await parseMail(
      Buffer.from(`${head}${CRLF}${'x'.repeat(10_000)}`),
      limits({ maxRawMessageBytes: 1_000 }),
    );
    expect(mail.subject).toBe('limits');
    expect((text(mail, 'body') ?? '').length).toBeLessThan(1_000);
    expect(mail.problems.some((p) => p.includes('only the first 1000 were parsed'))).toBe(true);
  });

  it('truncates text bodies beyond maxTextChars', async () => {
    const mail = await parseMail(
      Buffer.from(`${head}${CRLF}${'y'.repeat(5_000)}`),
      limits({ maxTextChars: 100 }),
    );
    expect(text(mail, 'body')).toHaveLength(100);
    expect(mail.problems.some((p) => p.includes('truncated'))).toBe(true);
  });

  const multipart = (parts: string[]): Buffer =>
    Buffer.from(
      `${head}Content-Type: multipart/mixed; boundary=b${CRLF}${CRLF}` +
        parts.map((p) => `--b${CRLF}${p}${CRLF}`).join('') +
        `--b--${CRLF}`,
    );
  const attachment = (name: string, base64: string): string =>
    `Content-Type: application/octet-stream${CRLF}Content-Disposition: attachment; filename=${name}${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64}`;

  it('keeps the first maxAttachmentBytes of an attachment and the first maxAttachments', async () => {
    const big = Buffer.alloc(3_000, 7).toString('base64');
    const mail = await parseMail(
      multipart([
        attachment('a.bin', big),
        attachment('b.bin', 'AAAA'),
        attachment('c.bin', 'AAAA'),
      ]),
      limits({ maxAttachmentBytes: 1_000, maxAttachments: 2 }),
    );
    expect(mail.content.parts.map((p) => [p.source, p.content.length])).toEqual([
      ['attachment:a.bin', 1_000],
      ['attachment:b.bin', 3],
    ]);
    expect(mail.problems).toContain(
      'attachment:a.bin: 3000 bytes, more than 1000: only the first 1000 kept',
    );
    expect(mail.problems).toContain('more than 2 attachments: 1 not decoded');
  });

  it('cuts the message at maxMimeParts instead of failing it', async () => {
    const many = Array.from(
      { length: 20 },
      (_, i) => `Content-Type: text/plain${CRLF}${CRLF}text ${i}`,
    );
    const mail = await parseMail(multipart(many), limits({ maxMimeParts: 5 }));
    expect(text(mail, 'body')).toContain('text 3');
    expect(text(mail, 'body')).not.toContain('text 4');
    expect(mail.problems.some((p) => p.includes('MIME part limit (5)'))).toBe(true);
  });

  it('keeps forwarded messages beyond maxNestedMessageDepth as unparsed parts', async () => {
    let message = `${head}${CRLF}innermost`;
    for (let i = 0; i < 3; i++) {
      message =
        `${head}Content-Type: multipart/mixed; boundary=m${i}${CRLF}${CRLF}--m${i}${CRLF}` +
        `Content-Type: message/rfc822${CRLF}Content-Disposition: attachment; filename=l${i}.eml${CRLF}${CRLF}` +
        `${message}${CRLF}--m${i}--${CRLF}`;
    }
    const mail = await parseMail(Buffer.from(message), limits({ maxNestedMessageDepth: 2 }));
    expect(mail.content.parts.map((p) => [p.source, p.contentType])).toEqual([
      ['attachment:l2.eml/attachment:l1.eml/attachment:l0.eml', 'message/rfc822'],
    ]);
    expect(mail.problems.some((p) => p.includes('nested deeper than 2'))).toBe(true);
  });

  it('drops root header lines beyond maxHeaderBytes but keeps the body', async () => {
    const received = Array.from(
      { length: 200 },
      (_, i) => `Received: from hop${i}.example by mx.example`,
    ).join(CRLF);
    const mail = await parseMail(
      Buffer.from(`${head}${received}${CRLF}${CRLF}still here`),
      limits({ maxHeaderBytes: 4_096 }),
    );
    expect(mail.subject).toBe('limits');
    expect(text(mail, 'body')).toBe('still here');
    expect(mail.problems.some((p) => p.includes('excess header lines dropped'))).toBe(true);
  });
});
