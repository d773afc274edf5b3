/**
 * Intake with the CA's issuers configured: a certificate in a report matches an inventory record
 * by SHA-256, or by issuer and serial with our issuer's signature, never by its serial alone.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { parseInventoryText } from '../../lambdas/domain/inventory/csv.ts';
import { parseIssuers } from '../../lambdas/domain/issuers/config.ts';
import type { MessageEvidence } from '../../lambdas/domain/ports/evidence-store.ts';
import { compose } from '../support/compose.ts';
import { type ForgedCertificates, makeForgedCertificates } from '../support/forged-certificates.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

const pki = (name: string) =>
  readFileSync(new URL(`../fixtures/pki/${name}`, import.meta.url), 'utf-8');
const RSA = (
  JSON.parse(pki('facts.json')) as {
    certificates: Record<string, { sha256: string; serial: string }>;
  }
).certificates['leaf-rsa.pem']!;
const ISSUER_4514 = 'CN=CPR Intake Test Issuing CA 1,O=CPR Intake Test,C=XX';

let env: IntakeEnv;
let forged: ForgedCertificates;

beforeAll(async () => {
  env = await intakeEnv({
    issuers: parseIssuers([{ name: 'Issuing CA 1', certificate: pki('intermediate-ca.pem') }]),
  });
  forged = makeForgedCertificates(RSA.serial);
  const lines = pki('inventory.csv').trim().split('\n');
  const csv = [`${lines[0]},issuer`, ...lines.slice(1).map((l) => `${l},"${ISSUER_4514}"`)];
  const { records } = await parseInventoryText(csv.join('\n'));
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put(records);
});
afterAll(async () => env?.stop());

async function report(messageId: string, text: string) {
  const raw = await compose({
    from: 'Mallory <mallory@attacker.example>',
    to: CPR_ADDRESS,
    subject: 'Key compromise',
    messageId,
    text,
  });
  const { event } = await env.deliver(raw);
  const [result] = await env.intake(event);
  const c = await env.deps.cases.get(result!.caseId!);
  const file = await env.s3.send(
    new GetObjectCommand({ Bucket: env.config.evidenceBucket, Key: c!.messages[0]!.evidenceKey! }),
  );
  return { c: c!, full: JSON.parse(await file.Body!.transformToString()) as MessageEvidence };
}

test('a self-signed certificate with a real serial and our issuer’s name, sent with its own key, pulls no stranger into the case', async () => {
  const { c } = await report(
    '<forged-1@attacker.example>',
    `The key of this certificate is compromised:\n\n${forged.forgerKey}\n${forged.selfSigned}`,
  );
  expect(c.evidence.certificates.map((x) => x.serial)).toEqual([RSA.serial]);
  expect(c.affected).not.toContain(RSA.sha256);
  expect(c.subscribers).toEqual([]);
  // Only the "identify the Subscriber" obligation: no preliminary report goes to a stranger.
  const toSubscribers = c.notices.filter((n) => n.kind === 'subscriberReport');
  expect(toSubscribers.map((n) => n.subscriber)).toEqual([null]);
});

test('a precertificate our issuer signed reaches its certificate’s Subscriber', async () => {
  const { c, full } = await report('<precert-1@researcher.example>', forged.precertificate);
  expect(c.affected).toContain(RSA.sha256);
  expect(c.subscribers.map((s) => s.email)).toEqual(['rsa-admin@subscriber.example']);
  expect(full.matchedBy?.[RSA.sha256]).toEqual(['precertificate']);
});

test('a serial in the text still matches, recorded as serial-only', async () => {
  const { c, full } = await report(
    '<serial-1@researcher.example>',
    `Please revoke the certificate with serial ${RSA.serial.toUpperCase()}.`,
  );
  expect(c.affected).toContain(RSA.sha256);
  expect(full.matchedBy?.[RSA.sha256]).toEqual(['serialOnly']);
});
