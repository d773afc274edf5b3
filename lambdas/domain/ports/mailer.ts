/** Outbound mail: acknowledgments and preliminary reports. */

/** A plain-text mail we send. Loop safety (RFC 3834) is the mailer's job, not the caller's. */
export interface OutboundMail {
  readonly from: string;
  readonly to: string;
  readonly replyTo: string | null;
  readonly subject: string;
  readonly text: string;
  /** Message-ID of the mail this one answers, without angle brackets, for threading. */
  readonly inReplyTo: string | null;
  /** `auto-replied` for the acknowledgment, `no` for a report written by a person (RFC 3834). */
  readonly autoSubmitted: 'auto-replied' | 'auto-generated' | 'no';
}

export interface Mailer {
  /** Sends through SES with the configuration set; returns SES's message id. */
  send(mail: OutboundMail): Promise<{ readonly messageId: string }>;
}
