/** A mass report: thousands of certificates and serials in one mail, one bounded case item. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { CASE_ITEM_SAMPLE } from '../../lambdas/domain/case/evidence-set.ts';
import type { MessageEvidence } from '../../lambdas/domain/ports/evidence-store.ts';
import { type IntakeEnv, intakeEnv } from '../support/intake-env.ts';
import { buildMassReport, type MassReport } from '../support/mass-report.ts';

let env: IntakeEnv;
let report: MassReport;

beforeAll(async () => {
  env = await intakeEnv();
  report = await buildMassReport({ certificates: 2000, serials: 5000 });
  // 300 of the listed serials belong to 3 Subscribers in the inventory.
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put(
    report.serials.slice(0, 300).map((s, i) => ({
      sha256: `c${(i + 1).toString(16).padStart(63, '0')}`,
      serial: s.replaceAll(':', ''),
      spkiSha256: 'd'.repeat(64),
      subscriber: `Subscriber ${i % 3}`,
      email: `pki@s${i % 3}.example`,
    })),
  );
}, 120_000);
afterAll(async () => env?.stop());

test('one case with exact counts, a bounded item and the full evidence in S3', async () => {
  const { event } = await env.deliver(report.raw);
  const [result] = await env.intake(event);
  const c = await env.deps.cases.get(result!.caseId!);
  expect(c?.classification).toBe('misissuance');
  expect(c?.evidenceCounts.certificates).toBe(2000);
  expect(c?.evidenceCounts.serials).toBeGreaterThanOrEqual(5000);
  expect(c?.evidenceCounts.affected).toBe(2300);
  expect(c?.evidence.certificates).toHaveLength(CASE_ITEM_SAMPLE.certificates);
  expect(c?.evidenceTruncated).toBe(true);
  expect(c?.subscribers.map((s) => s.email)).toEqual([
    'pki@s0.example',
    'pki@s1.example',
    'pki@s2.example',
  ]);
  expect(c?.notices.filter((n) => n.kind === 'subscriberReport')).toHaveLength(3);
  expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(350_000);

  const file = await env.s3.send(
    new GetObjectCommand({ Bucket: env.config.evidenceBucket, Key: c!.messages[0]!.evidenceKey! }),
  );
  const full = JSON.parse(await file.Body!.transformToString()) as MessageEvidence;
  expect(full.evidence.certificates).toHaveLength(2000);
  expect(full.affected).toHaveLength(2300);
  // 5,000 serials and 2,000 certificates are 7,000 index queries (an index has no batch read);
  // against dynalite on a loaded 2-core machine that took 76 s (docs/benchmarks.md).
}, 240_000);
