/**
 * Sending notices and learning what became of them. Every notice goes out through one SES
 * configuration set whose event destination publishes SEND, DELIVERY, BOUNCE, COMPLAINT, REJECT
 * and DELIVERY_DELAY to the delivery-events topic; the delivery-events function records the
 * outcome on the notice and alerts the team when one did not arrive (D-Trust 1893610: a bounce
 * nobody noticed). The SES identity itself (domain, DKIM) is set up outside this stack for now.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env-names.ts';
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

export interface NoticeDeliveryProps {
  /** Verified SES identity notices come from (the address or its domain). */
  readonly senderAddress: string;
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

  constructor(scope: Construct, id: string, props: NoticeDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const domain = props.senderAddress.slice(props.senderAddress.lastIndexOf('@') + 1);
    this.senderIdentityArns = [domain, props.senderAddress].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      // Bounce and complaint rates per configuration set: what the alarms issue watches before
      // SES pauses sending (above a 10% bounce rate).
      reputationMetrics: true,
      sendingEnabled: true,
    });
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
      serviceName: 'cpr-delivery-events',
      metricsNamespace: 'CprIntake',
    })
      .bindTable(props.store.cases, ENV.casesTable, 'readWrite')
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
