/**
 * The SES stand-in refuses what SES documents it refuses, through the real SDK client: tests
 * that send mail meet the failures production would.
 */
import { BadRequestException, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, inject, test } from 'vitest';
import { sesRefusalOf } from '../../local/ses-guard.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/stand-ins.ts';

const ses = new SESv2Client({
  endpoint: inject('sesEndpoint'),
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
  maxAttempts: 1,
});

function send(to: string, headers: { Name: string; Value: string }[] = []) {
  return ses.send(
    new SendEmailCommand({
      FromEmailAddress: 'notices@ca.example',
      Destination: { ToAddresses: [to] },
      Content: {
        Simple: {
          Subject: { Data: 'guard test' },
          Body: { Text: { Data: 'x' } },
          Headers: headers,
        },
      },
    }),
  );
}

describe('the SES guard', () => {
  test('passes a valid mail through to the stand-in', async () => {
    const out = await send('guard-ok@researcher.example', [
      { Name: 'Auto-Submitted', Value: 'auto-replied' },
    ]);
    expect(out.MessageId).toBeTruthy();
  });

  test.each([
    ['rité@researcher.example', /7-bit ASCII/],
    ['rita@bücher.example', /7-bit ASCII/],
    ['rita@[192.0.2.1]', /address literal/],
  ])('refuses %s as SES does', async (to, message) => {
    const error = await send(to).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((error as Error).message).toMatch(message);
  });

  test('refuses a header value over 870 characters, a non-ASCII one and a repeated In-Reply-To', async () => {
    for (const headers of [
      [{ Name: 'In-Reply-To', Value: `<${'x'.repeat(880)}@a.example>` }],
      [{ Name: 'In-Reply-To', Value: '<ü@a.example>' }],
      [
        { Name: 'In-Reply-To', Value: '<a@a.example>' },
        { Name: 'In-Reply-To', Value: '<b@a.example>' },
      ],
    ]) {
      await expect(send('guard-h@researcher.example', headers)).rejects.toBeInstanceOf(
        BadRequestException,
      );
    }
  });

  test('sesRefusalOf reads Name <address> forms and checks every address field', () => {
    expect(sesRefusalOf({ FromEmailAddress: 'CA <notices@ca.example>' })).toBeNull();
    expect(sesRefusalOf({ ReplyToAddresses: ['Ré <r@ca.example>'] })?.code).toBe(
      'BadRequestException',
    );
    expect(sesRefusalOf({ Destination: { BccAddresses: ['x@[10.0.0.1]'] } })?.code).toBe(
      'BadRequestException',
    );
  });
});
