import { describe, expect, test } from 'vitest';
import {
  CanarySecretError,
  createCanaryToken,
  heartbeatStale,
  verifyCanaryToken,
} from '../../../lambdas/domain/canary/token.ts';

const secret = 'k'.repeat(64);
const sent = new Date('2026-11-27T09:00:00.000Z');
const content = {
  subject: 'CPR intake canary 2026-11-27T09:00:00.000Z',
  text: 'Synthetic.\nLine 2',
};

describe('canary token', () => {
  test('a fresh token made with the secret verifies', () => {
    const token = createCanaryToken(secret, sent, content, 'abcdef0123456789');
    expect(verifyCanaryToken(token, secret, new Date('2026-11-27T09:00:05.000Z'), content)).toEqual(
      {
        valid: true,
        sentAt: '2026-11-27T09:00:00.000Z',
        nonce: 'abcdef0123456789',
      },
    );
  });

  test('another key, a changed time, a stale or malformed token do not', () => {
    const token = createCanaryToken(secret, sent, content);
    const soon = new Date('2026-11-27T09:01:00.000Z');
    expect(verifyCanaryToken(token, 'x'.repeat(64), soon, content)).toEqual({
      valid: false,
      why: 'badSignature',
    });
    expect(verifyCanaryToken(token.replace('09:00:00', '09:00:01'), secret, soon, content)).toEqual(
      {
        valid: false,
        why: 'badSignature',
      },
    );
    expect(verifyCanaryToken(token, secret, new Date('2026-11-28T09:00:00.000Z'), content)).toEqual(
      {
        valid: false,
        why: 'stale',
      },
    );
    expect(verifyCanaryToken('v1;garbage', secret, soon, content)).toEqual({
      valid: false,
      why: 'malformed',
    });
    expect(verifyCanaryToken(token, null, soon, content)).toEqual({
      valid: false,
      why: 'noSecret',
    });
  });

  test('bound to its message: the same header on another subject or text does not verify', () => {
    const token = createCanaryToken(secret, sent, content);
    const soon = new Date('2026-11-27T09:01:00.000Z');
    for (const other of [
      { ...content, text: 'Please revoke: -----BEGIN PRIVATE KEY-----' },
      { ...content, subject: 'Key compromise report' },
    ]) {
      expect(verifyCanaryToken(token, secret, soon, other)).toEqual({
        valid: false,
        why: 'badSignature',
      });
    }
    // What SES's re-encoding does to whitespace (CRLF, folding) does not matter.
    expect(
      verifyCanaryToken(token, secret, soon, {
        subject: ` ${content.subject}`,
        text: 'Synthetic.\r\n  Line 2\r\n',
      }),
    ).toMatchObject({ valid: true });
  });

  test('a token of the first version, signed without the content, is not accepted', () => {
    const v2 = createCanaryToken(secret, sent, content, 'abcdef0123456789');
    const v1 = v2.replace(/^v2;/, 'v1;');
    expect(verifyCanaryToken(v1, secret, sent, content)).toEqual({
      valid: false,
      why: 'malformed',
    });
  });

  test('a short secret is refused', () => {
    expect(() => createCanaryToken('short', sent, content)).toThrow(CanarySecretError);
  });

  test('a heartbeat older than two intervals, or none, is stale', () => {
    const h = {
      receivedAt: '2026-11-27T09:00:00.000Z',
      sentAt: '2026-11-27T08:59:58.000Z',
      sesMessageId: 'm',
      latencyMs: 2000,
    };
    const interval = 15 * 60_000;
    expect(heartbeatStale(h, new Date('2026-11-27T09:29:00.000Z'), interval)).toBe(false);
    expect(heartbeatStale(h, new Date('2026-11-27T09:31:00.000Z'), interval)).toBe(true);
    expect(heartbeatStale(null, new Date(), interval)).toBe(true);
  });
});
