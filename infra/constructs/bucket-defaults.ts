/**
 * What every bucket of the stack has: no public access, encryption at rest (SSE-S3, which server
 * access log delivery also requires), TLS only, and no ACLs (the bucket owner owns every object).
 * A bucket that holds mail replaces SSE-S3 with SSE-KMS under the mail key (`kmsEncrypted`).
 */
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  BucketEncryption,
  type BucketProps,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';

export const SECURE_BUCKET_DEFAULTS = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const satisfies BucketProps;

/**
 * SSE-KMS with a customer-managed key, and an S3 Bucket Key: S3 asks KMS for a data key per
 * bucket and period instead of per object (fewer KMS requests; the key policy then sees the
 * bucket's ARN as encryption context).
 */
export function kmsEncrypted(key: IKey) {
  return {
    encryption: BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
  } as const satisfies BucketProps;
}
