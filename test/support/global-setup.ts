/**
 * Starts the DynamoDB, S3 and SES stand-ins once for the whole run; test files create their own
 * tables and buckets (unique names) and tell their mail apart by case id, so they never see each
 * other's data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningService, startDynamo, startS3, startSes } from '../../local/stand-ins.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'cpr-s3-'));
  const dynamo = await startDynamo();
  const s3 = await startS3({ directory: dir });
  const ses = await startSes();
  const services: RunningService[] = [dynamo, s3, ses];
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    for (const s of services) await s.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
