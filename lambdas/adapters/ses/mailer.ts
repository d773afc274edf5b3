import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, OutboundMail } from '../../domain/ports/mailer.ts';

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
}

/**
 * Sends notices through SES v2 with the configuration set, whose event destination reports
 * delivery, bounce and complaint for every message. Every mail carries `Auto-Submitted`
 * (RFC 3834) and `X-Auto-Response-Suppress`, so well-behaved responders do not answer it and our
 * own intake recognises an echo.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSet: string,
  ) {}

  async send(mail: OutboundMail): Promise<{ messageId: string }> {
    const headers = [
      { Name: 'Auto-Submitted', Value: mail.autoSubmitted },
      { Name: 'X-Auto-Response-Suppress', Value: 'All' },
    ];
    if (mail.inReplyTo) {
      headers.push({ Name: 'In-Reply-To', Value: `<${mail.inReplyTo}>` });
      headers.push({ Name: 'References', Value: `<${mail.inReplyTo}>` });
    }
    const out = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [mail.to] },
        ReplyToAddresses: mail.replyTo ? [mail.replyTo] : undefined,
        ConfigurationSetName: this.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
            Headers: headers,
          },
        },
      }),
    );
    if (!out.MessageId) throw new MailSendError('SES accepted the mail but returned no message id');
    return { messageId: out.MessageId };
  }
}
