/**
 * The stack's customer-managed KMS keys for data at rest.
 *
 * - The **mail key** encrypts the inbound and archive buckets (SSE-KMS with an S3 Bucket Key).
 *   Raw mail holds whatever reporters send, private keys included, so this key's policy does not
 *   delegate use to IAM: it names each principal that may encrypt or decrypt with it (SES's
 *   receipt rule, the functions that read or write the buckets, the break-glass role), always
 *   through S3 and only for these buckets. The account may administer the key (that is how
 *   CloudFormation updates it), never use it.
 * - The **log key** encrypts every log group of the stack; only CloudWatch Logs uses it, for this
 *   account's log groups.
 *
 * Every key refuses grants except those AWS services create for their own resources (AWS
 * Control Tower CT.KMS.PR.3): a grant is a second, policy-less way to hand out key use.
 */
import { Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  type IPrincipal,
  type IRole,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';

/** A deleted key cannot be recovered after this window; long enough to notice a mistake. */
export const KEY_DELETION_WINDOW = Duration.days(30);

/**
 * What the account (IAM principals allowed by their own policies) may do with a key that does
 * not delegate its use: everything that manages it, nothing that encrypts or decrypts, and no
 * grants (which would hand out use).
 */
// biome-ignore format: a long list of names, packed to read as one block
export const KEY_ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey',
  'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation',
  'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListGrants',
  'kms:ListKeyPolicies', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:RevokeGrant',
  'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource',
  'kms:UpdateAlias', 'kms:UpdateKeyDescription',
] as const;

/** Object access through S3 with the mail key: what a reader and a writer need, no more. */
export const OBJECT_KEY_ACTIONS = {
  /** GetObject of an SSE-KMS object decrypts its data key. */
  read: ['kms:Decrypt'],
  /** PutObject asks KMS for a new data key (the S3 Bucket Key); no Encrypt, no ReEncrypt. */
  write: ['kms:GenerateDataKey'],
} as const;
export type ObjectKeyUse = keyof typeof OBJECT_KEY_ACTIONS;
/** The one S3 action of each use. */
export const OBJECT_ACTIONS = {
  read: 's3:GetObject',
  write: 's3:PutObject',
} as const satisfies Record<ObjectKeyUse, string>;

/**
 * CT.KMS.PR.3: deny kms:CreateGrant to every principal unless the grant is for an AWS resource
 * or the caller is an AWS service.
 */
export function denyGrantsExceptForAwsServices(): PolicyStatement {
  return new PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: Effect.DENY,
    principals: [new AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: {
        'kms:GrantIsForAWSResource': 'false',
        'aws:PrincipalIsAWSService': 'false',
      },
    },
  });
}

interface KeyProps {
  readonly description: string;
  readonly removalPolicy: RemovalPolicy;
}

/** A rotating key whose policy lets the account administer it and nothing else, yet. */
function adminOnlyKey(scope: Construct, id: string, props: KeyProps): Key {
  const key = new Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    pendingWindow: KEY_DELETION_WINDOW,
    removalPolicy: props.removalPolicy,
    // An own policy document: CDK's default would give the account kms:* (use included).
    policy: new PolicyDocument(),
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AccountAdministersTheKey',
      principals: [new AccountRootPrincipal()],
      actions: [...KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
  );
  key.addToResourcePolicy(denyGrantsExceptForAwsServices());
  return key;
}

export interface MailKeyProps {
  readonly removalPolicy: RemovalPolicy;
}

