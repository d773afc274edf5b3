/** The canary's configuration, read once at cold start; a missing variable fails it, named. */

import type { SecretSource } from '../adapters/secrets.ts';
import type { CanaryRunSettings } from '../domain/canary/run.ts';
import { ALERT_TOPICS, type AlertTopic } from '../domain/case/types.ts';
import { listEnv, requireEnv } from '../shared/env.ts';
import { ALERT_TOPIC_ENV, ENV } from '../shared/env-names.ts';

export interface CanaryConfig {
  readonly casesTable: string;
  readonly configurationSet: string;
  readonly secret: SecretSource;
  readonly topics: Readonly<Record<AlertTopic, string>>;
  readonly settings: CanaryRunSettings;
}

export class CanaryConfigError extends Error {
  override readonly name = 'CanaryConfigError';
}

export function readCanaryConfig(env: NodeJS.ProcessEnv = process.env): CanaryConfig {
  const interval = Number(requireEnv(ENV.canaryIntervalMinutes, env));
  if (!Number.isInteger(interval) || interval < 1) {
    throw new CanaryConfigError(`${ENV.canaryIntervalMinutes} must be a whole number of minutes`);
  }
  const secretArn = env[ENV.canarySecretArn]?.trim();
  const plain = env[ENV.canarySecret];
  let secret: SecretSource;
  if (secretArn) secret = { kind: 'secretsManager', secretArn };
  else if (plain) secret = { kind: 'plain', secret: plain };
  else {
    throw new CanaryConfigError(
      `neither ${ENV.canarySecretArn} nor ${ENV.canarySecret} is set: the canary cannot sign`,
    );
  }
  const [to] = listEnv(ENV.cprAddresses, env);
  if (!to) throw new CanaryConfigError(`${ENV.cprAddresses} lists no address`);
  return {
    casesTable: requireEnv(ENV.casesTable, env),
    configurationSet: requireEnv(ENV.configurationSet, env),
    secret,
    topics: Object.fromEntries(
      ALERT_TOPICS.map((topic) => [topic, requireEnv(ALERT_TOPIC_ENV[topic], env)]),
    ) as Record<AlertTopic, string>,
    settings: {
      from: requireEnv(ENV.senderAddress, env),
      to,
      expectedRuleSet: requireEnv(ENV.receiptRuleSetName, env),
      intervalMinutes: interval,
      region: env.AWS_REGION ?? null,
    },
  };
}
