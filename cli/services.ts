/**
 * The AWS SDK clients and project adapters for one deployment. Against the local stack every
 * client gets the stand-in's endpoint and the stand-ins' fixed credentials explicitly (the same
 * effect as `pointSdkAt`, without changing the process environment); against AWS the SDK's
 * normal region and credential chain apply.
 */
import { userInfo } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../lambdas/adapters/dynamo/audit-log.ts';
import {
  type CasesTable,
  casesTable,
  revocationCases,
} from '../lambdas/adapters/dynamo/cases-table.ts';
import { DynamoInventory } from '../lambdas/adapters/dynamo/inventory.ts';
import { DynamoRateLimiter } from '../lambdas/adapters/dynamo/rate-limits.ts';
import { DynamoBlocklist, DynamoRevocationStore } from '../lambdas/adapters/dynamo/revocations.ts';
import { DynamoSendClaims } from '../lambdas/adapters/dynamo/send-claims.ts';
import { S3EvidenceStore } from '../lambdas/adapters/s3/evidence-store.ts';
import type { SesMailer } from '../lambdas/adapters/ses/mailer.ts';
import { type PersonActor, personActor } from '../lambdas/domain/audit/events.ts';
import {
  DEFAULT_ACKNOWLEDGMENT_LIMITS,
  type PersonMailLimits,
} from '../lambdas/domain/notices/acknowledgment-limits.ts';
import type { NoticeDeps, SenderSettings } from '../lambdas/domain/notices/send-notices.ts';
import type { SendClaims } from '../lambdas/domain/ports/send-claims.ts';
import type { StatusChecker } from '../lambdas/domain/revocation/ports.ts';
import type { RevocationDeps } from '../lambdas/domain/revocation/use-cases.ts';
import type { Deployment, LocalEndpoints } from './deployment.ts';
import { CliError } from './errors.ts';

/** The credentials the local stand-ins accept (s3rver insists on these; see local/stand-ins.ts). */
const LOCAL_STACK_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A stuck local stand-in must not hang the command forever. */
const LOCAL_REQUEST_TIMEOUT_MS = 60_000;

/** CPR_ISSUERS: the issuers file the checks from outside use (docs/cli.md). */
export const ISSUERS_ENV = 'CPR_ISSUERS';

export interface Services extends CasesTable {
  readonly deployment: Deployment;
  readonly db: DynamoDBDocumentClient;
  readonly s3: S3Client;
  /** The append-only audit log (its own table). */
  readonly audit: DynamoAuditLog;
  readonly evidence: S3EvidenceStore;
  readonly inventory: DynamoInventory;
  /** Created on first use (each client costs start-up time): ingest and replay invoke. */
  lambda(): Promise<LambdaClient>;
  /** Created on first use: only `cpr send` mails. */
  mailer(): Promise<SesMailer>;
  /** The sender settings `cpr send` needs; refuses when the stack does not publish them. */
  sender(): SenderSettings;
  /**
   * The per-recipient counters every mail `cpr` sends counts against, with the stack's limits:
   * the same counters and limits as the acknowledgments.
   */
  mailLimits(): PersonMailLimits;
  /** Claims that make `cpr send` mail at most once per attempt. */
  sendClaims(): SendClaims;
  /** Triage, revocation obligations and the blocklist, on this stack's tables. */
  revocation(): RevocationDeps;
  /** The relying-party checker over the issuers in $CPR_ISSUERS. */
  checker(): Promise<StatusChecker>;
  /** Who is acting, for audit events: the local user, or the AWS caller's ARN. */
  actor(): Promise<PersonActor>;
  /** What the notice use cases need, with the command's clock. */
  noticeDeps(now: () => Date): NoticeDeps;
  destroy(): void;
}

function clientConfig(d: Deployment, service: keyof LocalEndpoints) {
  if (d.kind === 'local' && d.endpoints) {
    return {
      region: d.region,
      endpoint: d.endpoints[service],
      credentials: LOCAL_STACK_CREDENTIALS,
      requestHandler: { requestTimeout: LOCAL_REQUEST_TIMEOUT_MS },
    };
  }
  return { region: d.region };
}

/** The local user's name, as the audit log records a person acting on the local stack. */
export function localActor(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'unknown-user';
  }
}

