/**
 * Case ids are what people read aloud on a call and type into the CLI, so they are short and
 * unambiguous (Crockford base32: no I, L, O, U), and stable: derived from the receipt date and
 * the SES messageId, so a retried invocation computes the same id.
 */
import { createHash } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Random part length: 30 bits, about a billion ids a day before collisions become likely. */
export const CASE_ID_RANDOM_CHARS = 6;

/** How many alternative ids we try when a candidate is taken by another message. */
export const MAX_CASE_ID_ATTEMPTS = 8;

/**
 * A case id as `caseIdFor` makes them, anywhere in a text (a subject line): `CPR-YYYYMMDD-` and 4
 * to 10 Crockford base32 characters (no I, L, O, U). Case-sensitive: ids are uppercase, and a
 * lowercased one was retyped, not replied to. `CASE_ID_REGEX` is the whole-string check.
 */
export const CASE_ID_PATTERN = /CPR-\d{8}-[0-9A-HJKMNP-TV-Z]{4,10}/;
export const CASE_ID_REGEX = new RegExp(`^${CASE_ID_PATTERN.source}$`);

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length >= chars) break;
  }
  return out;
}

/**
 * The `attempt`-th candidate id for a message. Attempt 0 is used unless another message already
 * holds it; the repository then tries attempt 1, 2, ... (still deterministic for retries).
 */
export function caseIdFor(receivedAt: Date, sesMessageId: string, attempt = 0): string {
  const day = receivedAt.toISOString().slice(0, 10).replaceAll('-', '');
  const digest = createHash('sha256').update(`${sesMessageId}\u0000${attempt}`).digest();
  return `CPR-${day}-${base32(digest, CASE_ID_RANDOM_CHARS)}`;
}

export function isCaseId(value: string): boolean {
  return CASE_ID_REGEX.test(value);
}