/** The key of everything that holds raw mail (and so reporters' private keys). */
export class MailKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: MailKeyProps) {
    super(scope, id);
    this.key = adminOnlyKey(this, 'Key', {
      description:
        `Encrypts the raw mail and evidence of ${Stack.of(this).stackName} ` +
        '(reporters may send private keys); use only through S3, by the principals it names',
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * SES stores the raw message under the bucket's default SSE-KMS encryption, so S3 asks KMS
   * for a data key on SES's behalf: SES needs kms:GenerateDataKey, limited as AWS documents to
   * this account and this one receipt rule (`aws:SourceAccount`, `aws:SourceArn`).
   */
  allowSesReceiptRule(receiptRuleArn: string): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesReceiptRuleToStoreMail',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: [...OBJECT_KEY_ACTIONS.write],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': receiptRuleArn,
            'kms:ViaService': s3Service(),
          },
        },
      }),
    );
  }
}

const allowedUses = new WeakMap<IKey, Set<string>>();

/**
 * Names one principal in the key policy of `bucket`'s key: it may read (decrypt) or write
 * (generate data keys for) objects, through S3 only. The mail key trusts no IAM
 * policy, so this statement is the permission; the caller adds the matching IAM statement.
 */
export function allowObjectKeyUse(principal: IPrincipal, bucket: IBucket, use: ObjectKeyUse): void {
  const key = bucket.encryptionKey;
  if (!key) return;
  const stack = Stack.of(bucket);
  const who = JSON.stringify(stack.resolve(principal.policyFragment.principalJson));
  const id = `${who}|${bucket.node.path}|${use}`;
  const seen = allowedUses.get(key) ?? new Set<string>();
  allowedUses.set(key, seen);
  if (seen.has(id)) return;
  seen.add(id);
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [principal],
      actions: [...OBJECT_KEY_ACTIONS[use]],
      resources: ['*'],
      // Not the bucket's ARN as well: the bucket refers to the key, so the key policy cannot
      // refer to the bucket (a dependency cycle). The role's own statement names the bucket.
      conditions: { StringEquals: { 'kms:ViaService': s3Service() } },
    }),
  );
}

/**
 * Both halves of a role's use of `bucket`'s key: the key policy names the role
 * (`allowObjectKeyUse`), and the role's own statement says the same, through S3 and for this
 * bucket only. A bucket with no customer-managed key needs neither.
 */
export function grantObjectKeyUse(role: IRole, bucket: IBucket, use: ObjectKeyUse): void {
  const key = bucket.encryptionKey;
  if (!key) return;
  allowObjectKeyUse(role, bucket, use);
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...OBJECT_KEY_ACTIONS[use]],
      resources: [key.keyArn],
      conditions: objectUseConditions(bucket),
    }),
  );
}

/** Conditions of a role's use of the mail key (its IAM statement): through S3, for this bucket. */
export function objectUseConditions(bucket: IBucket): Record<string, unknown> {
  return { StringEquals: { 'kms:ViaService': s3Service() }, ...bucketContext(bucket) };
}

/**
 * S3's encryption context names the bucket (with an S3 Bucket Key) or the object (without):
 * either way the key is used for this bucket only.
 */
function bucketContext(bucket: IBucket): Record<string, unknown> {
  return {
    ArnLike: {
      'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, bucket.arnForObjects('*')],
    },
  };
}

function s3Service(): string {
  return `s3.${Aws.REGION}.amazonaws.com`;
}

/** Construct id of the stack's one log key. */
const LOG_KEY_ID = 'LogKey';

/**
 * The stack's log key, created on first use: every log group of the stack is encrypted with it
 * (CT.CLOUDWATCH.PR.3). Only CloudWatch Logs may use it, and only for log groups of this account
 * and region; reading logs stays an IAM matter of CloudWatch Logs (logs:GetLogEvents...).
 */
export function logKeyOf(scope: IConstruct, removalPolicy: RemovalPolicy): IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOG_KEY_ID);
  if (existing) return existing as Key;
  const key = adminOnlyKey(stack, LOG_KEY_ID, {
    description: `Encrypts the CloudWatch log groups of ${stack.stackName}`,
    removalPolicy,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: [
        'kms:Encrypt*',
        'kms:Decrypt*',
        'kms:ReEncrypt*',
        'kms:GenerateDataKey*',
        'kms:Describe*',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
  return key;
}
