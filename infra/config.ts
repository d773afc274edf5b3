/**
 * The deployment's configuration: typed, validated and frozen. The app entry reads the CDK
 * context once and passes the result down as readonly stack props; nothing else in `infra/`
 * touches the context.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import type { AlertTopic } from '../lambdas/domain/case/types.ts';
import {
  type IssuerConfig,
  IssuersConfigError,
  IssuersConfigSchema,
  parseIssuers,
} from '../lambdas/domain/issuers/config.ts';
import {
  ACKNOWLEDGMENT_LIMIT_BOUNDS,
  type AcknowledgmentLimits,
  DEFAULT_ACKNOWLEDGMENT_LIMITS,
} from '../lambdas/domain/notices/acknowledgment-limits.ts';
import {
  DEADLINE_POLICIES,
  DEFAULT_DEADLINE_POLICY_VERSION,
} from '../lambdas/domain/policy/deadline-policy.ts';

/** Context key holding the configuration object (in cdk.json or `-c cpr='{...}'`). */
export const CONFIG_CONTEXT_KEY = 'cpr';
/** Context key naming a JSON file with the configuration; it wins over `cpr`. */
export const CONFIG_FILE_CONTEXT_KEY = 'cprConfigFile';

/** Key prefix of the evidence JSON the intake function writes next to the raw mail. */
export const EVIDENCE_PREFIX = 'evidence/';

/** Appended to the stack name to name the receipt rule set the stack creates. */
export const RECEIPT_RULE_SET_SUFFIX = '-inbound';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** CloudWatch Logs accepts only these retention periods (in days). */
const VALID_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  (v): v is number => typeof v === 'number',
);

/** CloudFormation's rule for stack names. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/**
 * The stack name also names the SES receipt rule set (`<stackName>-inbound`), and SES allows 64
 * characters there.
 */
const MAX_STACK_NAME = 64 - RECEIPT_RULE_SET_SUFFIX.length;

/** A DNS name with at least two labels, lower-cased (`example.com`, `pki.example.co.uk`). */
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** One DNS label: the MAIL FROM subdomain is `<label>.<sender domain>`. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** SES's rule for receipt rule set names. */
const RULE_SET_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/;
/**
 * One folder of an S3 key prefix, in S3's "safe characters" only. No "*" or "?": a prefix may end
 * up inside IAM resource ARNs, where they are wildcards.
 */
const S3_PREFIX_FOLDER = "[A-Za-z0-9!_.'()-]+/";
/**
 * S3's rule for general purpose bucket names: 3 to 63 lower-case letters, digits, "." and "-",
 * starting and ending with a letter or digit, no "..", not an IP address, not a reserved prefix or
 * suffix.
 */
const BUCKET_NAME = /^(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_NAME_RESERVED_SUFFIX = /(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/;
const IPV4_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** DynamoDB's limit on `S3BucketSource.S3KeyPrefix`. */
const MAX_IMPORT_KEY_PREFIX = 1024;

/** BR 5.5: records of revocation-related work are archived for at least 2 years. */
export const MIN_RETENTION_YEARS = 2;
/**
 * BR 5.4.3: audit logs are retained for at least 2 years. The function and clock logs are part of
 * them (who did what when); CloudWatch Logs' nearest period is 731 days.
 */
export const MIN_LOG_RETENTION_DAYS = RetentionDays.TWO_YEARS;
/** S3 Object Lock refuses a default retention of more than 100 years. */
const MAX_RETENTION_YEARS = 100;

/**
 * Canary intervals: divisors of an hour between 5 and 60 minutes. The schedule is the cron
 * `0/N * * * ? *`, so every alarm period of N minutes (aligned to the hour) holds exactly one run.
 */
export const CANARY_INTERVALS_MINUTES = [5, 6, 10, 12, 15, 20, 30, 60] as const;

/**
 * What a stack removal may take with it. Both default to the safe side: CPR records must be kept
 * for at least 2 years (BR 5.4/5.5), so only a throwaway test stack should turn them off.
 */
const protectionSchema = z.strictObject({
  /** Buckets, tables and log groups survive `cdk destroy` (RemovalPolicy.RETAIN). */
  retainData: z.boolean().default(true),
  /** DynamoDB deletion protection: a table cannot be deleted until this is turned off. */
  deletionProtection: z.boolean().default(true),
});

/** Everything a person reads in a notice header: no control characters (no header injection). */
const HEADER_SAFE = /^[^\p{Cc}]+$/u;

/**
 * Where alerts go. SNS confirms nothing by itself: an email subscription stays "pending" until
 * someone clicks, so a typo here fails silently; the formats are checked at synth instead.
 */
const subscriptionSchema = z.discriminatedUnion(
  'protocol',
  [
    z.strictObject({
      protocol: z.literal('email'),
      endpoint: z.email('must be an email address').transform((s) => s.toLowerCase()),
    }),
    z.strictObject({
      protocol: z.literal('https'),
      endpoint: z
        .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'must be an https:// URL' })
        // Credentials in the URL would sit in cdk.json and the template in clear text.
        .refine((u) => !/^https:\/\/[^/]*@/.test(u), 'must not contain credentials'),
    }),
    z.strictObject({
      protocol: z.literal('sms'),
      endpoint: z.e164('must be a phone number in E.164 form, e.g. +15555550100'),
    }),
  ],
  { error: 'must be one of: email, https, sms' },
);

