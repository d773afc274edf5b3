/**
 * The measured process of `npm run bench:intake`: loads an inventory that covers the mass report,
 * then runs the intake handler on the same raw message under fresh SES message ids (each a new
 * case, as a real mass report would be). Prints one JSON line of measurements.
 */
import { readFile } from 'node:fs/promises';
import { documentClient, s3Client } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';
import { readIntakeConfig } from '../../lambdas/intake/config.ts';
import { intakeDeps, intakeSettings } from '../../lambdas/intake/deps.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { deliverInbound } from '../../local/inbound.ts';

const [emlPath, inventoryPath, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const raw = await readFile(emlPath!);
const inventory = JSON.parse(await readFile(inventoryPath!, 'utf-8')) as InventoryRecord[];
const config = readIntakeConfig();
const deps = intakeDeps(config);
const s3 = s3Client();
const inbound = { bucket: config.inboundBucket, prefix: config.inboundPrefix };

const loadStart = performance.now();
await new DynamoInventory(documentClient(), config.inventoryTable).put(inventory);
const inventoryLoadMs = performance.now() - loadStart;

const times: number[] = [];
let last: unknown;
for (let i = 0; i < runs; i += 1) {
  const messageId = `bench${Date.now()}${i}mass`;
  // A distinct Message-ID per run, or runs 2..n would join run 1 as duplicates of the same report.
  const body = Buffer.from(
    raw
      .toString('latin1')
      .replace(/^Message-ID: .*$/im, `Message-ID: <run-${i}-${messageId}@bench>`),
    'latin1',
  );
  const event = await deliverInbound(s3, inbound, body, {
    messageId,
    timestamp: new Date(),
    source: 'mass@researcher.example',
    destination: ['cpr@ca.example'],
  });
  const t = performance.now();
  const [result] = await handleSesEvent(event, {
    deps,
    settings: intakeSettings(config),
    inboundPrefix: config.inboundPrefix,
  });
  times.push(performance.now() - t);
  last = result;
}
process.stdout.write(
  `${JSON.stringify({ times, inventoryLoadMs, maxRssKb: process.resourceUsage().maxRSS, result: last })}\n`,
);
process.exit(0);
