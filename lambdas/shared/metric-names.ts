/**
 * The CloudWatch metrics the handlers emit (Powertools EMF) and the alarms and dashboard in
 * `infra/` read: one source of truth, like the ENV names. A metric is identified by namespace,
 * name and dimensions; Powertools adds one dimension, `service`, the function's
 * POWERTOOLS_SERVICE_NAME, which CprFunction sets to the function's METRIC_SERVICES value.
 */
import type { Classification, EscalationLevel, NoticeKind } from '../domain/case/types.ts';
import type { ClockPlan } from '../domain/escalation/run-checkpoint.ts';

type ClockDoneReason = Extract<ClockPlan, { done: true }>['reason'];

export const METRICS_NAMESPACE = 'CprIntake';

/** Each function's service name: its logs, its traces and its metrics' `service` dimension. */
export const METRIC_SERVICES = {
  intake: 'intake',
  acknowledge: 'acknowledge',
  notifyTeam: 'notify-team',
  checkpoint: 'checkpoint',
  deliveryEvents: 'delivery-events',
  canary: 'canary',
  revocationVerifier: 'revocation-verifier',
} as const;
export type MetricService = (typeof METRIC_SERVICES)[keyof typeof METRIC_SERVICES];

export const INTAKE_METRICS = {
  reportsReceived: 'ReportsReceived',
  duplicateDeliveries: 'DuplicateDeliveries',
  acknowledgmentsSuppressed: 'AcknowledgmentsSuppressed',
  parseFailures: 'ParseFailures',
  classified: (c: Classification) => `Classified_${c}` as const,
  /** A canary recognised and recorded as a heartbeat (no case). */
  canaryHeartbeats: 'CanaryHeartbeats',
  /** Per report: what evidence extraction found, and how many inventory certificates matched. */
  evidenceCertificates: 'EvidenceCertificates',
  evidenceKeys: 'EvidenceKeys',
  evidenceCsrs: 'EvidenceCsrs',
  affectedCertificates: 'AffectedCertificates',
} as const;

export const ACKNOWLEDGE_METRICS = {
  sent: 'AcknowledgmentsSent',
  notSent: 'AcknowledgmentsNotSent',
  /** Seconds from the report's receipt (SES timestamp) to the acknowledgment's send. */
  timeToAcknowledgment: 'TimeToAcknowledgmentSeconds',
} as const;

export const TEAM_NOTICE_METRICS = {
  /** 1 when this run published the team notice, 0 when it had been published already. */
  sent: 'TeamNoticesSent',
} as const;

export const CHECKPOINT_METRICS = {
  /** One per run of the checkpoint function (plan or evaluate): the clock is ticking. */
  runs: 'CheckpointRuns',
  /** One per escalation published; `Escalation_breach` is a missed BR deadline. */
  escalation: (level: EscalationLevel) => `Escalation_${level}` as const,
  /** One per execution that ends: why the clock has nothing left to watch. */
  clockDone: (reason: ClockDoneReason) => `ClockDone_${reason}` as const,
} as const;

export const VERIFIER_METRICS = {
  /** Recorded revocations looked at from outside this round. */
  checked: 'RevocationsChecked',
  verified: 'RevocationsVerified',
  /** Recorded revocations a relying party cannot see: the team and the pager were alerted. */
  notVisible: 'RevocationsNotVisible',
  /** Left for the next round by the per-round limit (a mass revocation in progress). */
  deferred: 'RevocationsDeferred',
} as const;

export const DELIVERY_EVENT_METRICS = {
  /** One per SES event record, by what it did to the notice. */
  deliveryEvent: (status: string) => `DeliveryEvent_${status}` as const,
  /** Seconds from the report's receipt to the delivery of a notice of this kind. */
  timeToNoticeDelivered: (kind: NoticeKind) => `TimeToDelivery_${kind}Seconds` as const,
} as const;

export const CANARY_METRICS = {
  /** Age of the newest heartbeat when the canary ran; absent when there is none. */
  heartbeatAge: 'CanaryHeartbeatAgeSeconds',
  /** 1 when the active receipt rule set is this stack's, 0 otherwise. */
  ruleSetActive: 'ReceiptRuleSetActive',
  /** Subscriptions of the team, escalation and pager topics still PendingConfirmation. */
  pendingSubscriptions: 'PendingSubscriptions',
  /** Alert topics without a single confirmed subscription. */
  topicsWithoutSubscriber: 'AlertTopicsWithoutSubscriber',
  /** 1 when SES accepted this run's canary mail, 0 when the send failed. */
  sent: 'CanarySent',
  /** Cases in the openByDeadline index (open, with a deadline ahead). */
  openCases: 'OpenCases',
  /** Preliminary-report obligations still owed across those cases. */
  openObligations: 'OpenObligations',
  /** Checks that could not run (an SDK call failed); the run then fails too. */
  checkFailures: 'CanaryCheckFailures',
} as const;
