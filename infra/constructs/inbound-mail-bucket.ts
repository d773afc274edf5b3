/**
 * Where every report lands first: SES's S3 action stores the raw message (key = prefix + SES
 * messageId) before anything else runs, and the intake function writes its evidence JSON next to
 * it. Keeping the raw message before processing is the lesson of every lost CPR.
 */
import { Aws, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket, type BucketPolicy } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SECURE_BUCKET_DEFAULTS } from './bucket-defaults.ts';

/** BR 5.4: records of revocation-related work are kept for at least 2 years. */
const TWO_YEARS = Duration.days(731);
/** Unfinished multipart uploads are garbage after a week; SES writes whole objects. */
export const ABORT_MULTIPART_AFTER = Duration.days(7);

export interface InboundMailBucketProps {
  /** Key prefix of the SES S3 action ('' or ending in '/'). */
  readonly inboundPrefix: string;
  readonly removalPolicy: RemovalPolicy;
}

export class InboundMailBucket extends Construct {
  readonly bucket: Bucket;
  /**
   * Server access logs of `bucket`: who read or wrote which report, and when. cdk-nag does not
   * ask for access logs of a bucket that is itself a log target, so S1 needs no acknowledgment.
   */
  readonly accessLogs: Bucket;
  readonly inboundPrefix: string;

  constructor(scope: Construct, id: string, props: InboundMailBucketProps) {
    super(scope, id);
    this.inboundPrefix = props.inboundPrefix;

    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only, which the defaults use.
      ...SECURE_BUCKET_DEFAULTS,
      lifecycleRules: [
        { expiration: TWO_YEARS, abortIncompleteMultipartUploadAfter: ABORT_MULTIPART_AFTER },
      ],
      removalPolicy: props.removalPolicy,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...SECURE_BUCKET_DEFAULTS,
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
    if (!this.bucket.policy) throw new Error(`${this.node.path}: the bucket has no policy`);
    return this.bucket.policy;
  }
}
