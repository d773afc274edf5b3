/**
 * Is a received message the canary? Only when its token is correct for this very mail and its
 * nonce is this message's: anything else with a canary header is an ordinary message, and the
 * case says why the header was not accepted, so nothing a sender copies can silence a report.
 */
import type { ParsedMail } from '../mail/types.ts';
import type { HeartbeatStore } from '../ports/heartbeat-store.ts';
import {
  CANARY_HEADER,
  CANARY_MAX_AGE_MS,
  type CanaryCheck,
  type CanaryContent,
  type CanaryRefusal,
  verifyCanaryToken,
} from './token.ts';

/**
 * The canary is a subject and one plain-text body. A mail with more (an attachment, an HTML
 * part, a forwarded message) was added to, and a token cannot vouch for what it never signed.
 */
function canaryContentOf(mail: ParsedMail): CanaryContent | null {
  const bodies = mail.content.texts.filter((t) => t.source !== 'subject');
  const [body] = bodies;
  if (mail.content.parts.length > 0 || bodies.length !== 1 || body?.source !== 'body') return null;
  return { subject: mail.subject ?? '', text: body.text };
}

/**
 * Null when the message has no canary header. Otherwise the check; a correct token also claims
 * its nonce for this SES message (one conditional write), so the same canary mail sent again is
 * `reused`. A token that fails its signature writes nothing.
 */
export async function recogniseCanary(
  mail: ParsedMail,
  message: { readonly sesMessageId: string; readonly receivedAt: string },
  secret: string | null,
  heartbeats: Pick<HeartbeatStore, 'claimNonce'>,
): Promise<CanaryCheck | null> {
  const header = mail.headers[CANARY_HEADER];
  if (header === undefined) return null;
  const content = canaryContentOf(mail);
  if (!content) return { valid: false, why: 'extraContent' };
  const check = verifyCanaryToken(header, secret, new Date(message.receivedAt), content);
  if (!check.valid) return check;
  const held = await heartbeats.claimNonce({
    nonce: check.nonce,
    sesMessageId: message.sesMessageId,
    messageIdHeader: mail.messageIdHeader,
    receivedAt: message.receivedAt,
  });
  return held ? check : { valid: false, why: 'reused' };
}

const REFUSAL_TEXT: Readonly<Record<CanaryRefusal, string>> = {
  malformed: 'not a canary token',
  badSignature: 'not signed with the canary key for this subject and text',
  stale: `sent more than ${CANARY_MAX_AGE_MS / 3_600_000} hours before it arrived`,
  noSecret: 'intake has no canary key',
  extraContent: "the mail holds more than the canary's subject and text",
  reused: 'its token was used by another message already (the canary mail sent again)',
};

/** The problem a case records for a canary header it did not accept. */
export function canaryRefusalProblem(why: CanaryRefusal): string {
  return `X-CPR-Canary header not accepted (${why}: ${REFUSAL_TEXT[why]}): handled as an ordinary message`;
}
