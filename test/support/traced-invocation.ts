/**
 * Run by `test/integration/tracing.test.ts` in a fresh Node process with a Lambda-like
 * environment (the X-Ray SDK reads it once, when it loads): builds every SDK client, runs one
 * handler through the factory that calls DynamoDB, and prints what it saw as JSON.
 */
import { createRequire } from 'node:module';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import {
  documentClient,
  s3Client,
  secretsManagerClient,
  sesClient,
  sesReceivingClient,
  sfnClient,
  snsClient,
} from '../../lambdas/adapters/aws-clients.ts';
import { cprHandler } from '../../lambdas/shared/handler.ts';
import { tracer } from '../../lambdas/shared/powertools.ts';

const context = {
  functionName: 'cpr-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cpr-test',
  memoryLimitInMB: '256',
  awsRequestId: 'req-tracing',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

const clients = [s3Client(), documentClient(), sfnClient(), sesClient(), snsClient()];
const others = [secretsManagerClient(), sesReceivingClient()];
const middleware = [...clients, ...others].map((c) => c.middlewareStack.identify());
const db = documentClient();
const handler = cprHandler(async () => {
  const out = await db.send(new ListTablesCommand({}));
  return Array.isArray(out.TableNames);
});
const result = await handler({}, context);
// The X-Ray SDK is CommonJS: loaded means it is in the require cache.
const xrayLoaded = Object.keys(createRequire(import.meta.url).cache).some((path) =>
  path.includes('aws-xray-sdk-core'),
);
const enabled = tracer?.isTracingEnabled() ?? false;
process.stdout.write(`\nTRACED ${JSON.stringify({ enabled, xrayLoaded, middleware, result })}\n`);
