/**
 * What SES v2 accepts in an outbound mail, checked before the call so that a reporter's address
 * or Message-ID never turns into a refused send. The limits are SES's documented ones:
 *
 * - Addresses (SES v2 API Reference, `Destination`): SES does not support SMTPUTF8 (RFC 6531),
 *   so the local part may only hold 7-bit ASCII, and a non-ASCII domain must be sent as Punycode
 *   (RFC 3492).
 * - Headers (SES v2 API Reference, `MessageHeader`): a name of 1 to 126 printable ASCII
 *   characters without a colon (pattern `^[!-9;-@A-~]+$`), a value of 1 to 870 printable ASCII
 *   characters (pattern `[ -~]*`).
 *
 * Our own rules on top: no address literal (`user@[192.0.2.1]`) and no quoted local part. SES
 * documents addresses by their domain part only; an answer to a bare IP is also the classic
 * backscatter target. RFC 5321 4.5.3.1 bounds the local part (64) and the path (256, so 254 for
 * the address).
 */
import { domainToASCII } from 'node:url';

export const SES_HEADER_LIMITS = {
  /** SES v2 `MessageHeader.Name`: 1 to 126 characters. */
  maxNameChars: 126,
  /** SES v2 `MessageHeader.Value`: 1 to 870 characters. */
  maxValueChars: 870,
} as const;

/** RFC 5321 4.5.3.1.1 and 4.5.3.1.3: local part 64 octets, path 256 (254 without brackets). */
export const ADDRESS_LIMITS = { maxLocalPart: 64, maxAddress: 254 } as const;

/** SES v2 `MessageHeader.Name` pattern: printable ASCII except the colon. */
const HEADER_NAME = /^[!-9;-~]+$/;
/** SES v2 `MessageHeader.Value` pattern: printable ASCII and space. */
const HEADER_VALUE = /^[ -~]+$/;
/** RFC 5322 3.2.3 atext, ASCII only (SES: no SMTPUTF8). */
const ASCII_DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** A DNS name in ASCII form, at least two labels, each 1 to 63 characters (RFC 1035 2.3.4). */
const ASCII_DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

// biome-ignore format: a long list of names, packed to read as one block
export const UNDELIVERABLE_REASONS = [
  'notAnAddress', 'nonAsciiLocalPart', 'quotedLocalPart', 'addressLiteral', 'invalidDomain',
  'tooLong',
] as const;
export type UndeliverableReason = (typeof UNDELIVERABLE_REASONS)[number];

export type OutboundAddress =
  | { readonly deliverable: true; readonly address: string; readonly domain: string }
  | { readonly deliverable: false; readonly reason: UndeliverableReason };

/**
 * The address as SES can send to it (domain in Punycode, lowercased), or why it cannot.
 * @example outboundAddress('rita@bücher.example') // { deliverable: true, address: 'rita@xn--bcher-kva.example', ... }
 */
export function outboundAddress(address: string): OutboundAddress {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return { deliverable: false, reason: 'notAnAddress' };
  const local = trimmed.slice(0, at);
  const rawDomain = trimmed.slice(at + 1);
  if (local.startsWith('"')) return { deliverable: false, reason: 'quotedLocalPart' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for anything outside ASCII
  if (/[^\x00-\x7f]/.test(local)) return { deliverable: false, reason: 'nonAsciiLocalPart' };
  if (!ASCII_DOT_ATOM.test(local)) return { deliverable: false, reason: 'notAnAddress' };
  if (rawDomain.startsWith('[')) return { deliverable: false, reason: 'addressLiteral' };
  const domain = domainToASCII(rawDomain.toLowerCase());
  if (!domain || !ASCII_DOMAIN.test(domain)) return { deliverable: false, reason: 'invalidDomain' };
  const result = `${local}@${domain}`;
  if (local.length > ADDRESS_LIMITS.maxLocalPart || result.length > ADDRESS_LIMITS.maxAddress) {
    return { deliverable: false, reason: 'tooLong' };
  }
  return { deliverable: true, address: result, domain };
}

/** Would SES accept this header as it is? */
export function isSesHeader(name: string, value: string): boolean {
  return (
    name.length <= SES_HEADER_LIMITS.maxNameChars &&
    value.length <= SES_HEADER_LIMITS.maxValueChars &&
    HEADER_NAME.test(name) &&
    HEADER_VALUE.test(value)
  );
}

/**
 * The `<msg-id>` we may put in In-Reply-To and References, or null when SES would refuse it: a
 * reporter's Message-ID is sender-chosen, may be long or hold UTF-8 (RFC 6532). Without it the
 * reply still threads by the case id in the subject.
 */
export function threadingReference(messageId: string | null): string | null {
  if (!messageId) return null;
  const value = `<${messageId}>`;
  // Inside the brackets: no spaces, no brackets (RFC 5322 3.6.4 msg-id is one token).
  if (/[\s<>]/.test(messageId)) return null;
  return isSesHeader('In-Reply-To', value) ? value : null;
}
