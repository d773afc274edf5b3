/** Configuration of the clock's functions, read once at cold start. */

import { listEnv, optionalEnv, requireEnv } from '../shared/env.ts';
import { ENV } from '../shared/env-names.ts';

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
  readonly team?: string;
  readonly escalation?: string;
  readonly pager?: string;
  readonly inboundBucket: string;
}

/** Reads the topic ARNs a function needs; the others stay unset (and unusable). */
export function readTopicConfig(
  needs: readonly ('team' | 'escalation' | 'pager')[],
  env: NodeJS.ProcessEnv = process.env,
): TopicConfig {
  const names = {
    team: ENV.teamTopicArn,
    escalation: ENV.escalationTopicArn,
    pager: ENV.pagerTopicArn,
  } as const;
  const topics: Record<string, string> = {};
  for (const n of needs) topics[n] = requireEnv(names[n], env);
  return {
    casesTable: requireEnv(ENV.casesTable, env),
    inboundBucket: optionalEnv(ENV.inboundBucket, 'inbound-bucket', env),
    ...topics,
  };
}
