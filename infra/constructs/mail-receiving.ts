/**
 * SES receiving: one receipt rule for the CPR addresses that first stores the raw message in the
 * inbound bucket, then invokes the intake function asynchronously (SES's Lambda event carries no
 * body, so the order is the contract). TLS is required and spam/virus scanning is on; a verdict
 * never drops a message: no rule of this stack bounces, stops or filters on it.
 *
 * SES receives mail only for verified domains: each mail domain that is not also the sender's
 * domain (whose identity `notice-delivery.ts` makes) gets an Easy DKIM identity here.
 *
 * CloudFormation cannot make a rule set the active one; a custom resource calls
 * SetActiveReceiptRuleSet on create and update. SES has exactly one active rule set per account
 * and region, so activation is a switch in the configuration, and the canary checks every run
 * that the active set is still this one.
 */
import { ArnFormat, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  Identity,
  type IReceiptRuleAction,
  type IReceiptRuleSet,
  ReceiptRule,
  type ReceiptRuleActionConfig,
  ReceiptRuleSet,
  TlsPolicy,
} from 'aws-cdk-lib/aws-ses';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  type AwsSdkCall,
  PhysicalResourceId,
} from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { InboundMailBucket } from './inbound-mail-bucket.ts';
import { cprLogGroup } from './log-group.ts';

/** Name of the CPR rule inside its rule set (unique per rule set, part of the rule's ARN). */
export const RECEIPT_RULE_NAME = 'cpr-reports';

/** SES's Lambda action: `Event` returns at once; `RequestResponse` would hold the SMTP session. */
export const LAMBDA_INVOCATION_TYPE = 'Event';

export interface MailReceivingProps {
  readonly mail: InboundMailBucket;
  readonly intakeFunction: IFunction;
  /** The CPR addresses the rule matches (SES compares them case-insensitively). */
  readonly recipients: readonly string[];
  /** Name of the rule set the rule lives in. */
  readonly ruleSetName: string;
  /** The rule set exists already (another application's): add the rule, never delete the set. */
  readonly existingRuleSet: boolean;
  /** Make the rule set the active one on deploy. */
  readonly activate: boolean;
  /** Mail domains that need an SES identity from this construct (verified by their DKIM CNAMEs). */
  readonly verifyDomains: readonly string[];
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** SES's S3 action without the L2 action's own bucket-policy statement (which names no rule). */
class StoreRawMessage implements IReceiptRuleAction {
  constructor(
    private readonly bucket: IBucket,
    private readonly prefix: string,
  ) {}

  bind(): ReceiptRuleActionConfig {
    return {
      s3Action: {
        bucketName: this.bucket.bucketName,
        ...(this.prefix !== '' && { objectKeyPrefix: this.prefix }),
      },
    };
  }
}

/** SES's Lambda action without the L2 action's own permission (which names no rule). */
class InvokeIntake implements IReceiptRuleAction {
  constructor(private readonly fn: IFunction) {}

  bind(): ReceiptRuleActionConfig {
    return {
      lambdaAction: { functionArn: this.fn.functionArn, invocationType: LAMBDA_INVOCATION_TYPE },
    };
  }
}

export class MailReceiving extends Construct {
  readonly ruleSet: IReceiptRuleSet;
  readonly ruleSetName: string;
  readonly rule: ReceiptRule;
  /** `arn:...:receipt-rule-set/<set>:receipt-rule/<rule>`: what SES names as aws:SourceArn. */
  readonly ruleArn: string;
  /** The SetActiveReceiptRuleSet custom resource; undefined when activation is left to people. */
  readonly activation: AwsCustomResource | undefined;
  /** Identities of the mail domains that are not the sender's domain. */
  readonly identities: readonly EmailIdentity[];

