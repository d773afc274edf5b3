/** The canary's synthetic report, sent through SES v2 with the configuration set like a notice. */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { CANARY_EMAIL_TAG } from '../../domain/canary/token.ts';
import type { CanaryMail, CanaryMailer } from '../../domain/ports/canary.ts';

/** `X-CPR-Canary` as sent; intake compares header names case-insensitively (CANARY_HEADER). */
export const CANARY_HEADER_NAME = 'X-CPR-Canary';

export class CanaryNotAcceptedError extends Error {
  override readonly name = 'CanaryNotAcceptedError';
}

/**
 * SES message tag `CANARY_EMAIL_TAG` on every canary mail: SES copies tags into its event records
 * (`mail.tags["cpr-kind"] = ["canary"]`), so the delivery-events function can tell the canary's
 * SEND and DELIVERY events from those of notices.
 */
export class SesCanaryMailer implements CanaryMailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSet: string,
  ) {}

  async send(mail: CanaryMail): Promise<{ messageId: string }> {
    const out = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: mail.from,
        Destination: { ToAddresses: [mail.to] },
        ConfigurationSetName: this.configurationSet,
        EmailTags: [{ Name: CANARY_EMAIL_TAG.name, Value: CANARY_EMAIL_TAG.value }],
        Content: {
          Simple: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: mail.text, Charset: 'UTF-8' } },
            Headers: [
              { Name: CANARY_HEADER_NAME, Value: mail.token },
              // If intake ever fails to recognise it, it still never gets an acknowledgment.
              { Name: 'Auto-Submitted', Value: 'auto-generated' },
              { Name: 'X-Auto-Response-Suppress', Value: 'All' },
            ],
          },
        },
      }),
    );
    if (!out.MessageId) {
      throw new CanaryNotAcceptedError('SES accepted the canary but returned no id');
    }
    return { messageId: out.MessageId };
  }
}
