/**
 * The canary's proof of origin. Every few minutes the canary sends a synthetic report through
 * SES to the public CPR address; intake must recognise it (record a heartbeat, open no case, send
 * nothing) without letting anyone else silence a real report by imitating it. The header carries
 * an HMAC-SHA256, keyed with a secret only the canary and intake read, over the version, the send
 * time, a nonce and a digest of the mail it rides on (its subject and text):
 *
 *   X-CPR-Canary: v2;2026-11-27T09:00:00.000Z;3f9a0c...;<64 hex digits>
 *
 * Bound to its mail: the header copied onto any other mail (a real report) does not verify.
 * Used once: intake claims the nonce with a conditional write (`HeartbeatStore.claimNonce`), so
 * the whole canary mail sent again is an ordinary case, not a heartbeat that would keep the
 * canary's alarm quiet while the real path is broken. The Message-ID cannot be what the token is
 * bound to: SES replaces the Message-ID a sender sets with its own, known only after the send;
 * intake records it with the claimed nonce instead.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CANARY_HEADER = 'x-cpr-canary';
/** The SES message tag on canary mail: its delivery events are expected and touch no notice. */
export const CANARY_EMAIL_TAG = { name: 'cpr-kind', value: 'canary' } as const;
/** v2: bound to the mail's subject and text (v1 signed only the time and nonce). */
export const CANARY_VERSION = 'v2';
/** A token older than this (or this far in the future) is refused: limits replay of a captured one. */
export const CANARY_MAX_AGE_MS = 6 * 3_600_000;
/** A secret shorter than this is refused: 256 bits, the HMAC-SHA256 key size. */
export const MIN_CANARY_SECRET_BYTES = 32;

export class CanarySecretError extends Error {
  override readonly name = 'CanarySecretError';
}

/** What the token is bound to: the canary mail's subject and text as a reader decodes them. */
export interface CanaryContent {
  readonly subject: string;
  readonly text: string;
}

/**
 * SHA-256 of subject and text with every run of whitespace made one space: what survives SES's
 * re-encoding (header folding, quoted-printable soft breaks, CRLF) and the parser's decoding.
 */
function contentDigest(content: CanaryContent): string {
  const canonical = (s: string) => s.replace(/\s+/gu, ' ').trim();
  return createHash('sha256')
    .update(`${canonical(content.subject)}\n${canonical(content.text)}`)
    .digest('hex');
}

function mac(secret: string, sentAt: string, nonce: string, content: CanaryContent): string {
  if (Buffer.byteLength(secret) < MIN_CANARY_SECRET_BYTES) {
    throw new CanarySecretError(
      `the canary secret must be at least ${MIN_CANARY_SECRET_BYTES} bytes`,
    );
  }
  return createHmac('sha256', secret)
    .update(`${CANARY_VERSION}|${sentAt}|${nonce}|${contentDigest(content)}`)
    .digest('hex');
}

/** The header value for the canary mail `content`, sent at `sentAt`. */
export function createCanaryToken(
  secret: string,
  sentAt: Date,
  content: CanaryContent,
  nonce = randomBytes(12).toString('hex'),
): string {
  const at = sentAt.toISOString();
  return `${CANARY_VERSION};${at};${nonce};${mac(secret, at, nonce, content)}`;
}

/**
 * Why a message with a canary header is not taken as the canary, and so becomes a case: one
 * closed set, shown to the team on the case.
 */
export const CANARY_REFUSALS = [
  'malformed',
  'badSignature',
  'stale',
  'noSecret',
  /** More than a subject and one plain-text body: added to, so not what the token signed. */
  'extraContent',
  /** A correct token whose nonce another message used already: the canary mail sent again. */
  'reused',
] as const;
export type CanaryRefusal = (typeof CANARY_REFUSALS)[number];

export type CanaryCheck =
  | { readonly valid: true; readonly sentAt: string; readonly nonce: string }
  | { readonly valid: false; readonly why: CanaryRefusal };

/**
 * Checks a header value against the mail it came with. Anything but a fresh token, correctly
 * signed for this very content, is `valid: false`, and such a message is then treated as the
 * ordinary report it claims not to be. (Whether its nonce is still unused is the caller's check.)
 */
export function verifyCanaryToken(
  value: string | undefined | null,
  secret: string | null,
  now: Date,
  content: CanaryContent,
): CanaryCheck {
  if (!value) return { valid: false, why: 'malformed' };
  if (!secret) return { valid: false, why: 'noSecret' };
  const parts = value.trim().split(';');
  if (parts.length !== 4 || parts[0] !== CANARY_VERSION) return { valid: false, why: 'malformed' };
  const [, sentAt, nonce, signature] = parts as [string, string, string, string];
  const t = Date.parse(sentAt);
  if (!/^[0-9a-f]{8,64}$/.test(nonce) || !/^[0-9a-f]{64}$/.test(signature) || Number.isNaN(t)) {
    return { valid: false, why: 'malformed' };
  }
  const expected = Buffer.from(mac(secret, sentAt, nonce, content), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    return { valid: false, why: 'badSignature' };
  if (Math.abs(now.getTime() - t) > CANARY_MAX_AGE_MS) return { valid: false, why: 'stale' };
  return { valid: true, sentAt, nonce };
}

/** What intake records when a canary arrives: the end-to-end proof that the mail path works. */
export interface Heartbeat {
  readonly receivedAt: string;
  readonly sentAt: string;
  readonly sesMessageId: string;
  /** From the canary's send to SES's receipt, in milliseconds. */
  readonly latencyMs: number;
}

/** The age of the last heartbeat at `now`, or null when none was ever recorded. */
export function heartbeatAgeMs(h: Heartbeat | null, now: Date): number | null {
  return h ? now.getTime() - Date.parse(h.receivedAt) : null;
}

/** A heartbeat older than two canary intervals means the mail path is broken. */
export function heartbeatStale(h: Heartbeat | null, now: Date, intervalMs: number): boolean {
  const age = heartbeatAgeMs(h, now);
  return age === null || age > 2 * intervalMs;
}
