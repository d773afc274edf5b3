/** Real MIME built by nodemailer's composer, for tests that need a message of a given shape. */
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

export async function compose(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ date: new Date('2026-11-27T08:59:00Z'), ...options }).compile().build();
}
