/**
 * The whole pipeline on one machine: the same handlers and the same state machine definition as
 * in AWS, with the stand-ins behind the SDK's endpoint variables. The only local pieces are the
 * runners: an SMTP server instead of SES receiving, a Step Functions front that executes the
 * CDK-synthesized definition, a Lambda front for `cpr ingest`/`cpr replay`, and an SNS sink.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type Deployment, removeLocalDeployment, writeLocalDeployment } from '../cli/deployment.ts';
import { REPO_ROOT } from '../infra/paths.ts';
import { documentClient, s3Client } from '../lambdas/adapters/aws-clients.ts';
import { casesTable } from '../lambdas/adapters/dynamo/cases-table.ts';
import { DynamoInventory } from '../lambdas/adapters/dynamo/inventory.ts';
import { openInventoryFile } from '../lambdas/adapters/fs/inventory-file.ts';
import { readIssuersFile } from '../lambdas/adapters/fs/issuers-file.ts';
import { CLOCK_STATES } from '../lambdas/clock/contract.ts';
import { clockDeps } from '../lambdas/clock/deps.ts';
import { acknowledgeTask, checkpointTask, notifyTeamTask } from '../lambdas/clock/tasks.ts';
import { importInventory } from '../lambdas/domain/inventory/import.ts';
import { DEFAULT_DEADLINE_POLICY_VERSION } from '../lambdas/domain/policy/deadline-policy.ts';
import type { DeadlineClockInput } from '../lambdas/domain/ports/deadline-clock.ts';
import type { IntakeConfig } from '../lambdas/intake/config.ts';
import { canarySecretOf, intakeDeps, intakeSettings } from '../lambdas/intake/deps.ts';
import { handleIntakeEvent } from '../lambdas/intake/handler-core.ts';
import type { LocalConfig } from './config.ts';
import { failureReportTasks } from './failure-reports.ts';
import { startLambdaEndpoint } from './lambda-endpoint.ts';
import { startSfnEndpoint } from './sfn-endpoint.ts';
import { startSmtpIntake } from './smtp-intake.ts';
import { startSnsSink } from './sns-sink.ts';
import {
  createBucket,
  createTables,
  LOCAL_REGION,
  pointSdkAt,
  startDynamo,
  startS3,
  startSes,
} from './stand-ins.ts';
import {
  type Asl,
  type ClockRun,
  type LocalClock,
  runClock,
  scaledClock,
} from './state-machine.ts';
import { startLocalVerifier } from './verifier.ts';

export const LOCAL_NAMES = {
  casesTable: 'cpr-cases',
  auditTable: 'cpr-audit',
  inventoryTable: 'cpr-inventory',
  bucket: 'cpr-inbound',
  archiveBucket: 'cpr-archive',
  inboundPrefix: 'inbound/',
  evidencePrefix: 'evidence/',
  intakeFunction: 'cpr-intake',
  configurationSet: 'cpr-notices',
  stateMachineArn: `arn:aws:states:${LOCAL_REGION}:000000000000:stateMachine:cpr-deadline-clock`,
  topics: {
    team: `arn:aws:sns:${LOCAL_REGION}:000000000000:cpr-team`,
    escalation: `arn:aws:sns:${LOCAL_REGION}:000000000000:cpr-escalation`,
    pager: `arn:aws:sns:${LOCAL_REGION}:000000000000:cpr-pager`,
  },
} as const;

/** How often the simulated time is saved, so a restart continues from where it was. */
export const CLOCK_SAVE_INTERVAL_MS = 1_000;
/** Pause before a retried clock task (AWS waits 2 s with backoff; locally a short fixed pause). */
export const LOCAL_RETRY_INTERVAL_MS = 100;

interface SavedClock {
  readonly realAt: number;
  readonly simulatedAt: number;
}

/**
 * Simulated time that keeps flowing while the stack is down (as real time would): on start it
 * continues from the saved point, advanced by the real time since, times the scale.
 */
