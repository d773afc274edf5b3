/**
 * Classification through intake against the stand-ins: the signals that decided it and a
 * revocation request are recorded on the case, in its audit trail and in the team notice.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { teamNotice } from '../../lambdas/domain/escalation/messages.ts';
import { parseInventoryText } from '../../lambdas/domain/inventory/csv.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

let env: IntakeEnv;

beforeAll(async () => {
  env = await intakeEnv();
  const { records } = await parseInventoryText(
    readFileSync('test/fixtures/pki/inventory.csv', 'utf8'),
  );
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put([
    ...records,
    // 12345 in decimal is 0x3039: a CA portal that prints serials in decimal.
    {
      sha256: 'c0'.repeat(32),
      serial: '3039',
      spkiSha256: 'c1'.repeat(32),
      subscriber: 'Decimal Portal Ltd',
      email: 'pki@decimal.example',
    },
  ]);
});
afterAll(async () => env?.stop());

async function intake(options: Parameters<typeof compose>[0], minute: number) {
  const raw = await compose({ to: CPR_ADDRESS, ...options });
  const at = new Date(Date.UTC(2026, 10, 27, 10, minute));
  const { event } = await env.deliver(raw, { timestamp: at });
  const [result] = await env.intake(event);
  const c = await env.deps.cases.get(result?.caseId ?? '');
  if (!c) throw new Error('no case');
  return c;
}

describe('classification on the case', () => {
  test('a Subscriber writing in German that the server was hacked: keyCompromise, 24 h, signals recorded', async () => {
    const c = await intake(
      {
        from: 'Klaus <klaus@handwerk.example>',
        subject: 'Server gehackt',
        messageId: '<de-hacked@handwerk.example>',
        text: 'Guten Tag,\n\nunser Server wurde gehackt. Bitte sperren Sie das Zertifikat mit der Seriennummer 8b:ad:f0:0d:5e:ed:12:34:ca:fe:00:01.\n',
      },
      0,
    );
    expect(c.classification).toBe('keyCompromise');
    expect(c.classificationSignals).toEqual(['text:serverHacked:de', 'text:revocationRequest:de']);
    expect(c.revocationRequested).toBe(true);
    expect(c.deadlines.revocation).toBe('2026-11-28T10:00:00.000Z');
    const notice = teamNotice(c, { rawMail: (k) => k }).message;
    expect(notice).toContain('Classification:  keyCompromise (revocation requested)');
    expect(notice).toContain('Signals:         text:serverHacked:de, text:revocationRequest:de');
  });

  test('a newsletter about key compromise that names no certificate of ours: never keyCompromise', async () => {
    const c = await intake(
      {
        from: 'PKI Weekly <news@pkiweekly.example>',
        subject: 'This week: key compromise everywhere',
        messageId: '<newsletter-kc@pkiweekly.example>',
        headers: { 'List-Id': '<pki-weekly.lists.example>', Precedence: 'bulk' },
        text: 'Private keys were leaked from CI logs; servers were hacked. Please revoke old keys!',
      },
      1,
    );
    expect(c.classification).toBe('other');
    expect(c.revocationRequested).toBe(false);
    expect(c.classificationSignals).toContain('mail:bulkNotOurs');
    expect(c.deadlines.revocation).toBeNull();
  });

  test('a revocation request with no reason, in Japanese: other, revocation requested', async () => {
    const c = await intake(
      {
        from: '鈴木 <suzuki@office.example>',
        subject: '証明書の失効',
        messageId: '<ja-revoke@office.example>',
        text: '証明書の失効をお願いします。',
      },
      2,
    );
    expect(c.classification).toBe('other');
    expect(c.revocationRequested).toBe(true);
    expect(c.classificationSignals).toContain('text:revocationRequest:ja');
    // BR 4.9.1.1 (1): the Subscriber's written request is a 24-hour reason, certificate named
    // or not (received 10:02).
    expect(c.deadlines.revocation).toBe('2026-11-28T10:02:00.000Z');
  });

  test('"I never requested this certificate", naming none: misissuance with the 24 h deadline', async () => {
    const text = 'I never requested this certificate for brand.example. Who asked for it?';
    const headers = { from: 'Jane <jane@brand.example>', messageId: '<never@brand.example>' };
    const c = await intake({ ...headers, subject: 'A certificate for our domain', text }, 3);
    expect(c.classification).toBe('misissuance');
    expect(c.classificationSignals).toContain('text:unauthorisedIssuance:en');
    expect(c.revocationRequested).toBe(false);
    // BR 4.9.1.1 (2), not the 5 days of the misissuance list.
    expect(c.deadlines.revocation).toBe('2026-11-28T10:03:00.000Z');
  });
});

describe('digit-only serials through intake', () => {
  test('the reading the inventory knows is kept, and its Subscriber found', async () => {
    const c = await intake(
      {
        from: 'Eva <eva@praxis.example>',
        subject: 'Widerruf',
        messageId: '<de-decimal@praxis.example>',
        text: 'Bitte widerrufen Sie das Zertifikat.\nSeriennummer: 12345\n',
      },
      3,
    );
    expect(c.evidence.serials).toEqual(['3039']);
    expect(c.evidence.ambiguousSerials).toEqual([]);
    expect(c.affected).toEqual(['c0'.repeat(32)]);
    expect(c.subscribers.map((s) => s.email)).toEqual(['pki@decimal.example']);
  });

  test('a pair neither reading of which is known is recorded as ambiguous and shown both ways', async () => {
    const c = await intake(
      {
        from: 'Sam <sam@smallbiz.example>',
        subject: 'revoke',
        messageId: '<en-ambiguous@smallbiz.example>',
        text: 'Please revoke serial number 99999.',
      },
      4,
    );
    expect(c.evidence.serials).toEqual([]);
    expect(c.evidence.ambiguousSerials).toEqual([
      { text: '99999', asHex: '099999', asDecimal: '01869f' },
    ]);
    const notice = teamNotice(c, { rawMail: (k) => k }).message;
    expect(notice).toContain('Ambiguous serials (not in the inventory either way): 1');
    expect(notice).toContain('99999: as hex 099999, as decimal 01869f (hex)');
  });
});
