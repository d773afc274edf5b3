/** Wires the clock's tasks to their AWS adapters. */
import { documentClient, sesClient, snsClient } from '../adapters/aws-clients.ts';
import { DynamoCaseRepository } from '../adapters/dynamo/case-repository.ts';
import { SesMailer } from '../adapters/ses/mailer.ts';
import { SnsNotifier } from '../adapters/sns/notifier.ts';
import type { AlertTopic } from '../domain/case/types.ts';
import type { Mailer, Notifier } from '../domain/notices/ports.ts';
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
  return {
    cases: new DynamoCaseRepository(documentClient(), options.casesTable),
    mailer: options.configurationSet
      ? new SesMailer(sesClient(), options.configurationSet)
      : noMailer,
    notifier: options.topics ? new SnsNotifier(snsClient(), options.topics) : noNotifier,
    region: options.region ?? null,
    now: options.now ?? (() => new Date()),
  };
}
