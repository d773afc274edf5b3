import { type SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { isSesHeader, threadingReference } from '../../domain/notices/outbound.ts';
import { type Mailer, MailRefusedError, type OutboundMail } from '../../domain/ports/mailer.ts';

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
}

/**
 * SES's throttling refusal: the mail was not accepted, so sending it again cannot duplicate it.
 * At most this many attempts in all, `THROTTLE_BACKOFF_MS` apart, doubling.
 */
export const THROTTLE_ATTEMPTS = 3;
export const THROTTLE_BACKOFF_MS = 500;
const THROTTLED = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling']);

/**
 * Sends notices through SES v2 with the configuration set, whose event destination reports
 * delivery, bounce and complaint for every message. Every mail carries `Auto-Submitted`
 * (RFC 3834) and `X-Auto-Response-Suppress`, so well-behaved responders do not answer it and our
 * own intake recognises an echo. A header SES would refuse is left out, not sent.
 *
 * The client must not retry on its own (`sesClient({ singleAttempt: true })`): after a timeout SES may
 * have accepted the mail, and a silent resend would break at-most-once. Only a throttling
 * refusal, where SES said no, is tried again here.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSet: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async send(mail: OutboundMail): Promise<{ messageId: string }> {
    const headers = [
      { Name: 'Auto-Submitted', Value: mail.autoSubmitted },
      { Name: 'X-Auto-Response-Suppress', Value: 'All' },
    ];
    const reference = threadingReference(mail.inReplyTo);
    if (reference) {
      headers.push({ Name: 'In-Reply-To', Value: reference });
      headers.push({ Name: 'References', Value: reference });
    }
    const command = new SendEmailCommand({
      FromEmailAddress: mail.from,
      Destination: { ToAddresses: [mail.to] },
      ReplyToAddresses: mail.replyTo ? [mail.replyTo] : undefined,
      ConfigurationSetName: this.configurationSet,
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
          Headers: headers.filter((h) => isSesHeader(h.Name, h.Value)),
        },
      },
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        const out = await this.ses.send(command);
        if (!out.MessageId) {
          throw new MailSendError('SES accepted the mail but returned no message id');
        }
        return { messageId: out.MessageId };
      } catch (error) {
        // A service exception is SES's answer: nothing was sent. Anything else (a timeout, a
        // dropped connection) leaves the outcome unknown and is passed on as it is.
        if (!(error instanceof SESv2ServiceException)) throw error;
        if (THROTTLED.has(error.name) && attempt < THROTTLE_ATTEMPTS) {
          await this.sleep(THROTTLE_BACKOFF_MS * 2 ** (attempt - 1));
          continue;
        }
        throw new MailRefusedError(error.name, error.message, { cause: error });
      }
    }
  }
}