const subscriptionListSchema = z
  .array(subscriptionSchema)
  // Two CloudFormation subscriptions of one endpoint are one SNS subscription: deleting either
  // would unsubscribe both.
  .refine(
    (list) => new Set(list.map((s) => `${s.protocol}:${s.endpoint}`)).size === list.length,
    'must not repeat an endpoint',
  )
  .default([]);

const subscriptionsSchema = z.strictObject({
  /** Every new case and every delivery problem of a notice. */
  team: subscriptionListSchema,
  /** Checkpoints passed with obligations still open (BR 4.9.5 / 4.9.1.1). */
  escalation: subscriptionListSchema,
  /** Last-resort alerts: the deadline clock itself failed, a deadline is about to be missed. */
  pager: subscriptionListSchema,
});

const domainSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(DOMAIN, 'must be a domain name such as example.com'));

/**
 * The SES domain identities, verified with Easy DKIM: the sender address's domain (notices come
 * from it) and every mail domain (SES receives mail only for verified domains). `create: false`
 * when they are already SES identities of this account and region (another stack or the console
 * made them): CloudFormation cannot create an identity a second time.
 */
const sesIdentitiesSchema = z.strictObject({
  create: z.boolean().default(true),
  /** Custom MAIL FROM `<label>.<sender domain>`: SPF then aligns with the From domain (DMARC). */
  mailFromSubdomain: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.string().regex(DNS_LABEL, 'must be one DNS label such as "bounce"'))
    .optional(),
});

/**
 * The S3 source of the inventory table's creation by DynamoDB's import from S3: the gzip DynamoDB
 * JSON files that `cpr inventory export-ddb-json` writes, uploaded to a bucket of this account.
 * CloudFormation reads it only when it creates the table (docs/deploy.md, section 9).
 */
const inventoryImportSchema = z.strictObject({
  bucketName: z
    .string({ error: 'must be the name of the S3 bucket holding the converted files' })
    .regex(
      BUCKET_NAME,
      'must be an S3 bucket name (3 to 63 lower-case letters, digits, "." and "-"), ' +
        'not an s3:// URL or an ARN',
    )
    .refine((name) => !name.includes('..'), 'must not contain ".."')
    .refine((name) => !IPV4_ADDRESS.test(name), 'must not be an IP address')
    .refine((name) => !BUCKET_NAME_RESERVED_SUFFIX.test(name), 'must not end in a reserved suffix'),
  /**
   * Every object under it is imported, so it ends in "/": `inventory/2026-12-01` would also take
   * `inventory/2026-12-01-retry/`, and DynamoDB keeps one of two items with the same key at random.
   */
  keyPrefix: z
    .string()
    .max(MAX_IMPORT_KEY_PREFIX, `must be at most ${MAX_IMPORT_KEY_PREFIX} characters`)
    .regex(
      new RegExp(`^(?:${S3_PREFIX_FOLDER})+$`),
      'must be a key prefix ending in "/", such as "inventory/2026-12-01/" (no leading "/", ' +
        "only letters, digits and !_.'()-)",
    )
    .optional(),
});

