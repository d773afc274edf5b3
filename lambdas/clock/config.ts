/** Configuration of the clock's functions, read once at cold start. */
import type { AlertTopic } from '../domain/case/types.ts';
import {
  ACKNOWLEDGMENT_LIMIT_BOUNDS,
  type AcknowledgmentLimits,
  DEFAULT_ACKNOWLEDGMENT_LIMITS,
} from '../domain/notices/acknowledgment-limits.ts';
import { listEnv, MissingConfigError, optionalEnv, requireEnv } from '../shared/env.ts';
import { ALERT_TOPIC_ENV, ENV, type EnvName } from '../shared/env-names.ts';

/** A whole number within bounds from the environment, or the default; a bad value names itself. */
function boundedInt(
  name: EnvName,
  fallback: number,
  bounds: { readonly min: number; readonly max: number },
  env: NodeJS.ProcessEnv,
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < bounds.min || n > bounds.max) {
    throw new MissingConfigError(
      `environment variable ${name} must be a whole number from ${bounds.min} to ${bounds.max}, got "${raw}"`,
    );
  }
  return n;
}

/** The acknowledgment limits from the environment (the stack sets them from its config). */
export function readAcknowledgmentLimits(
  env: NodeJS.ProcessEnv = process.env,
): AcknowledgmentLimits {
  const d = DEFAULT_ACKNOWLEDGMENT_LIMITS;
  const b = ACKNOWLEDGMENT_LIMIT_BOUNDS;
  return {
    perAddress: boundedInt(ENV.ackLimitPerAddress, d.perAddress, b.perAddress, env),
    perDomain: boundedInt(ENV.ackLimitPerDomain, d.perDomain, b.perDomain, env),
    windowHours: boundedInt(ENV.ackLimitWindowHours, d.windowHours, b.windowHours, env),
  };
}

export interface SenderConfig {
  readonly casesTable: string;
  readonly auditTable: string;
  readonly senderAddress: string;
  readonly replyTo: string;
  readonly caName: string;
  readonly configurationSet: string;
  readonly region: string | null;
  readonly acknowledgmentLimits: AcknowledgmentLimits;
}

export function readSenderConfig(env: NodeJS.ProcessEnv = process.env): SenderConfig {
  const addresses = listEnv(ENV.cprAddresses, env);
  return {
    casesTable: requireEnv(ENV.casesTable, env),
    auditTable: requireEnv(ENV.auditTable, env),
    senderAddress: requireEnv(ENV.senderAddress, env),
    // Replies go to the first CPR address, so they come back through intake and join the case.
    replyTo: addresses[0]!,
    caName: optionalEnv(ENV.caName, 'Certificate Authority', env),
    configurationSet: requireEnv(ENV.configurationSet, env),
    region: env.AWS_REGION ?? null,
    acknowledgmentLimits: readAcknowledgmentLimits(env),
  };
}

export interface TopicConfig {
  readonly casesTable: string;
  readonly auditTable: string;
  readonly inboundBucket: string;
  /** ARNs of the alert topics the function publishes to; the others stay unset (and unusable). */
  readonly topics: Readonly<Partial<Record<AlertTopic, string>>>;
}

/** Reads the topic ARNs a function needs. */
export function readTopicConfig(
  needs: readonly AlertTopic[],
  env: NodeJS.ProcessEnv = process.env,
): TopicConfig {
  const topics: Partial<Record<AlertTopic, string>> = {};
  for (const topic of needs) topics[topic] = requireEnv(ALERT_TOPIC_ENV[topic], env);
  return {
    casesTable: requireEnv(ENV.casesTable, env),
    auditTable: requireEnv(ENV.auditTable, env),
    inboundBucket: optionalEnv(ENV.inboundBucket, 'inbound-bucket', env),
    topics,
  };
}
