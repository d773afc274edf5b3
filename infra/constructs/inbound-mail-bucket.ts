/**
 * Where every report lands first: SES's S3 action stores the raw message (key = prefix + SES
 * messageId) before anything else runs, and the intake function writes its evidence JSON next to
 * it. Keeping the raw message before processing is the lesson of every lost CPR.
 */
import { Aws, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket, type BucketPolicy } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { kmsEncrypted, SECURE_BUCKET_DEFAULTS } from './bucket-defaults.ts';
import type { MailKey } from './keys.ts';

/** BR 5.4: records of revocation-related work are kept for at least 2 years. */
const TWO_YEARS = Duration.days(731);
/** Unfinished multipart uploads are garbage after a week; SES writes whole objects. */
export const ABORT_MULTIPART_AFTER = Duration.days(7);

export interface InboundMailBucketProps {
  /** Key prefix of the SES S3 action ('' or ending in '/'). */
  readonly inboundPrefix: string;
  readonly removalPolicy: RemovalPolicy;
  /** Encrypts the raw mail and the evidence JSON (SSE-KMS). */
  readonly key: MailKey;
}

export class InboundMailBucket extends Construct {
  readonly bucket: Bucket;
  /**
   * Server access logs of `bucket`: who read or wrote which report, and when. cdk-nag does not
   * ask for access logs of a bucket that is itself a log target, so S1 needs no acknowledgment.
   */
  readonly accessLogs: Bucket;
  readonly inboundPrefix: string;
  private readonly key: MailKey;

  constructor(scope: Construct, id: string, props: InboundMailBucketProps) {
    super(scope, id);
    this.inboundPrefix = props.inboundPrefix;
    this.key = props.key;

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only, which the defaults use.
      ...SECURE_BUCKET_DEFAULTS,
      // A log record overwritten or deleted stays recoverable until it expires anyway.
      versioned: true,
      lifecycleRules: [
        {
          expiration: TWO_YEARS,
          noncurrentVersionExpiration: TWO_YEARS,
          abortIncompleteMultipartUploadAfter: ABORT_MULTIPART_AFTER,
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    acknowledgeAccessLogBucket(this.accessLogs);
    this.bucket = new Bucket(this, 'Bucket', {
      ...SECURE_BUCKET_DEFAULTS,
      ...kmsEncrypted(props.key.key),
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      lifecycleRules: [
        {
          // An overwritten or deleted report stays recoverable for the BR 5.4 period.
          noncurrentVersionExpiration: TWO_YEARS,
          abortIncompleteMultipartUploadAfter: ABORT_MULTIPART_AFTER,
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason:
          'CT.S3.PR.9: SES cannot store mail in a bucket with an Object Lock default retention, ' +
          'and intake rewrites the evidence JSON here; the locked copy of every raw message is ' +
          'the archive bucket (COMPLIANCE mode). This bucket is versioned and keeps overwritten ' +
          'versions for the BR 5.4 period.',
      },
      NO_EVENT_NOTIFICATIONS,
    );
  }

  /**
   * Lets exactly one SES receipt rule of this account store mail under the inbound prefix; nobody
   * else gets a bucket-policy grant (the functions read through their roles). SES tests the grant
   * when the rule is created, so the rule must depend on the returned policy.
   */
  allowReceiptRule(receiptRuleArn: string): BucketPolicy {
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesReceiptRuleToStoreMail',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${this.inboundPrefix}*`)],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': receiptRuleArn,
          },
        },
      }),
    );
    this.key.allowSesReceiptRule(receiptRuleArn);
    if (!this.bucket.policy) throw new Error(`${this.node.path}: the bucket has no policy`);
    return this.bucket.policy;
  }
}

/** CT.S3.PR.4 on the mail buckets: the order of work is SES's, not an S3 event's. */
export const NO_EVENT_NOTIFICATIONS = {
  id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
  reason:
    'CT.S3.PR.4 asks for S3 event notifications. Nothing here is processed on arrival: SES ' +
    'stores the raw message and then invokes intake itself (the receipt rule order is the ' +
    'contract), and intake writes the evidence and the archive copy; a notification would be ' +
    'a second trigger of the same work. Every object access is in the server access logs.',
} as const;

/** The log bucket cannot have what the rules ask of a bucket of records. */
function acknowledgeAccessLogBucket(bucket: Bucket): void {
  Validations.of(bucket).acknowledge(
    {
      id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
      reason:
        'CT.S3.PR.10: S3 server access log delivery writes only to a bucket with SSE-S3 default ' +
        'encryption (not SSE-KMS). The logs hold request metadata (who, when, which key name), ' +
        'no message content.',
    },
    {
      id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      reason:
        'CT.S3.PR.2: this is the access log bucket itself; logging its own access into itself ' +
        'would log the log deliveries without end, and a further bucket would need the same.',
    },
    {
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason:
        'CT.S3.PR.9: server access log delivery fails into a bucket with an Object Lock default ' +
        'retention. The bucket is versioned and keeps every version for 2 years (BR 5.4).',
    },
    {
      id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
      reason:
        'CT.S3.PR.4: log objects are read by people investigating, not processed; nothing ' +
        'would consume a notification of each log delivery.',
    },
  );
}
