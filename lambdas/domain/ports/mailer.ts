/** Outbound mail: acknowledgments and preliminary reports. */

/** A plain-text mail we send. Loop safety (RFC 3834) is the mailer's job, not the caller's. */
export interface OutboundMail {
  readonly from: string;
  readonly to: string;
  readonly replyTo: string | null;
  readonly subject: string;
  readonly text: string;
  /**
   * Message-ID of the mail this one answers, without angle brackets, for threading. The mailer
   * drops it when SES would refuse it as a header (see `outbound.ts`).
   */
  readonly inReplyTo: string | null;
  /**
   * RFC 3834 5: `auto-replied` for the acknowledgment, `auto-generated` for the request for
   * information (a template), `no` for a report written by a person.
   */
  readonly autoSubmitted: 'auto-replied' | 'auto-generated' | 'no';
}

/**
 * SES answered and refused the mail (a bad address or header, sandbox, quota, a sending pause):
 * nothing went out. `code` is SES's error name. Any other error from `send` means no answer:
 * the mail may or may not have gone out.
 */
export class MailRefusedError extends Error {
  override readonly name = 'MailRefusedError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Mailer {
  /**
   * Sends through SES with the configuration set; returns SES's message id. Sends once: never
   * resent after a timeout, so a caller that claimed the send keeps it at most once.
   * @throws MailRefusedError when SES answered with a refusal
   */
  send(mail: OutboundMail): Promise<{ readonly messageId: string }>;
}