  constructor(scope: Construct, id: string, props: MailReceivingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.ruleSetName = props.ruleSetName;
    this.identities = props.verifyDomains.map(
      (domain) =>
        new EmailIdentity(this, `Identity-${domain}`, {
          identity: Identity.domain(domain),
          dkimSigning: true,
          dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
        }),
    );
    this.ruleSet = props.existingRuleSet
      ? ReceiptRuleSet.fromReceiptRuleSetName(this, 'RuleSet', props.ruleSetName)
      : new ReceiptRuleSet(this, 'RuleSet', {
          receiptRuleSetName: props.ruleSetName,
          // Never: a spam verdict must not drop a CPR (NETLOCK 2052541, certSIGN 1886626).
          dropSpam: false,
        });
    this.ruleArn = stack.formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${props.ruleSetName}:receipt-rule/${RECEIPT_RULE_NAME}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    // Both grants name this one rule (no confused deputy). SES checks them when it creates the
    // rule, so the rule depends on both.
    const bucketPolicy = props.mail.allowReceiptRule(this.ruleArn);
    const permissionId = 'AllowSesReceiptRule';
    props.intakeFunction.addPermission(permissionId, {
      principal: new ServicePrincipal('ses.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceAccount: stack.account,
      sourceArn: this.ruleArn,
    });
    const permission = props.intakeFunction.permissionsNode.findChild(permissionId);
    Validations.of(permission).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
      reason:
        'CT.LAMBDA.PR.2 wants SourceAccount or SourceArn on a service principal permission; ' +
        'this one has both (this account, this one receipt rule). The stack is ' +
        'environment-agnostic, so they are CloudFormation references, which the rule reads ' +
        'as missing (it accepts literal strings only).',
    });

    this.rule = new ReceiptRule(this, 'Rule', {
      ruleSet: this.ruleSet,
      receiptRuleName: RECEIPT_RULE_NAME,
      recipients: [...props.recipients],
      enabled: true,
      // Reject mail not sent over TLS: a CPR can carry private keys.
      tlsPolicy: TlsPolicy.REQUIRE,
      // Verdicts are recorded on the case and flagged to the team, never acted on by SES.
      scanEnabled: true,
      actions: [
        new StoreRawMessage(props.mail.bucket, props.mail.inboundPrefix),
        new InvokeIntake(props.intakeFunction),
      ],
    });
    this.rule.node.addDependency(bucketPolicy, permission);

    this.activation = props.activate
      ? this.activate(props.existingRuleSet, props.logRetention, props.removalPolicy)
      : undefined;
  }

  /**
   * A custom resource that activates the rule set on create and update. On delete it deactivates
   * receiving (SES refuses to delete the active rule set), unless the rule set is someone else's:
   * then it stays active, without our rule.
   */
  private activate(
    existingRuleSet: boolean,
    logRetention: RetentionDays,
    removalPolicy: RemovalPolicy,
  ): AwsCustomResource {
    const activate: AwsSdkCall = {
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: { RuleSetName: this.ruleSetName },
      // One id for any name: a renamed rule set is an update (activate the new one), never a
      // replacement, whose clean-up would delete the old resource and so deactivate receiving.
      physicalResourceId: PhysicalResourceId.of('active-receipt-rule-set'),
    };
    const deactivate: AwsSdkCall = {
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      // No name: no rule set is active, SES receives nothing for this account and region.
      parameters: {},
    };

    // The provider function is a singleton per stack; its own role and log group, so it gets
    // no AWSLambdaBasicExecutionRole (CreateLogGroup and PutLogEvents on every log group).
    const logGroup = cprLogGroup(this, 'ActivationLogs', {
      retention: logRetention,
      removalPolicy,
    });
    const role = new Role(this, 'ActivationRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Activates the SES receipt rule set ${this.ruleSetName}`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    const activation = new AwsCustomResource(this, 'Activation', {
      resourceType: 'Custom::SesActiveReceiptRuleSet',
      onCreate: activate,
      onUpdate: activate,
      ...(!existingRuleSet && { onDelete: deactivate }),
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      role,
      logGroup,
      installLatestAwsSdk: false,
    });
    // Activate only a rule set that already holds the CPR rule.
    activation.node.addDependency(this.rule);
    // The SDK-call provider is a singleton function at the stack's root.
    const providerId = `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;
    const provider = Stack.of(this).node.tryFindChild(providerId);
    if (!provider) throw new Error(`${this.node.path}: no custom resource provider function`);
    Validations.of(provider).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason:
        'CT.LAMBDA.PR.3 asks for a customer VPC. This provider makes one SES API call per ' +
        'deployment (SetActiveReceiptRuleSet) and listens on no network; a VPC would add NAT ' +
        'or an SES interface endpoint and no control.',
    });

    const policy = activation.node.findChild('CustomResourcePolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:SetActiveReceiptRuleSet supports no resource-level permissions (the IAM service ' +
        'authorization reference lists no resource type for it); it is the only action here.',
    });
    return activation;
  }
}