export function servicesFor(d: Deployment, env: NodeJS.ProcessEnv): Services {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(d, 'dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({
    ...clientConfig(d, 's3'),
    forcePathStyle: d.kind === 'local' || env.S3_FORCE_PATH_STYLE === 'true',
    // As in lambdas/adapters/aws-clients.ts: checksums only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let lambda: LambdaClient | null = null;
  let ses: SESv2Client | null = null;
  let actor: Promise<PersonActor> | null = null;
  const table = casesTable(db, d.casesTable);
  const audit = new DynamoAuditLog(db, d.auditTable);
  const evidence = new S3EvidenceStore(s3, d.evidenceBucket, d.evidencePrefix);
  const inventory = new DynamoInventory(db, d.inventoryTable);
  return {
    deployment: d,
    db,
    s3,
    ...table,
    audit,
    evidence,
    inventory,
    revocation() {
      return {
        cases: revocationCases({ cases: table.cases, audit }),
        revocations: new DynamoRevocationStore(db, d.casesTable),
        inventory,
        evidence,
        blocklist: new DynamoBlocklist(db, d.casesTable),
        // The stack's own functions keep the S3 copy current; the CLI only reads and records.
        blocklistPublisher: null,
        now: () => new Date(),
      };
    },
    async checker() {
      const path = env[ISSUERS_ENV];
      if (!path) {
        throw new CliError(
          `set ${ISSUERS_ENV}=path/to/issuers.json (the issuing CAs: name, certificate, ocspUrl, crlUrl)`,
        );
      }
      const { readFile } = await import('node:fs/promises');
      const { revocationIssuers } = await import('../lambdas/adapters/revocation/issuers.ts');
      const { RelyingPartyChecker } = await import('../lambdas/adapters/revocation/checker.ts');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new CliError(`${ISSUERS_ENV}=${path}: ${(error as Error).message}`);
      }
      return new RelyingPartyChecker({ issuers: revocationIssuers(text) });
    },
    async lambda() {
      const { LambdaClient } = await import('@aws-sdk/client-lambda');
      lambda ??= new LambdaClient(clientConfig(d, 'lambda'));
      return lambda;
    },
    async mailer() {
      if (!d.configurationSet) {
        throw new CliError(
          'the stack publishes no SES configuration set: cannot send tracked mail',
        );
      }
      const { SESv2Client } = await import('@aws-sdk/client-sesv2');
      const { SesMailer } = await import('../lambdas/adapters/ses/mailer.ts');
      // One attempt: a resend after a timeout could deliver the report twice (see SesMailer).
      ses ??= new SESv2Client({ ...clientConfig(d, 'sesv2'), maxAttempts: 1 });
      return new SesMailer(ses, d.configurationSet);
    },
    sender() {
      if (!d.senderAddress || !d.replyTo) {
        throw new CliError(
          'the stack publishes no sender address or reply-to address (outputs of a newer stack version): cannot send',
        );
      }
      return {
        senderAddress: d.senderAddress,
        replyTo: d.replyTo,
        caName: d.caName ?? 'Certificate Authority',
      };
    },
    mailLimits() {
      return {
        rateLimiter: new DynamoRateLimiter(db, d.casesTable),
        limits: d.acknowledgmentLimits ?? DEFAULT_ACKNOWLEDGMENT_LIMITS,
      };
    },
    sendClaims() {
      return new DynamoSendClaims(db, d.casesTable);
    },
    noticeDeps(now) {
      const { cases, outbound, messageIds } = table;
      return { cases, audit, outbound, messageIds, now };
    },
    actor() {
      if (d.kind === 'local') return Promise.resolve(personActor(localActor(env)));
      actor ??= (async () => {
        const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
        const sts = new STSClient({ region: d.region });
        try {
          const out = await sts.send(new GetCallerIdentityCommand({}));
          if (!out.Arn) throw new CliError('STS returned no caller ARN');
          return personActor(out.Arn);
        } finally {
          sts.destroy();
        }
      })();
      return actor;
    },
    destroy() {
      db.destroy();
      s3.destroy();
      lambda?.destroy();
      ses?.destroy();
    },
  };
}
