/** Wires the clock's tasks to their AWS adapters. */
import { documentClient, sesClient, snsClient } from '../adapters/aws-clients.ts';
import { casesTable } from '../adapters/dynamo/cases-table.ts';
import { DynamoRateLimiter } from '../adapters/dynamo/rate-limits.ts';
import { DynamoSendClaims } from '../adapters/dynamo/send-claims.ts';
import { SesMailer } from '../adapters/ses/mailer.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import type { AlertTopic } from '../domain/case/types.ts';
import type { Mailer } from '../domain/ports/mailer.ts';
import type { Notifier } from '../domain/ports/notifier.ts';
import type { ClockTaskDeps } from './tasks.ts';

/** A mailer for functions that must never send mail: a call is a wiring bug, said loudly. */
const noMailer: Mailer = {
  send: () => Promise.reject(new Error('this function is not allowed to send mail')),
};
const noNotifier: Notifier = {
  publish: () => Promise.reject(new Error('this function is not allowed to publish')),
};

export function clockDeps(options: {
  casesTable: string;
  configurationSet?: string;
  topics?: Readonly<Partial<Record<AlertTopic, string>>>;
  region?: string | null;
  now?: () => Date;
}): ClockTaskDeps {
  const table = casesTable(documentClient(), options.casesTable);
  return {
    cases: table.cases,
    audit: table.audit,
    outbound: table.outbound,
    messageIds: table.messageIds,
    claims: new DynamoSendClaims(documentClient(), options.casesTable),
    rateLimiter: new DynamoRateLimiter(documentClient(), options.casesTable),
    mailer: options.configurationSet
      ? new SesMailer(sesClient({ singleAttempt: true }), options.configurationSet)
      : noMailer,
    notifier: options.topics ? new SnsNotifier(snsClient(), options.topics) : noNotifier,
    region: options.region ?? null,
    now: options.now ?? (() => new Date()),
  };
}