/** Where the inventory table is imported from, when it is created by DynamoDB's import from S3. */
export type InventoryImportSource = z.infer<typeof inventoryImportSchema>;

const configSchema = z.strictObject({
  stackName: z
    .string()
    .regex(STACK_NAME, 'must start with a letter and hold only letters, digits and "-"')
    .max(
      MAX_STACK_NAME,
      `must be at most ${MAX_STACK_NAME} characters (it names the SES receipt rule set)`,
    )
    .default('CprIntake'),
  /**
   * Domains whose mail SES receives (MX records). Default: the domain of the CPR addresses, when
   * they share one; addresses in several domains must be listed here on purpose.
   */
  mailDomains: z
    .array(domainSchema)
    .min(1, 'must list at least one domain')
    .refine((list) => new Set(list).size === list.length, 'must not repeat a domain')
    .optional(),
  /** The published CPR addresses (mail to them opens cases); at least one. */
  cprAddresses: z
    .array(z.email('must be an email address').transform((s) => s.toLowerCase()))
    .min(1, 'must list at least one address')
    .refine((list) => new Set(list).size === list.length, 'must not repeat an address'),
  /** Key prefix of the SES S3 action; empty or ending in "/", never inside "evidence/". */
  inboundPrefix: z
    .string()
    .regex(new RegExp(`^(?:${S3_PREFIX_FOLDER})*$`), 'must be empty or a path ending in "/"')
    .refine((p) => !p.startsWith(EVIDENCE_PREFIX), `must not be inside "${EVIDENCE_PREFIX}"`)
    .default(''),
  /**
   * From address of every notice (acknowledgments, preliminary reports): a verified SES identity,
   * either the address itself or its domain.
   */
  senderAddress: z
    .email({
      error: (issue) =>
        issue.input === undefined
          ? 'is required: the verified SES identity (address or domain) notices are sent from'
          : 'must be an email address',
    })
    .transform((s) => s.toLowerCase()),
  /** The CA's name as notices show it (subject, signature). */
  caName: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .regex(HEADER_SAFE, 'must not contain control characters or line breaks')
    .default('Example CA'),
  subscriptions: subscriptionsSchema.default({ team: [], escalation: [], pager: [] }),
  deadlinePolicyVersion: z
    .string()
    .refine((v) => Object.hasOwn(DEADLINE_POLICIES, v), {
      error: `must be one of: ${Object.keys(DEADLINE_POLICIES).join(', ')}`,
    })
    .default(DEFAULT_DEADLINE_POLICY_VERSION),
  /** CloudWatch Logs retention of every log group, at least 2 years (BR 5.4.3). */
  logRetentionDays: z
    .number()
    .refine((d) => VALID_RETENTION_DAYS.includes(d), {
      error: `must be one of the CloudWatch Logs periods: ${VALID_RETENTION_DAYS.join(', ')}`,
    })
    .refine((d) => d === RetentionDays.INFINITE || d >= MIN_LOG_RETENTION_DAYS, {
      error:
        `must be at least ${MIN_LOG_RETENTION_DAYS} days (BR 5.4.3: audit logs are kept for at ` +
        'least 2 years)',
    })
    .default(MIN_LOG_RETENTION_DAYS),
  protection: protectionSchema.default({ retainData: true, deletionProtection: true }),
  sesIdentities: sesIdentitiesSchema.default({ create: true }),
  /** Object Lock (compliance mode) retention of the raw-message archive, in years (BR 5.5). */
  retentionYears: z
    .number({ error: 'must be a whole number of years' })
    .int('must be a whole number of years')
    .min(
      MIN_RETENTION_YEARS,
      `must be at least ${MIN_RETENTION_YEARS} (BR 5.5: records are archived for at least 2 years)`,
    )
    .max(MAX_RETENTION_YEARS, `must be at most ${MAX_RETENTION_YEARS} (S3 Object Lock's maximum)`)
    .default(MIN_RETENTION_YEARS),
  /** Minutes between two canary mails; the heartbeat alarm fires after two missed ones. */
  canaryIntervalMinutes: z
    .number()
    .refine((m) => (CANARY_INTERVALS_MINUTES as readonly number[]).includes(m), {
      error:
        `must divide an hour: one of ${CANARY_INTERVALS_MINUTES.join(', ')} ` +
        '(every alarm period must hold exactly one canary run)',
    })
    .default(15),
  /** Acknowledgments per recipient address and domain in a window (forged From, mail bombing). */
  acknowledgmentLimits: z
    .strictObject({
      perAddress: boundedInt(ACKNOWLEDGMENT_LIMIT_BOUNDS.perAddress),
      perDomain: boundedInt(ACKNOWLEDGMENT_LIMIT_BOUNDS.perDomain),
      windowHours: boundedInt(ACKNOWLEDGMENT_LIMIT_BOUNDS.windowHours),
    })
    .partial()
    .transform((l) => ({ ...DEFAULT_ACKNOWLEDGMENT_LIMITS, ...l }))
    .default(DEFAULT_ACKNOWLEDGMENT_LIMITS),
  /**
   * Make the receipt rule set the account's active one on deploy. SES has one active rule set
   * per account and region: activating ours deactivates any other (see docs/deploy.md).
   */
  activateRuleSet: z.boolean().default(true),
  /**
   * Put the CPR rule into this existing receipt rule set instead of creating one: for an account
   * whose active rule set already serves other mail.
   */
  existingReceiptRuleSetName: z
    .string()
    .regex(RULE_SET_NAME, 'must be an SES receipt rule set name (letters, digits, ".", "_", "-")')
    .optional(),
  /**
   * The CA's issuing certificates, `[{name, certificate (PEM), ocspUrl, crlUrl}]`: intake matches
   * a certificate by issuer and serial only when one of them signed it, and the verifier asks
   * their OCSP responders and CRLs. Each certificate is parsed (and must be a CA) at synth.
   */
  issuers: IssuersConfigSchema.superRefine((issuers, ctx) => {
    try {
      parseIssuers(issuers);
    } catch (error) {
      if (!(error instanceof IssuersConfigError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  }).default([]),
  /**
   * Create the inventory table by DynamoDB's import from S3. First deploy only: on a deployed
   * stack, setting, changing or removing it replaces the table (docs/deploy.md).
   */
  inventoryImport: inventoryImportSchema.optional(),
});

/** A whole number within the bounds the functions accept too. */
function boundedInt(bounds: { readonly min: number; readonly max: number }) {
  return z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(bounds.min, `must be at least ${bounds.min}`)
    .max(bounds.max, `must be at most ${bounds.max}`);
}

/** An SNS subscription of an alert topic; `endpoint` is checked against `protocol`. */
export interface Subscription {
  readonly protocol: 'email' | 'https' | 'sms';
  readonly endpoint: string;
}

/** The validated configuration; every stack prop derived from the deployment comes from here. */
export interface CprConfig {
  /** CloudFormation stack name. */
  readonly stackName: string;
  /** Domains SES receives mail for (MX records); every CPR address is in one of them. */
  readonly mailDomains: readonly string[];
  /** Our published CPR addresses, lower-cased (CPR_ADDRESSES). */
  readonly cprAddresses: readonly string[];
  /** Key prefix of the SES S3 action ('' or ending in "/"). */
  readonly inboundPrefix: string;
  /** Verified SES identity notices are sent from, lower-cased (SENDER_ADDRESS). */
  readonly senderAddress: string;
  /** The CA's name in notices (CA_NAME). */
  readonly caName: string;
  /** Subscribers of the team, escalation and pager topics. */
  readonly subscriptions: Readonly<Record<AlertTopic, readonly Subscription[]>>;
  /** Version of the deadline rules (DEADLINE_POLICY_VERSION), one of DEADLINE_POLICIES. */
  readonly deadlinePolicyVersion: string;
  readonly logRetentionDays: RetentionDays;
  readonly protection: {
    readonly retainData: boolean;
    readonly deletionProtection: boolean;
  };
  /** The SES domain identities of the sender's domain and the mail domains. */
  readonly sesIdentities: {
    readonly create: boolean;
    readonly mailFromSubdomain?: string | undefined;
  };
  /** Object Lock retention of the raw-message archive, in years (at least 2, BR 5.5). */
  readonly retentionYears: number;
  /** Minutes between two canary runs; one of CANARY_INTERVALS_MINUTES. */
  readonly canaryIntervalMinutes: number;
  /** Activate the receipt rule set on deploy (SetActiveReceiptRuleSet). */
  readonly activateRuleSet: boolean;
  /** Add the CPR rule to this existing rule set instead of creating one. */
  readonly existingReceiptRuleSetName?: string | undefined;
  /** Acknowledgments per recipient address and domain in the window. */
  readonly acknowledgmentLimits: AcknowledgmentLimits;
  /** The CA's issuing certificates as configured (empty: none). */
  readonly issuers: readonly IssuerConfig[];
  /** Create the inventory table from these S3 files (first deploy only); none: an empty table. */
  readonly inventoryImport?: Readonly<InventoryImportSource> | undefined;
}

/** The domain part of an address (lower-cased by the schema already). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** The receipt rule set the CPR rule lives in: the configured existing one, or the stack's. */
export function receiptRuleSetNameOf(
  config: Pick<CprConfig, 'stackName' | 'existingReceiptRuleSetName'>,
): string {
  return config.existingReceiptRuleSetName ?? `${config.stackName}${RECEIPT_RULE_SET_SUFFIX}`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .flatMap((issue) => {
      const path = [CONFIG_CONTEXT_KEY, ...issue.path.map(String)];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `  ${[...path, key].join('.')}: unknown field`);
      }
      return [`  ${path.join('.')}: ${issue.message}`];
    })
    .join('\n');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validates a raw configuration object; throws a ConfigError naming every bad field. */
export function parseConfig(raw: unknown): CprConfig {
  if (raw === undefined || raw === null) {
    throw new ConfigError(
      `no configuration: set the context key "${CONFIG_CONTEXT_KEY}" (an object in cdk.json) ` +
        `or "-c ${CONFIG_FILE_CONTEXT_KEY}=path/to/config.json"`,
    );
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`invalid configuration:\n${describeIssues(result.error)}`, {
      cause: result.error,
    });
  }
  const data = result.data;
  const mailDomains = data.mailDomains ?? [...new Set(data.cprAddresses.map(domainOf))];
  const problems = [
    ...(data.mailDomains === undefined && mailDomains.length > 1
      ? [
          `  ${CONFIG_CONTEXT_KEY}.mailDomains: the CPR addresses are in several domains ` +
            `(${mailDomains.join(', ')}): list each domain SES should receive mail for`,
        ]
      : []),
    ...data.cprAddresses.flatMap((address, i) =>
      mailDomains.includes(domainOf(address))
        ? []
        : [
            `  ${CONFIG_CONTEXT_KEY}.cprAddresses.${i}: ${address} is not in a mail domain ` +
              `(${mailDomains.join(', ')}): SES would never receive it`,
          ],
    ),
  ];
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  const config: CprConfig = {
    ...data,
    mailDomains,
    // Checked against the enum's values above.
    logRetentionDays: data.logRetentionDays as RetentionDays,
  };
  return deepFreeze(config);
}

/**
 * Picks the raw configuration out of the two context values: a file named by `cprConfigFile`
 * wins over the inline `cpr` object; `-c cpr='{"...": ...}'` arrives as a string and is parsed.
 */
export function rawConfigFromContext(
  inline: unknown,
  configFile: unknown,
  readText: (path: string) => string = (path) => readFileSync(resolve(path), 'utf8'),
): unknown {
  if (configFile !== undefined) {
    if (typeof configFile !== 'string' || configFile.trim() === '') {
      throw new ConfigError(`${CONFIG_FILE_CONTEXT_KEY}: must be a path to a JSON file`);
    }
    let text: string;
    try {
      text = readText(configFile);
    } catch (cause) {
      throw new ConfigError(`${CONFIG_FILE_CONTEXT_KEY}: cannot read ${configFile}`, { cause });
    }
    return parseJson(text, `${CONFIG_FILE_CONTEXT_KEY} (${configFile})`);
  }
  return typeof inline === 'string' ? parseJson(inline, CONFIG_CONTEXT_KEY) : inline;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${what}: not valid JSON`, { cause });
  }
}
