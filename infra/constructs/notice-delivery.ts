/**
 * Sending notices and learning what became of them. Every notice goes out through one SES
 * configuration set whose event destination publishes SEND, DELIVERY, BOUNCE, COMPLAINT, REJECT
 * and DELIVERY_DELAY to the delivery-events topic; the delivery-events function records the
 * outcome on the notice and alerts the team when one did not arrive (D-Trust 1893610: a bounce
 * nobody noticed). The sender's domain is an SES identity with Easy DKIM (2048-bit keys) and,
 * optionally, a custom MAIL FROM domain; its DNS records are a stack output (docs/deploy.md).
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ConfigurationSet,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  MailFromBehaviorOnMxFailure,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env-names.ts';
import { METRIC_SERVICES } from '../../lambdas/shared/metric-names.ts';
import { domainOf } from '../config.ts';
import { lambdaEntry } from '../paths.ts';
import { type AlertTopics, servicePublisherKeyStatement } from './alert-topics.ts';
import type { CaseStore } from './case-store.ts';
import { CprFunction, configurationSetArn } from './cpr-function.ts';

/** Every sending event that says where a notice is: sent, arrived, refused, delayed, disputed. */
export const DELIVERY_EVENT_TYPES = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.DELIVERY_DELAY,
] as const;

/** Small, SDK-bound functions: a DynamoDB read/update and an SNS or SES call per event. */
export const NOTICE_FUNCTION_MEMORY_MB = 256;
export const NOTICE_FUNCTION_TIMEOUT = Duration.seconds(30);

/**
 * How long SES keeps retrying a notice it cannot deliver before it gives up with a bounce event
 * (SES's default is 14 hours). Two hours ride out greylisting and short outages, and leave some
 * 22 of the 24 hours of BR 4.9.5 to send the notice another way once the team hears of it.
 */
export const MAX_DELIVERY_DURATION = Duration.hours(2);

export interface NoticeDeliveryProps {
  /** Verified SES identity notices come from (the address or its domain). */
  readonly senderAddress: string;
  /** Create the sender domain's SES identity here, and its custom MAIL FROM subdomain. */
  readonly identities: {
    readonly create: boolean;
    readonly mailFromSubdomain?: string | undefined;
  };
  readonly alerts: AlertTopics;
  readonly store: CaseStore;
  /** Only its name: the functions put a console link to the raw message into alerts. */
  readonly inboundBucket: IBucket;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

export class NoticeDelivery extends Construct {
  readonly configurationSet: ConfigurationSet;
  /** SES sending events of the configuration set, encrypted with the alert topics' key. */
  readonly eventsTopic: Topic;
  readonly eventsFunction: CprFunction;
  /**
   * The SES identities a sender may use: the sender's domain and the address itself (whichever is
   * verified; SES authorizes a send against the identity that covers the From address).
   */
  readonly senderIdentityArns: readonly string[];
  /** The sender domain's identity, unless it is managed outside this stack. */
  readonly identity: EmailIdentity | undefined;
  /** The custom MAIL FROM domain, if any (needs an MX and an SPF record). */
  readonly mailFromDomain: string | undefined;

  constructor(scope: Construct, id: string, props: NoticeDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const domain = domainOf(props.senderAddress);
    this.senderIdentityArns = [domain, props.senderAddress].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      // Bounce and complaint rates of the notices alone, next to the account-wide rates that
      // alarms.ts watches (SES may pause sending above a 10% bounce rate).
      reputationMetrics: true,
      sendingEnabled: true,
      maxDeliveryDuration: MAX_DELIVERY_DURATION,
    });

    const { mailFromSubdomain } = props.identities;
    this.mailFromDomain = mailFromSubdomain ? `${mailFromSubdomain}.${domain}` : undefined;
    this.identity = props.identities.create
      ? new EmailIdentity(this, 'SenderIdentity', {
          identity: Identity.domain(domain),
          dkimSigning: true,
          dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
          // Every send from the domain reports its delivery, even one that names no set.
          configurationSet: this.configurationSet,
          mailFromDomain: this.mailFromDomain,
          // Without its MX record SES falls back to amazonses.com instead of refusing to send:
          // a notice that goes out with a weaker SPF alignment beats one that does not go out.
          ...(this.mailFromDomain && {
            mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
          }),
        })
      : undefined;
    const eventSource = configurationSetArn(this.configurationSet);

    this.eventsTopic = new Topic(this, 'EventsTopic', {
      displayName: 'CPR notice delivery events',
      masterKey: props.alerts.key,
      enforceSSL: true,
    });
    // SNS encrypts what SES publishes with the topic key on SES's behalf. (The topic-policy grant
    // for ses.amazonaws.com, limited to this account and configuration set, comes with the
    // event destination.)
    props.alerts.key.addToResourcePolicy(
      servicePublisherKeyStatement('ses.amazonaws.com', eventSource),
    );
    this.configurationSet.addEventDestination('DeliveryEvents', {
      destination: EventDestination.snsTopic(this.eventsTopic),
      events: [...DELIVERY_EVENT_TYPES],
    });

    this.eventsFunction = new CprFunction(this, 'EventsFunction', {
      entry: lambdaEntry('delivery-events/handler.ts'),
      description: 'CPR notices: records SES delivery, bounce and complaint events on the notice',
      memorySize: NOTICE_FUNCTION_MEMORY_MB,
      timeout: NOTICE_FUNCTION_TIMEOUT,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      service: METRIC_SERVICES.deliveryEvents,
    })
      .bindTable(props.store.cases, ENV.casesTable, 'getAndPut')
      .bindAuditLog(props.store.audit)
      .bindTopicPublish(props.alerts.team, ENV.teamTopicArn)
      .bindTopicPublish(props.alerts.pager, ENV.pagerTopicArn)
      .setEnv(ENV.inboundBucket, props.inboundBucket.bucketName);

    // SNS invokes the function asynchronously: Lambda's retries and the failure queue apply; an
    // event SNS itself cannot deliver (throttled, function missing) lands in the same queue.
    this.eventsTopic.addSubscription(
      new LambdaSubscription(this.eventsFunction.fn, {
        deadLetterQueue: this.eventsFunction.failureQueue,
      }),
    );
  }
}
