/**
 * Large messages built in memory at test time with nodemailer's MailComposer: a 25 MB attachment
 * (the common client cap) and a message at the SES inbound maximum (40 MB). They are too big to
 * commit as fixtures. Also a `ParsedMail` builder for tests of code that consumes parsed mail.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { ParsedMail } from '../../lambdas/domain/mail/types.ts';
import { pseudoRandomBytes } from './random.ts';

const MiB = 1024 * 1024;

/** Base64 in 76-character lines plus CRLF: 78 bytes of mail per 57 bytes of content. */
const BASE64_LINE_RATIO = 78 / 57;

export interface BuiltMail {
  readonly raw: Buffer;
  /** The attachment as sent, to compare the parsed one with. */
  readonly attachment: Buffer;
  readonly filename: string;
}

async function withAttachment(
  name: string,
  attachment: Buffer,
  filename: string,
): Promise<BuiltMail> {
  const raw = await new MailComposer({
    from: 'Large Reporter <large@researcher.example>',
    to: 'cpr@ca.example',
    subject: `Key compromise evidence (${name})`,
    messageId: `<${name}@researcher.example>`,
    date: new Date('2026-11-27T08:55:00Z'),
    newline: 'win',
    baseBoundary: name,
    text: 'Hello,\n\nthe attached archive holds compromised private keys.\n',
    attachments: [{ filename, content: attachment, contentType: 'application/octet-stream' }],
  })
    .compile()
    .build();
  return { raw, attachment, filename };
}

/** A report with one attachment of `bytes` (default 25 MiB). */
export function buildLargeAttachmentMail(bytes = 25 * MiB): Promise<BuiltMail> {
  return withAttachment('large-attachment', pseudoRandomBytes(bytes), 'dump.bin');
}

/** A report whose raw size is just under `rawBytes` (default 40 MiB, the SES inbound maximum). */
export function buildMaxSizeMail(rawBytes = 40 * MiB): Promise<BuiltMail> {
  const attachment = Math.floor((rawBytes - 4096) / BASE64_LINE_RATIO);
  return withAttachment('max-size', pseudoRandomBytes(attachment, 0x1234567), 'keys.tar');
}

/** A plain, acknowledgeable report as `parseMail` would return it; override what a test needs. */
export function parsedMail(overrides: Partial<ParsedMail> = {}): ParsedMail {
  return {
    messageIdHeader: 'report-1@researcher.example',
    inReplyTo: [],
    references: [],
    subject: 'Certificate problem report',
    from: { address: 'reporter@researcher.example', name: 'Reporter' },
    fromInvalid: false,
    fromMailboxes: 1,
    dkimDomains: [],
    replyTo: null,
    returnPath: 'reporter@researcher.example',
    headers: {},
    isDsn: false,
    content: { texts: [], parts: [] },
    problems: [],
    ...overrides,
  };
}
