/**
 * A revocation case from a real report: the test CA's certificate (and, for key compromise, its
 * private key) in real MIME through intake, and the inventory record that makes it ours.
 */
import { readFileSync } from 'node:fs';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import type { ClockEnv } from './clock-env.ts';
import { compose } from './compose.ts';
import { CPR_ADDRESS } from './intake-env.ts';
import type { IssuedCertificate, TestCa } from './test-ca.ts';

export function inventoryRecord(
  c: IssuedCertificate,
  extra: Partial<InventoryRecord> = {},
): InventoryRecord {
  return {
    sha256: c.sha256,
    serial: c.serial,
    spkiSha256: c.spkiSha256,
    subscriber: 'Example Subscriber Ltd',
    email: 'pki@subscriber.example',
    issuer: c.issuer,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    pem: c.pem,
    ...extra,
  };
}

export async function putInventory(env: ClockEnv, records: InventoryRecord[]): Promise<void> {
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put(records);
}

/** A report carrying the certificate and, for key compromise, its private key; the clock input. */
export async function reportCertificate(
  env: ClockEnv,
  ca: TestCa,
  cert: IssuedCertificate,
  options: { withKey: boolean; received: Date },
): Promise<DeadlineClockInput> {
  const key = readFileSync(`${ca.dir}/${cert.keyFile}`, 'utf8');
  const raw = await compose({
    from: 'Rita Reporter <rita@researcher.example>',
    to: CPR_ADDRESS,
    subject: options.withKey
      ? `Compromised key for ${cert.name}`
      : `Misissued certificate ${cert.name}`,
    messageId: `<${Math.random().toString(36).slice(2)}@researcher.example>`,
    text: options.withKey
      ? `The private key of ${cert.name} was posted publicly. Certificate and key:\n\n${cert.pem}\n${key}`
      : `This certificate was not issued in accordance with the Baseline Requirements:\n\n${cert.pem}`,
  });
  return env.clockInput(raw, { timestamp: options.received });
}
