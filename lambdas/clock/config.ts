/** Configuration of the clock's functions, read once at cold start. */
import type { AlertTopic } from '../domain/case/types.ts';
import { listEnv, optionalEnv, requireEnv } from '../shared/env.ts';
import { ALERT_TOPIC_ENV, ENV } from '../shared/env-names.ts';

export interface SenderConfig {
  readonly casesTable: string;
  readonly senderAddress: string;
  readonly replyTo: string;
  readonly caName: string;
  readonly configurationSet: string;
  readonly region: string | null;
}

export function readSenderConfig(env: NodeJS.ProcessEnv = process.env): SenderConfig {
  const addresses = listEnv(ENV.cprAddresses, env);
  return {
    casesTable: requireEnv(ENV.casesTable, env),
    senderAddress: requireEnv(ENV.senderAddress, env),
    // Replies go to the first CPR address, so they come back through intake and join the case.
    replyTo: addresses[0]!,
    caName: optionalEnv(ENV.caName, 'Certificate Authority', env),
    configurationSet: requireEnv(ENV.configurationSet, env),
    region: env.AWS_REGION ?? null,
  };
}

export interface TopicConfig {
  readonly casesTable: string;
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
    inboundBucket: optionalEnv(ENV.inboundBucket, 'inbound-bucket', env),
    topics,
  };
}
