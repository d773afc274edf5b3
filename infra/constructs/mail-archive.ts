/**
 * The immutable archive of every raw message (BR 5.4/5.5): S3 Object Lock in compliance mode, so
 * for the retention period nobody can delete or overwrite a report, not even the account's root
 * user, and the retention cannot be shortened. SES cannot write into a bucket with a default
 * retention, so the intake function copies each message here (same key as in the inbound
 * bucket) before it parses it.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Bucket, type CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { kmsEncrypted, SECURE_BUCKET_DEFAULTS } from './bucket-defaults.ts';
import { ABORT_MULTIPART_AFTER, NO_EVENT_NOTIFICATIONS } from './inbound-mail-bucket.ts';
import type { MailKey } from './keys.ts';

/** Key prefix of this bucket's server access logs in the shared access-log bucket. */
export const ARCHIVE_ACCESS_LOG_PREFIX = 'archive-bucket/';

export interface MailArchiveProps {
  /** Default retention of every object version, in whole years (COMPLIANCE mode). */
  readonly retentionYears: number;
  /** Where S3 writes this bucket's server access logs. */
  readonly accessLogs: IBucket;
  /** Encrypts every archived message (SSE-KMS): the same key as the inbound bucket. */
  readonly key: MailKey;
}

export class MailArchive extends Construct {
  readonly bucket: Bucket;
  readonly retentionYears: number;

  constructor(scope: Construct, id: string, props: MailArchiveProps) {
    super(scope, id);
    this.retentionYears = props.retentionYears;

    this.bucket = new Bucket(this, 'Bucket', {
      ...SECURE_BUCKET_DEFAULTS,
      ...kmsEncrypted(props.key.key),
      // Object Lock works on versions; S3 turns versioning on with it, this says so.
      versioned: true,
      objectLockEnabled: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: ARCHIVE_ACCESS_LOG_PREFIX,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: ABORT_MULTIPART_AFTER }],
      // Always, whatever `retainData` says: locked objects cannot be deleted, so a stack delete
      // that tried would fail; the bucket outlives the stack by design.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // In calendar years, not CDK's days: 2 x 365 days falls a day short of 2 years across a
    // leap day, and BR 5.5 says "at least 2 years".
    (this.bucket.node.defaultChild as CfnBucket).objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: 'COMPLIANCE', years: props.retentionYears } },
    };
    Validations.of(this.bucket).acknowledge(NO_EVENT_NOTIFICATIONS);
  }
}
