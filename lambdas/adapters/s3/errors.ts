import { NoSuchKey } from '@aws-sdk/client-s3';

/** S3's "no such object", whether the SDK modelled it as its class or only by name. */
export function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';
}