async function persistentClock(
  file: string,
  scale: number,
): Promise<LocalClock & { save(): Promise<void> }> {
  let start = new Date();
  try {
    const saved = JSON.parse(await readFile(file, 'utf-8')) as SavedClock;
    const resumed = saved.simulatedAt + (Date.now() - saved.realAt) * scale;
    if (Number.isFinite(resumed) && resumed > start.getTime()) start = new Date(resumed);
  } catch {
    // First start, or an unreadable file: simulated time starts at the real time.
  }
  const clock = scaledClock(scale, start);
  return {
    ...clock,
    save: () =>
      writeFile(
        file,
        JSON.stringify({
          realAt: Date.now(),
          simulatedAt: clock.now().getTime(),
        } satisfies SavedClock),
      ),
  };
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Where the synthesized clock definition is cached, shared by every data directory. */
export const DEFINITION_CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'cpr-intake');

/**
 * The CDK-synthesized clock definition, cached under a hash of everything that shapes it (the
 * CDK app, cdk.json, the clock contract and the locked dependency versions): synth takes seconds,
 * a restart should not. Any change to those files synthesizes again.
 */
async function clockDefinition(): Promise<Asl> {
  const inputs = [
    ...(await sourceFiles(join(REPO_ROOT, 'infra'))),
    join(REPO_ROOT, 'cdk.json'),
    join(REPO_ROOT, 'package-lock.json'),
    join(REPO_ROOT, 'lambdas', 'clock', 'contract.ts'),
    join(REPO_ROOT, 'local', 'state-machine.ts'),
    join(REPO_ROOT, 'local', 'clock-definition.ts'),
  ];
  const hash = createHash('sha256');
  for (const file of inputs) hash.update(file).update(await readFile(file));
  const key = hash.digest('hex');
  await mkdir(DEFINITION_CACHE_DIR, { recursive: true });
  const cacheFile = join(DEFINITION_CACHE_DIR, `clock-definition-${key.slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf-8')) as {
      key: string;
      definition: Asl;
    };
    if (cached.key === key) return cached.definition;
  } catch {
    // No cache yet.
  }
  // Loading the CDK takes seconds: only on a cache miss.
  const { synthesizedClockDefinition } = await import('./clock-definition.ts');
  const definition = synthesizedClockDefinition();
  await writeFile(cacheFile, JSON.stringify({ key, definition }));
  return definition;
}

/** The local canary key: made once per data directory (AWS keeps it in Secrets Manager). */
async function localCanarySecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'canary-secret');
  try {
    return (await readFile(file, 'utf-8')).trim();
  } catch {
    const secret = randomBytes(32).toString('hex');
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

export interface LocalStack {
  readonly deployment: Deployment;
  readonly smtpAddress: string;
  readonly outboxUrl: string;
  readonly snsLogFile: string;
  readonly clock: LocalClock;
  /** Clock executions running now, by case id. */
  readonly runs: ReadonlyMap<string, ClockRun>;
  /** Cases whose clock was resumed at start. */
  readonly resumed: readonly string[];
  stop(): Promise<void>;
}

export async function startLocalStack(
  config: LocalConfig,
  log: (line: string) => void = console.log,
): Promise<LocalStack> {
  await mkdir(join(config.dataDir, 's3'), { recursive: true });
  const clock = await persistentClock(join(config.dataDir, 'clock.json'), config.timeScale);
  const snsLogFile = join(config.dataDir, 'sns.jsonl');

  const dynamo = await startDynamo({ path: join(config.dataDir, 'dynamodb') });
  const s3 = await startS3({ directory: join(config.dataDir, 's3') });
  const ses = await startSes({ port: config.outboxPort });
  const sns = await startSnsSink({
    jsonLinesFile: snsLogFile,
    ...(config.quiet ? {} : { console: log }),
    webhooks: Object.fromEntries(
      Object.entries(config.webhooks).map(([topic, url]) => [
        LOCAL_NAMES.topics[topic as keyof typeof LOCAL_NAMES.topics].split(':').at(-1)!,
        url,
      ]),
    ),
  });
  const runs = new Map<string, ClockRun>();

  // Everything below reaches the stand-ins through the SDK's own endpoint variables.
  const sfnPlaceholder = await startSfnEndpoint({
    onStart: (execution) =>
      startRun(execution.name, JSON.parse(execution.input) as DeadlineClockInput, execution),
    onStop: (execution) => runs.get(execution.name)?.abort(),
  });
  pointSdkAt(process.env, {
    dynamodb: dynamo.endpoint,
    s3: s3.endpoint,
    sesv2: ses.endpoint,
    sns: sns.endpoint,
    sfn: sfnPlaceholder.endpoint,
  });
  await createTables(dynamo.endpoint, {
    cases: LOCAL_NAMES.casesTable,
    audit: LOCAL_NAMES.auditTable,
    inventory: LOCAL_NAMES.inventoryTable,
  });
  await createBucket(s3.endpoint, LOCAL_NAMES.bucket);
  await createBucket(s3.endpoint, LOCAL_NAMES.archiveBucket);

  const storage = {
    casesTable: LOCAL_NAMES.casesTable,
    auditTable: LOCAL_NAMES.auditTable,
    inventoryTable: LOCAL_NAMES.inventoryTable,
    inboundBucket: LOCAL_NAMES.bucket,
    inboundPrefix: LOCAL_NAMES.inboundPrefix,
    evidenceBucket: LOCAL_NAMES.bucket,
    evidencePrefix: LOCAL_NAMES.evidencePrefix,
  } as const;
  const intakeConfig: IntakeConfig = {
    ...storage,
    stateMachineArn: LOCAL_NAMES.stateMachineArn,
    teamTopicArn: LOCAL_NAMES.topics.team,
    ownAddresses: [...config.cprAddresses, config.senderAddress],
    deadlinePolicyVersion: DEFAULT_DEADLINE_POLICY_VERSION,
    archiveBucket: LOCAL_NAMES.archiveBucket,
    canarySecret: { value: await localCanarySecret(config.dataDir) },
    issuers: readIssuersFile(config.issuersFile ?? undefined),
  };
  const intake = {
    deps: intakeDeps(intakeConfig, () => clock.now()),
    settings: intakeSettings(intakeConfig, await canarySecretOf(intakeConfig)),
    inboundPrefix: intakeConfig.inboundPrefix,
  };
  const taskDeps = clockDeps({
    casesTable: LOCAL_NAMES.casesTable,
    auditTable: LOCAL_NAMES.auditTable,
    revocation: {
      inventoryTable: LOCAL_NAMES.inventoryTable,
      evidenceBucket: LOCAL_NAMES.bucket,
      evidencePrefix: LOCAL_NAMES.evidencePrefix,
      blocklistBucket: LOCAL_NAMES.bucket,
    },
    configurationSet: LOCAL_NAMES.configurationSet,
    topics: LOCAL_NAMES.topics,
    region: LOCAL_REGION,
    now: () => clock.now(),
  });
  const sender = {
    senderAddress: config.senderAddress,
    replyTo: config.cprAddresses[0]!,
    caName: config.caName,
    acknowledgmentLimits: config.acknowledgmentLimits,
  };
  const where = {
    rawMail: (key: string) => `${join(config.dataDir, 's3', LOCAL_NAMES.bucket, key)}`,
  };
  const checkpoint = checkpointTask(taskDeps);
  const definition = await clockDefinition();
  const tasks = {
    [CLOCK_STATES.acknowledge]: acknowledgeTask(taskDeps, sender),
    [CLOCK_STATES.notifyTeam]: notifyTeamTask(taskDeps, where),
    [CLOCK_STATES.plan]: checkpoint,
    [CLOCK_STATES.evaluate]: checkpoint,
    // The SNS publishes the definition makes when a task keeps failing: to the pager, as in AWS.
    ...failureReportTasks(taskDeps.notifier),
  };

  function startRun(name: string, input: DeadlineClockInput, execution?: { status: string }) {
    const run = runClock(definition, input as never, {
      tasks,
      clock,
      executionName: name,
      retryIntervalMs: LOCAL_RETRY_INTERVAL_MS,
      stateMachineArn: LOCAL_NAMES.stateMachineArn,
    });
    runs.set(name, run);
    void run.outcome.then((outcome) => {
      if (execution) execution.status = outcome.status;
      if (runs.get(name) === run) runs.delete(name);
      if (outcome.status === 'FAILED') log(`[clock] ${name} FAILED: ${outcome.error}`);
    });
  }

  if (config.inventoryCsv) {
    const file = await openInventoryFile(config.inventoryCsv);
    try {
      const result = await importInventory(
        file.csv,
        new DynamoInventory(documentClient(), LOCAL_NAMES.inventoryTable),
        {
          runId: `start/${randomBytes(8).toString('hex')}`,
          sync: false,
          now: () => new Date(),
          elapsed: () => performance.now(),
        },
      );
      log(
        `inventory: ${result.written} certificates loaded from ${config.inventoryCsv}${result.rejected ? `, ${result.rejected} rows rejected` : ''}`,
      );
    } finally {
      file.close();
    }
  }

  const lambda = await startLambdaEndpoint({
    functions: { [LOCAL_NAMES.intakeFunction]: (event) => handleIntakeEvent(event, intake) },
    onAsyncError: (fn, error) => log(`[lambda] ${fn} failed: ${(error as Error).message}`),
  });
  const smtp = await startSmtpIntake({
    port: config.smtpPort,
    cprAddresses: config.cprAddresses,
    s3: s3Client(),
    bucket: LOCAL_NAMES.bucket,
    prefix: LOCAL_NAMES.inboundPrefix,
    invoke: (event) => handleIntakeEvent(event, intake),
    onError: (error, id) =>
      log(
        `[intake] message ${id} failed (it stays stored; cpr replay ${id}): ${(error as Error).message}`,
      ),
    now: () => clock.now(),
  });

  // Local executions live in memory: resume the clock of every open case from its record.
  const resumed = await resumeOpenCases(new SFNClient({}));
  const saver = setInterval(() => void clock.save().catch(() => undefined), CLOCK_SAVE_INTERVAL_MS);
  saver.unref();
  const verifier = config.issuersFile
    ? await startLocalVerifier(config.issuersFile, taskDeps, () => [...runs.keys()], log)
    : null;

  const deployment: Deployment = {
    kind: 'local',
    region: LOCAL_REGION,
    endpoints: {
      dynamodb: dynamo.endpoint,
      s3: s3.endpoint,
      sesv2: ses.endpoint,
      sns: sns.endpoint,
      sfn: sfnPlaceholder.endpoint,
      lambda: lambda.endpoint,
    },
    pid: process.pid,
    clock: (() => {
      const realAt = Date.now();
      return { realAt, simulatedAt: clock.now().getTime(), scale: config.timeScale };
    })(),
    ...storage,
    intakeFunction: LOCAL_NAMES.intakeFunction,
    configurationSet: LOCAL_NAMES.configurationSet,
    senderAddress: config.senderAddress,
    replyTo: config.cprAddresses[0]!,
    caName: config.caName,
    acknowledgmentLimits: config.acknowledgmentLimits,
    stateMachineArn: LOCAL_NAMES.stateMachineArn,
  };
  await writeLocalDeployment(config.dataDir, deployment);

  async function resumeOpenCases(sfn: SFNClient): Promise<string[]> {
    const store = casesTable(documentClient(), LOCAL_NAMES.casesTable).cases;
    const ids: string[] = [];
    for (const c of await store.listOpenByDeadline()) {
      const input: DeadlineClockInput = {
        caseId: c.id,
        receivedAt: c.receivedAt,
        deadlines: c.deadlines,
        acknowledgment: c.acknowledgment,
      };
      await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: LOCAL_NAMES.stateMachineArn,
          name: c.id,
          input: JSON.stringify(input),
        }),
      );
      ids.push(c.id);
    }
    return ids;
  }

  return {
    deployment,
    smtpAddress: smtp.address,
    outboxUrl: `${ses.endpoint}/`,
    snsLogFile,
    clock,
    runs,
    resumed,
    async stop() {
      clearInterval(saver);
      verifier?.stop();
      await clock.save().catch(() => undefined);
      for (const run of runs.values()) run.abort();
      await smtp.stop();
      await Promise.allSettled([
        lambda.stop(),
        sfnPlaceholder.stop(),
        sns.stop(),
        ses.stop(),
        s3.stop(),
      ]);
      await dynamo.stop();
      await removeLocalDeployment(config.dataDir);
    },
  };
}
