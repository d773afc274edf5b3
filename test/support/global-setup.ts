/**
 * Starts the DynamoDB and S3 stand-ins once for the whole run; test files create their own
 * tables and buckets (unique names) so they never see each other's data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningService, startDynamo, startS3 } from '../../local/stand-ins.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'cpr-s3-'));
  const services: RunningService[] = [await startDynamo(), await startS3({ directory: dir })];
  project.provide('dynamoEndpoint', services[0]!.endpoint);
  project.provide('s3Endpoint', services[1]!.endpoint);
  return async () => {
    for (const s of services) await s.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
