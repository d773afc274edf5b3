import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_ATTACHMENT_BYTES,
  MAX_RAW_MESSAGE_BYTES,
} from '../../../lambdas/domain/mail/limits.ts';
import { parseMail } from '../../../lambdas/domain/mail/parse.ts';
import { buildLargeAttachmentMail, buildMaxSizeMail } from '../../support/mail-builders.ts';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

// Timing is measured by hand (see the mail parser notes), never asserted: CI machines vary.
describe('parseMail on messages at the size limits', () => {
  it('parses a 25 MiB attachment completely and intact', async () => {
    const built = await buildLargeAttachmentMail();
    expect(built.attachment.length).toBeLessThanOrEqual(MAX_ATTACHMENT_BYTES);
    const mail = await parseMail(built.raw);
    expect(mail.problems).toEqual([]);
    expect(mail.content.parts).toHaveLength(1);
    const part = mail.content.parts[0];
    expect(part?.source).toBe('attachment:dump.bin');
    expect(part?.content.length).toBe(25 * 1024 * 1024);
    expect(sha256(part?.content ?? new Uint8Array())).toBe(sha256(built.attachment));
  });

  it('parses a message at the SES maximum of 40 MiB without cutting anything', async () => {
    const built = await buildMaxSizeMail();
    expect(built.raw.length).toBeGreaterThan(39 * 1024 * 1024);
    expect(built.raw.length).toBeLessThanOrEqual(MAX_RAW_MESSAGE_BYTES);
    const mail = await parseMail(built.raw);
    expect(mail.problems).toEqual([]);
    expect(mail.content.parts[0]?.content.length).toBe(built.attachment.length);
    expect(mail.content.texts.map((t) => t.source)).toEqual(['subject', 'body']);
  });
});
