/**
 * The canary's proof of origin. Every few minutes the canary sends a synthetic report through
 * SES to the public CPR address; intake must recognise it (record a heartbeat, open no case, send
 * nothing) without letting anyone else silence a real report by imitating it. The header carries
 * an HMAC-SHA256 over the version, send time and a nonce, keyed with a secret only the canary and
 * intake read.
 *
 *   X-CPR-Canary: v1;2026-11-27T09:00:00.000Z;3f9a0c...;<64 hex digits>
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CANARY_HEADER = 'x-cpr-canary';
/** The SES message tag on canary mail: its delivery events are expected and touch no notice. */
export const CANARY_EMAIL_TAG = { name: 'cpr-kind', value: 'canary' } as const;
export const CANARY_VERSION = 'v1';
/** A token older than this (or this far in the future) is refused: limits replay of a captured one. */
export const CANARY_MAX_AGE_MS = 6 * 3_600_000;
/** A secret shorter than this is refused: 256 bits, the HMAC-SHA256 key size. */
export const MIN_CANARY_SECRET_BYTES = 32;

export class CanarySecretError extends Error {
  override readonly name = 'CanarySecretError';
}

function mac(secret: string, sentAt: string, nonce: string): string {
  if (Buffer.byteLength(secret) < MIN_CANARY_SECRET_BYTES) {
    throw new CanarySecretError(
      `the canary secret must be at least ${MIN_CANARY_SECRET_BYTES} bytes`,
    );
  }
  return createHmac('sha256', secret).update(`${CANARY_VERSION}|${sentAt}|${nonce}`).digest('hex');
}

/** The header value for a canary sent at `sentAt`. */
export function createCanaryToken(
  secret: string,
  sentAt: Date,
  nonce = randomBytes(12).toString('hex'),
): string {
  const at = sentAt.toISOString();
  return `${CANARY_VERSION};${at};${nonce};${mac(secret, at, nonce)}`;
}

export type CanaryCheck =
  | { readonly valid: true; readonly sentAt: string; readonly nonce: string }
  | { readonly valid: false; readonly why: 'malformed' | 'badSignature' | 'stale' | 'noSecret' };

/**
 * Checks a header value. Anything but a fresh, correctly signed token is `valid: false`, and such
 * a message is then treated as the ordinary report it claims not to be.
 */
export function verifyCanaryToken(
  value: string | undefined | null,
  secret: string | null,
  now: Date,
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
  const expected = Buffer.from(mac(secret, sentAt, nonce), 'hex');
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
