import { readIssuersFile } from '../adapters/fs/issuers-file.ts';
import type { IssuerCertificate } from '../domain/issuers/config.ts';
import {
  DEFAULT_DEADLINE_POLICY_VERSION,
  deadlinePolicy,
} from '../domain/policy/deadline-policy.ts';
import { listEnv, optionalEnv, requireEnv } from '../shared/env.ts';
import { ENV } from '../shared/env-names.ts';

export interface IntakeConfig {
  readonly casesTable: string;
  /** The append-only audit log. */
  readonly auditTable: string;
  readonly inventoryTable: string;
  readonly inboundBucket: string;
  /** Prefix of the SES S3 action; the raw message's key is prefix + SES messageId. */
  readonly inboundPrefix: string;
  readonly evidenceBucket: string;
  readonly evidencePrefix: string;
  readonly stateMachineArn: string;
  /** The team topic: every message that joins a case is announced there. */
  readonly teamTopicArn: string;
  readonly ownAddresses: readonly string[];
  readonly deadlinePolicyVersion: string;
  /** Object Lock archive bucket; null only outside AWS when none is configured. */
  readonly archiveBucket: string | null;
  /** Where the canary's HMAC key is: a Secrets Manager ARN (AWS) or the key itself (local). */
  readonly canarySecret: { readonly arn: string } | { readonly value: string } | null;
  /** The CA's issuer certificates (CPR_ISSUERS); empty when none are configured. */
  readonly issuers?: readonly IssuerCertificate[];
}

/** Reads and checks the intake function's configuration; throws naming the first problem. */
export function readIntakeConfig(env: NodeJS.ProcessEnv = process.env): IntakeConfig {
  const inboundBucket = requireEnv(ENV.inboundBucket, env);
  const config: IntakeConfig = {
    casesTable: requireEnv(ENV.casesTable, env),
    auditTable: requireEnv(ENV.auditTable, env),
    inventoryTable: requireEnv(ENV.inventoryTable, env),
    inboundBucket,
    inboundPrefix: optionalEnv(ENV.inboundPrefix, '', env),
    evidenceBucket: optionalEnv(ENV.evidenceBucket, inboundBucket, env),
    evidencePrefix: optionalEnv(ENV.evidencePrefix, 'evidence/', env),
    stateMachineArn: requireEnv(ENV.stateMachineArn, env),
    teamTopicArn: requireEnv(ENV.teamTopicArn, env),
    // Loop safety: mail from any CPR address or from our notices' sender is never answered.
    ownAddresses: [
      ...new Set([
        ...listEnv(ENV.cprAddresses, env),
        ...(env[ENV.senderAddress] ? [env[ENV.senderAddress]!.trim().toLowerCase()] : []),
      ]),
    ],
    deadlinePolicyVersion: optionalEnv(ENV.deadlinePolicy, DEFAULT_DEADLINE_POLICY_VERSION, env),
    archiveBucket: optionalEnv(ENV.archiveBucket, '', env) || null,
    canarySecret: env[ENV.canarySecretArn]
      ? { arn: env[ENV.canarySecretArn] as string }
      : env[ENV.canarySecret]
        ? { value: env[ENV.canarySecret] as string }
        : null,
    issuers: readIssuersFile(env[ENV.issuersFile]),
  };
  deadlinePolicy(config.deadlinePolicyVersion); // fail the cold start on an unknown version
  return config;
}
