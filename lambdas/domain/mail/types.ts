/**
 * A received message after parsing: the headers intake needs for threading and loop safety,
 * and the decoded content evidence extraction reads. Produced by `parseMail` under the limits in
 * `limits.ts`; a message that breaks a limit is still returned, with the problem noted.
 */
import type { MailContent } from '../evidence/types.ts';

export interface Address {
  /** Lowercased address, or the raw text when it does not look like an address. */
  readonly address: string;
  readonly name: string;
}

export interface ParsedMail {
  /** Message-ID header without angle brackets, or null. */
  readonly messageIdHeader: string | null;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly subject: string | null;
  readonly from: Address | null;
  /** True when a From header exists but holds no valid address. */
  readonly fromInvalid: boolean;
  /**
   * Mailboxes in From, over every From header: more than one means nobody can tell who wrote
   * it (RFC 5322 3.6.2 then requires Sender), so no automatic answer goes out.
   */
  readonly fromMailboxes: number;
  /** The `d=` domains of the DKIM-Signature headers, in order (at most `maxMessageIds`). */
  readonly dkimDomains: readonly string[];
  readonly replyTo: Address | null;
  /** Return-Path as stored by the receiving MTA (`<>` means a null reverse-path). */
  readonly returnPath: string | null;
  /** Lowercased header names mapped to their (first) raw value, only the ones intake reads. */
  readonly headers: Readonly<Record<string, string>>;
  /** Is this a delivery status notification (multipart/report; report-type=delivery-status)? */
  readonly isDsn: boolean;
  readonly content: MailContent;
  /** Limits hit and parts that could not be decoded. */
  readonly problems: readonly string[];
}

/** The header names `ParsedMail.headers` keeps. */
// biome-ignore format: a long list of names, packed to read as one block
export const KEPT_HEADERS = [
  'auto-submitted', 'precedence', 'list-id', 'list-unsubscribe', 'x-auto-response-suppress',
  'x-autoreply', 'x-autorespond', 'content-type', 'date', 'x-cpr-canary',
] as const;
