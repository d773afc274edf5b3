/**
 * Where the compromised-key blocklist lives for the CA's issuance system (BR 6.1.1.3(4): reject
 * keys reported as compromised): one JSON object, rewritten on each addition, in a bucket of its
 * own. Its own bucket because the issuance system must be able to read it without any access to
 * the mail (the inbound bucket holds private keys as reporters sent them), and because it must
 * never expire: no lifecycle rule removes it or its earlier versions, so the blocklist's history
 * stays with it (a key once blocked is blocked for good).
 */
import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SECURE_BUCKET_DEFAULTS } from './bucket-defaults.ts';
import { ABORT_MULTIPART_AFTER } from './inbound-mail-bucket.ts';

export interface BlocklistBucketProps {
  /** Server access logs: who read or rewrote the blocklist, and when. */
  readonly accessLogs: IBucket;
  readonly removalPolicy: RemovalPolicy;
}

export class BlocklistBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: BlocklistBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      // Public-key hashes, no secret: SSE-S3, so a reader needs no key grant.
      ...SECURE_BUCKET_DEFAULTS,
      // Each addition is a new version; none is ever removed.
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      // No expiration of any kind: only abandoned multipart uploads are cleaned up.
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: ABORT_MULTIPART_AFTER }],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
        reason:
          'CT.S3.PR.10 asks for SSE-KMS. The object holds SHA-256 hashes of public keys, which ' +
          'are public by nature; SSE-S3 encrypts it at rest and lets the issuance system read ' +
          'it with an S3 grant alone, without a key policy to keep in step.',
      },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason:
          'CT.S3.PR.9: the object is rewritten on each addition, which a default retention ' +
          'would refuse. The bucket is versioned and no lifecycle rule expires any version, so ' +
          'every earlier blocklist stays; the entries themselves are append-only in DynamoDB.',
      },
      {
        id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
        reason:
          'CT.S3.PR.4 asks for S3 event notifications. The issuance system reads the object ' +
          'when it checks a key; nothing here processes a change on arrival, and every write ' +
          'and read is in the server access logs.',
      },
    );
  }
}
