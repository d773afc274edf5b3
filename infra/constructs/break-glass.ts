/**
 * The break-glass role: the one person-facing way to read raw mail (which holds reporters'
 * private keys) and to store a message by hand (`cpr ingest`, `cpr show` with the full evidence,
 * `cpr replay` of a stored message all go through S3 and the mail key). It has a fixed name, so
 * the key policy and a CloudTrail search can name it. Any principal of this account whose own
 * policy allows sts:AssumeRole on it may assume it, with MFA only, for an hour at most; every
 * assumption and every object it reads is in CloudTrail and the server access logs.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bucketArnReference } from './cpr-function.ts';
import { grantObjectKeyUse, OBJECT_ACTIONS, type ObjectKeyUse } from './keys.ts';

/** Long enough for an investigation at the console or the CLI, short enough to expire unused. */
export const BREAK_GLASS_SESSION = Duration.hours(1);

/** `<stackName>-break-glass`. */
export function breakGlassRoleName(stackName: string): string {
  return `${stackName}-break-glass`;
}

export interface BreakGlassProps {
  readonly stackName: string;
}

export class BreakGlassRole extends Construct {
  readonly role: Role;
  private readonly acknowledged = new Set<string>();

  constructor(scope: Construct, id: string, props: BreakGlassProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      roleName: breakGlassRoleName(props.stackName),
      description:
        'Break-glass access to the raw CPR mail (may hold private keys): read and store ' +
        'messages through S3 and the mail key. MFA required; every use is in CloudTrail.',
      // The account, i.e. its IAM principals that are allowed sts:AssumeRole on this role.
      assumedBy: new AccountRootPrincipal().withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
      maxSessionDuration: BREAK_GLASS_SESSION,
    });
  }

  /** Objects under `prefix` of `bucket`: read (GetObject) or write (PutObject), key use included. */
  allow(bucket: IBucket, prefix: string, use: ObjectKeyUse): this {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [OBJECT_ACTIONS[use]],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    if (use === 'read') {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
      );
    }
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    const id = `AwsSolutions-IAM5[Resource::${bucketArnReference(bucket)}/${prefix}*]`;
    if (policy && !this.acknowledged.has(id)) {
      this.acknowledged.add(id);
      Validations.of(policy).acknowledge({
        id,
        reason:
          `Object access (only s3:GetObject / s3:PutObject) is limited to keys under ` +
          `"${prefix || '(whole bucket)'}" of this one bucket; messages are named by their SES ` +
          'messageId, so the narrowest grant is the prefix.',
      });
    }
    grantObjectKeyUse(this.role, bucket, use);
    return this;
  }
}
