/**
 * Configuration of the local stack (`npm start`), from environment variables with documented
 * defaults. Read once; a bad value stops the start with a message naming the variable.
 */
import { resolve } from 'node:path';
import type { AlertTopic } from '../lambdas/domain/case/types.ts';
import { isValidAddrSpec } from '../lambdas/domain/mail/header-values.ts';
import {
  ACKNOWLEDGMENT_LIMIT_BOUNDS,
  type AcknowledgmentLimits,
  DEFAULT_ACKNOWLEDGMENT_LIMITS,
} from '../lambdas/domain/notices/acknowledgment-limits.ts';

export interface LocalConfig {
  /** CPR_SMTP_PORT: where the SMTP intake listens on 127.0.0.1. */
  readonly smtpPort: number;
  /** CPR_OUTBOX_PORT: the SES stand-in; its `/` page is the outbox. */
  readonly outboxPort: number;
  /** CPR_TIME_SCALE: 3600 makes an hour pass in a second. */
  readonly timeScale: number;
  /** CPR_DATA_DIR: DynamoDB and S3 data, the SNS log, the clock, stack.json. */
  readonly dataDir: string;
  /** CPR_ADDRESSES: the CPR addresses (also "our own" for loop detection). */
  readonly cprAddresses: readonly string[];
  /** CPR_SENDER: From of every notice. */
  readonly senderAddress: string;
  /** CPR_CA_NAME: the CA's name in notices. */
  readonly caName: string;
  /** CPR_INVENTORY: a CSV loaded into the inventory at start. */
  readonly inventoryCsv: string | null;
  /** CPR_ISSUERS: the CA's issuers file (`[{name, certificate, ocspUrl, crlUrl}]`). */
  readonly issuersFile: string | null;
  /** CPR_TEAM_WEBHOOK, CPR_ESCALATION_WEBHOOK, CPR_PAGER_WEBHOOK: POST each publish there too. */
  readonly webhooks: Readonly<Partial<Record<AlertTopic, string>>>;
  /** CPR_QUIET=1: no console line per publish (the JSON-lines file still has them). */
  readonly quiet: boolean;
  /**
   * CPR_ACK_LIMIT_PER_ADDRESS, CPR_ACK_LIMIT_PER_DOMAIN, CPR_ACK_LIMIT_WINDOW_HOURS: the
   * acknowledgment rate limits (defaults 3, 20, 24).
   */
  readonly acknowledgmentLimits: AcknowledgmentLimits;
}

export class LocalConfigError extends Error {
  override readonly name = 'LocalConfigError';
}

export const LOCAL_DEFAULTS = {
  smtpPort: 2525,
  outboxPort: 8005,
  timeScale: 1,
  dataDir: '.cpr-data',
  cprAddresses: ['cpr@ca.example', 'revoke@ca.example'],
  senderAddress: 'notices@ca.example',
  caName: 'Example CA',
} as const;

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new LocalConfigError(`${name} must be a port number, got "${raw}"`);
  return n;
}

function limit(env: NodeJS.ProcessEnv, name: string, which: keyof AcknowledgmentLimits): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return DEFAULT_ACKNOWLEDGMENT_LIMITS[which];
  const n = Number(raw);
  const { min, max } = ACKNOWLEDGMENT_LIMIT_BOUNDS[which];
  if (!Number.isInteger(n) || n < min || n > max)
    throw new LocalConfigError(
      `${name} must be a whole number from ${min} to ${max}, got "${raw}"`,
    );
  return n;
}

function webhook(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.toString();
  } catch {
    throw new LocalConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
}

export function readLocalConfig(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): LocalConfig {
  const scaleRaw = env.CPR_TIME_SCALE;
  const timeScale =
    scaleRaw === undefined || scaleRaw === '' ? LOCAL_DEFAULTS.timeScale : Number(scaleRaw);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new LocalConfigError(`CPR_TIME_SCALE must be a positive number, got "${scaleRaw}"`);
  }
  const addresses = (env.CPR_ADDRESSES ?? LOCAL_DEFAULTS.cprAddresses.join(','))
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  if (addresses.length === 0)
    throw new LocalConfigError('CPR_ADDRESSES must name at least one address');
  for (const a of addresses) {
    if (!isValidAddrSpec(a))
      throw new LocalConfigError(`CPR_ADDRESSES: "${a}" is not an email address`);
  }
  const sender = (env.CPR_SENDER ?? LOCAL_DEFAULTS.senderAddress).trim().toLowerCase();
  if (!isValidAddrSpec(sender))
    throw new LocalConfigError(`CPR_SENDER: "${sender}" is not an email address`);
  const webhooks: Partial<Record<AlertTopic, string>> = {};
  for (const [topic, name] of [
    ['team', 'CPR_TEAM_WEBHOOK'],
    ['escalation', 'CPR_ESCALATION_WEBHOOK'],
    ['pager', 'CPR_PAGER_WEBHOOK'],
  ] as const) {
    const url = webhook(env, name);
    if (url) webhooks[topic] = url;
  }
  return {
    smtpPort: port(env, 'CPR_SMTP_PORT', LOCAL_DEFAULTS.smtpPort),
    outboxPort: port(env, 'CPR_OUTBOX_PORT', LOCAL_DEFAULTS.outboxPort),
    timeScale,
    dataDir: resolve(cwd, env.CPR_DATA_DIR ?? LOCAL_DEFAULTS.dataDir),
    cprAddresses: addresses,
    senderAddress: sender,
    caName: env.CPR_CA_NAME ?? LOCAL_DEFAULTS.caName,
    inventoryCsv: env.CPR_INVENTORY ? resolve(cwd, env.CPR_INVENTORY) : null,
    issuersFile: env.CPR_ISSUERS ? resolve(cwd, env.CPR_ISSUERS) : null,
    webhooks,
    quiet: env.CPR_QUIET === '1',
    acknowledgmentLimits: {
      perAddress: limit(env, 'CPR_ACK_LIMIT_PER_ADDRESS', 'perAddress'),
      perDomain: limit(env, 'CPR_ACK_LIMIT_PER_DOMAIN', 'perDomain'),
      windowHours: limit(env, 'CPR_ACK_LIMIT_WINDOW_HOURS', 'windowHours'),
    },
  };
}
