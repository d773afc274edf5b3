/**
 * An intake environment for integration tests: fresh tables and bucket on the shared stand-ins,
 * the real adapters and SDK clients, and a loopback Step Functions endpoint that records starts.
 */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { s3Client } from '../../lambdas/adapters/aws-clients.ts';
import type { IntakeDeps, IntakeSettings } from '../../lambdas/domain/intake/intake-deps.ts';
import { DEFAULT_DEADLINE_POLICY_VERSION } from '../../lambdas/domain/policy/deadline-policy.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import type { IntakeConfig } from '../../lambdas/intake/config.ts';
import { intakeDeps, intakeSettings } from '../../lambdas/intake/deps.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { deliverInbound } from '../../local/inbound.ts';
import type { SesEventInput, sesReceiptEvent } from '../../local/ses-event.ts';
import { type SfnEndpoint, startSfnEndpoint } from '../../local/sfn-endpoint.ts';
import { type SnsSink, startSnsSink } from '../../local/sns-sink.ts';
import { createBucket, createTables, pointSdkAt } from '../../local/stand-ins.ts';

export const CPR_ADDRESS = 'cpr@ca.example';
/** The canary key of the test environments (64 hex characters, as the stack generates). */
export const TEST_CANARY_SECRET = 'c0ffee'.repeat(10).slice(0, 64);
/** The team topic intake announces joining messages on (the SNS sink receives it). */
export const TEAM_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:cpr-team';
export const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:000000000000:stateMachine:cpr-deadline-clock';

export interface IntakeEnv {
  readonly config: IntakeConfig;
  readonly deps: IntakeDeps;
  readonly settings: IntakeSettings;
  readonly sfn: SfnEndpoint;
  /** Where intake's (and, in a clock environment, the clock's) SNS publishes land. */
  readonly sns: SnsSink;
  readonly s3: S3Client;
  /** Stores a raw message as the SES S3 action would and returns the matching SES event. */
  deliver(
    raw: Uint8Array,
    options?: Partial<Omit<SesEventInput, 'headers'>>,
  ): Promise<{ event: ReturnType<typeof sesReceiptEvent>; messageId: string }>;
  /** Runs intake's handler on an SES event with this environment's deps and settings. */
  intake(event: unknown): ReturnType<typeof handleSesEvent>;
  /** Delivers `raw`, runs intake, and returns the input its case's clock was started with. */
  clockInput(
    raw: Uint8Array,
    options?: Partial<Omit<SesEventInput, 'headers'>>,
  ): Promise<DeadlineClockInput>;
  stop(): Promise<void>;
}

export async function intakeEnv(overrides: Partial<IntakeConfig> = {}): Promise<IntakeEnv> {
  const suffix = randomUUID().slice(0, 8);
  const sfn = await startSfnEndpoint();
  const sns = await startSnsSink();
  pointSdkAt(process.env, {
    sns: sns.endpoint,
    dynamodb: inject('dynamoEndpoint'),
    s3: inject('s3Endpoint'),
    sfn: sfn.endpoint,
  });
  const config: IntakeConfig = {
    casesTable: `cases-${suffix}`,
    auditTable: `audit-${suffix}`,
    inventoryTable: `inventory-${suffix}`,
    inboundBucket: `inbound-${suffix}`,
    inboundPrefix: 'inbound/',
    evidenceBucket: `inbound-${suffix}`,
    evidencePrefix: 'evidence/',
    stateMachineArn: STATE_MACHINE_ARN,
    teamTopicArn: TEAM_TOPIC_ARN,
    ownAddresses: [CPR_ADDRESS, 'revoke@ca.example', 'notices@ca.example'],
    deadlinePolicyVersion: DEFAULT_DEADLINE_POLICY_VERSION,
    archiveBucket: `archive-${suffix}`,
    canarySecret: { value: TEST_CANARY_SECRET },
    ...overrides,
  };
  await createTables(inject('dynamoEndpoint'), {
    cases: config.casesTable,
    audit: config.auditTable,
    inventory: config.inventoryTable,
  });
  await createBucket(inject('s3Endpoint'), config.inboundBucket);
  if (config.archiveBucket) await createBucket(inject('s3Endpoint'), config.archiveBucket);
  const s3 = s3Client();
  let counter = 0;
  const deps = intakeDeps(config);
  const settings = intakeSettings(config, TEST_CANARY_SECRET);
  const env: IntakeEnv = {
    config,
    deps,
    settings,
    sfn,
    sns,
    s3,
    async deliver(raw, options = {}) {
      counter += 1;
      const messageId = options.messageId ?? `${suffix}${String(counter).padStart(4, '0')}sesmsgid`;
      const where = { bucket: config.inboundBucket, prefix: config.inboundPrefix };
      const event = await deliverInbound(s3, where, raw, {
        messageId,
        timestamp: options.timestamp ?? new Date('2026-11-27T09:00:00.000Z'),
        source: options.source ?? 'reporter@researcher.example',
        destination: options.destination ?? [CPR_ADDRESS],
        ...(options.verdicts ? { verdicts: options.verdicts } : {}),
        ...(options.dmarcPolicy ? { dmarcPolicy: options.dmarcPolicy } : {}),
      });
      return { event, messageId };
    },
    intake(event) {
      return handleSesEvent(event, { deps, settings, inboundPrefix: config.inboundPrefix });
    },
    async clockInput(raw, options) {
      const { event } = await env.deliver(raw, options);
      const [r] = await env.intake(event);
      const start = sfn.startCalls.findLast((s) => s.name === r?.caseId);
      if (!start) throw new Error(`no clock was started for ${r?.caseId ?? 'the message'}`);
      return JSON.parse(start.input) as DeadlineClockInput;
    },
    async stop() {
      await sfn.stop();
      await sns.stop();
      s3.destroy();
    },
  };
  return env;
}
