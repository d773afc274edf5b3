/**
 * The embedded stand-ins for DynamoDB and S3 (dynalite, s3rver), started in-process on loopback
 * ports. Shared by the tests and the local stack, so both exercise the real AWS SDK clients over
 * HTTP against the same servers.
 */
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import {
  AUDIT_TABLE_SCHEMA,
  CASES_TABLE_SCHEMA,
  INVENTORY_TABLE_SCHEMA,
} from '../lambdas/adapters/dynamo/schema.ts';
import { listenLocal } from './http-service.ts';
import { startSesGuard } from './ses-guard.ts';

/** s3rver only accepts these credentials; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

export interface RunningService {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite; in memory unless `path` names a LevelDB directory (one process per path). */
export async function startDynamo(
  options: { port?: number; path?: string } = {},
): Promise<RunningService> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  return listenLocal(server, options.port);
}

export async function startS3(options: {
  directory: string;
  port?: number;
}): Promise<RunningService> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
}

/** Sets the SDK's own endpoint variables, the only switch between AWS and the stand-ins. */
export function pointSdkAt(
  env: NodeJS.ProcessEnv,
  endpoints: { dynamodb?: string; s3?: string; sesv2?: string; sfn?: string; sns?: string },
): void {
  env.AWS_REGION = env.AWS_REGION ?? LOCAL_REGION;
  env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  if (endpoints.dynamodb) env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  if (endpoints.s3) {
    env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
    env.S3_FORCE_PATH_STYLE = 'true';
  }
  if (endpoints.sesv2) env.AWS_ENDPOINT_URL_SESV2 = endpoints.sesv2;
  if (endpoints.sfn) env.AWS_ENDPOINT_URL_SFN = endpoints.sfn;
  if (endpoints.sns) env.AWS_ENDPOINT_URL_SNS = endpoints.sns;
}

/** The HASH (and RANGE) key of a table or index. */
function keySchema(hash: string, range?: string) {
  return [
    { AttributeName: hash, KeyType: 'HASH' as const },
    ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
  ];
}

function stringAttributes(...names: string[]) {
  return names.map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const }));
}

/** Creates the cases, audit and inventory tables with the key schema the CDK stack deploys. */
export async function createTables(
  endpoint: string,
  names: { cases: string; audit: string; inventory: string },
): Promise<void> {
  const db = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const create = async (command: CreateTableCommand) => {
    try {
      await db.send(command);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  };
  const s = CASES_TABLE_SCHEMA;
  const open = s.openByDeadlineIndex;
  await create(
    new CreateTableCommand({
      TableName: names.cases,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: stringAttributes(
        s.partitionKey,
        s.sortKey,
        open.partitionKey,
        open.sortKey,
      ),
      KeySchema: keySchema(s.partitionKey, s.sortKey),
      GlobalSecondaryIndexes: [
        {
          IndexName: open.name,
          KeySchema: keySchema(open.partitionKey, open.sortKey),
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  // The stand-in has no resource policies: append-only here rests on the adapter's condition,
  // as it does against an overwriting PutItem in AWS (docs/security.md).
  const audit = AUDIT_TABLE_SCHEMA;
  await create(
    new CreateTableCommand({
      TableName: names.audit,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: stringAttributes(audit.partitionKey, audit.sortKey),
      KeySchema: keySchema(audit.partitionKey, audit.sortKey),
    }),
  );
  const inv = INVENTORY_TABLE_SCHEMA;
  await create(
    new CreateTableCommand({
      TableName: names.inventory,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: stringAttributes(
        inv.partitionKey,
        inv.bySha256Index.partitionKey,
        inv.bySpkiIndex.partitionKey,
      ),
      KeySchema: keySchema(inv.partitionKey),
      GlobalSecondaryIndexes: [
        {
          IndexName: inv.bySha256Index.name,
          KeySchema: keySchema(inv.bySha256Index.partitionKey),
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: inv.bySpkiIndex.name,
          KeySchema: keySchema(inv.bySpkiIndex.partitionKey),
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  db.destroy();
}

export async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  } finally {
    s3.destroy();
  }
}

/** A mail the SES stand-in accepted, as its `/store` lists it. */
export interface StoredMail {
  readonly messageId: string;
  readonly from: string;
  readonly replyTo: readonly string[];
  readonly destination: { readonly to: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
  readonly at: number;
}

/**
 * Starts the SES v2 stand-in (aws-ses-v2-local) behind the guard that refuses what SES refuses
 * (`ses-guard.ts`). The endpoint is the guard's; its `/` page is the stand-in's local outbox.
 */
export async function startSes(
  options: { port?: number } = {},
): Promise<RunningService & { mails(): Promise<StoredMail[]> }> {
  const mod = (await import('aws-ses-v2-local')) as unknown as {
    default: ((c: { host: string; port: number }) => Promise<import('node:http').Server>) & {
      default?: unknown;
    };
  };
  const start = (mod.default.default ?? mod.default) as (c: {
    host: string;
    port: number;
  }) => Promise<import('node:http').Server>;
  const server = await start({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  const guard = await startSesGuard({
    upstream: `http://127.0.0.1:${port}`,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const endpoint = guard.endpoint;
  return {
    endpoint,
    async mails() {
      const res = await fetch(`${endpoint}/store`, { signal: AbortSignal.timeout(5_000) });
      return ((await res.json()) as { emails: StoredMail[] }).emails;
    },
    stop: async () => {
      await guard.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
