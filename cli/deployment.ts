/**
 * Which running CPR stack the `cpr` command talks to, and where its resources are.
 *
 * - AWS: `--stack NAME [--region R]` reads the CloudFormation outputs of the deployed stack
 *   (`STACK_OUTPUTS`) with the user's normal credential chain.
 * - Local: otherwise `$CPR_DATA_DIR/stack.json` (default `.cpr-data/stack.json` in the working
 *   directory), which the running local stack (`npm start`) writes with `writeLocalDeployment`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import {
  ACKNOWLEDGMENT_LIMIT_BOUNDS,
  type AcknowledgmentLimits,
} from '../lambdas/domain/notices/acknowledgment-limits.ts';
import type { IntakeConfig } from '../lambdas/intake/config.ts';

/**
 * The stack's output keys (`STACK_OUTPUTS`). Imported lazily: the stack module loads aws-cdk-lib,
 * which would slow every local command down.
 */
export type StackOutputKeys = typeof import('../infra/stack-outputs.ts').STACK_OUTPUTS;

async function stackOutputKeys(): Promise<StackOutputKeys> {
  return (await import('../infra/stack-outputs.ts')).STACK_OUTPUTS;
}

/** Data directory of the local stack when `CPR_DATA_DIR` is unset, relative to the cwd. */
export const DEFAULT_DATA_DIR = '.cpr-data';
/** The file in the data directory that describes the running local stack. */
export const LOCAL_DEPLOYMENT_FILE = 'stack.json';

/** Loopback endpoints of the local stand-ins, one per AWS service the tools call. */
export interface LocalEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly sesv2: string;
  readonly sns: string;
  readonly sfn: string;
  readonly lambda: string;
}

/** The tables, buckets and state machine the CLI shares with intake, named as intake names them. */
type SharedResources = Pick<
  IntakeConfig,
  | 'casesTable'
  | 'auditTable'
  | 'inventoryTable'
  | 'inboundBucket'
  | 'inboundPrefix'
  | 'evidenceBucket'
  | 'evidencePrefix'
  | 'stateMachineArn'
>;

export interface Deployment extends SharedResources {
  readonly kind: 'local' | 'aws';
  readonly region: string;
  /** Local only: where each service answers. AWS uses the SDK's normal endpoints. */
  readonly endpoints?: LocalEndpoints;
  /** Local only: the process serving the stack, to tell a stale stack.json from a live one. */
  readonly pid?: number;
  /**
   * Local only: the stack's simulated time (`CPR_TIME_SCALE`), so that "now" in the CLI is the
   * stack's now. Simulated time = simulatedAt + (wall clock - realAt) * scale.
   */
  readonly clock?: {
    readonly realAt: number;
    readonly simulatedAt: number;
    readonly scale: number;
  };
  /** Name (or ARN) of the intake function `cpr ingest` and `cpr replay` invoke. */
  readonly intakeFunction: string;
  /** SES configuration set that reports delivery events of the notices we send. */
  readonly configurationSet: string | null;
  /** Verified SES identity notices come from; null when the stack does not say. */
  readonly senderAddress: string | null;
  /** Where replies to notices go (the first CPR address), so they thread into the case. */
  readonly replyTo: string | null;
  readonly caName: string | null;
  /**
   * The per-recipient limits the stack's acknowledgments count against, which the mail `cpr`
   * sends (a request for information, a preliminary report) shares; null when the stack does not
   * say (the defaults apply).
   */
  readonly acknowledgmentLimits?: AcknowledgmentLimits | null;
}

export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
}

const endpointUrl = z.url({ protocol: /^https?$/ });

const bounded = (b: { readonly min: number; readonly max: number }) =>
  z.number().int().min(b.min).max(b.max);
const acknowledgmentLimitsSchema = z.object({
  perAddress: bounded(ACKNOWLEDGMENT_LIMIT_BOUNDS.perAddress),
  perDomain: bounded(ACKNOWLEDGMENT_LIMIT_BOUNDS.perDomain),
  windowHours: bounded(ACKNOWLEDGMENT_LIMIT_BOUNDS.windowHours),
});

const deploymentSchema = z.object({
  kind: z.enum(['local', 'aws']),
  region: z.string().min(1),
  endpoints: z
    .object({
      dynamodb: endpointUrl,
      s3: endpointUrl,
      sesv2: endpointUrl,
      sns: endpointUrl,
      sfn: endpointUrl,
      lambda: endpointUrl,
    })
    .optional(),
  pid: z.number().int().positive().optional(),
  clock: z
    .object({ realAt: z.number(), simulatedAt: z.number(), scale: z.number().positive() })
    .optional(),
  casesTable: z.string().min(1),
  auditTable: z.string().min(1),
  inventoryTable: z.string().min(1),
  inboundBucket: z.string().min(1),
  inboundPrefix: z.string(),
  evidenceBucket: z.string().min(1),
  evidencePrefix: z.string(),
  intakeFunction: z.string().min(1),
  configurationSet: z.string().min(1).nullable(),
  senderAddress: z.string().min(1).nullable(),
  replyTo: z.string().min(1).nullable(),
  caName: z.string().min(1).nullable(),
  acknowledgmentLimits: acknowledgmentLimitsSchema.nullable().optional(),
  stateMachineArn: z.string().min(1),
});

/** The data directory: `CPR_DATA_DIR`, else `.cpr-data` in `cwd`. */
export function dataDirOf(env: NodeJS.ProcessEnv, cwd: string): string {
  return resolve(cwd, env.CPR_DATA_DIR || DEFAULT_DATA_DIR);
}

/** Written by the local stack once every service answers; atomic, so a reader never sees half. */
export async function writeLocalDeployment(dir: string, d: Deployment): Promise<void> {
  const checked = deploymentSchema.parse(d);
  if (checked.kind !== 'local' || !checked.endpoints) {
    throw new DeploymentError('a local deployment needs kind "local" and its endpoints');
  }
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCAL_DEPLOYMENT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(checked, null, 2)}\n`, 'utf-8');
  await rename(tmp, file);
}

/** Removed by the local stack when it stops, so `cpr` says "not running" instead of timing out. */
export async function removeLocalDeployment(dir: string): Promise<void> {
  await rm(join(dir, LOCAL_DEPLOYMENT_FILE), { force: true });
}

const NOT_RUNNING =
  'no local stack running: start it with `npm start`, or pass --stack NAME --region REGION';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the running local stack's description. @throws DeploymentError */
export async function readLocalDeployment(dir: string): Promise<Deployment> {
  const file = join(dir, LOCAL_DEPLOYMENT_FILE);
  if (!existsSync(file)) throw new DeploymentError(`${NOT_RUNNING} (no ${file})`);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf-8'));
  } catch (error) {
    throw new DeploymentError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DeploymentError(
      `${file} does not describe a stack: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const d = parsed.data;
  if (d.kind !== 'local' || !d.endpoints) {
    throw new DeploymentError(`${file} must describe a local stack (kind "local" with endpoints)`);
  }
  if (d.pid !== undefined && !processAlive(d.pid)) {
    throw new DeploymentError(
      `${NOT_RUNNING} (${file} was written by process ${d.pid}, which has ended)`,
    );
  }
  return d;
}

/**
 * The deployment from CloudFormation outputs (pure, for tests). Outputs a stack version may lack
 * (sender settings) become null, and only the commands that need them refuse.
 */
export function deploymentFromOutputs(
  stackName: string,
  region: string,
  outputs: Readonly<Record<string, string>>,
  STACK_OUTPUTS: StackOutputKeys,
): Deployment {
  const required = (key: string): string => {
    const value = outputs[key];
    if (!value) {
      throw new DeploymentError(
        `stack ${stackName} in ${region} has no output ${key}: is it a cpr-intake stack, deployed from this version?`,
      );
    }
    return value;
  };
  const optional = (key: string | undefined): string | null => (key ? outputs[key] || null : null);
  // Keys other engineers may add to STACK_OUTPUTS; read by name so an older stack still works.
  const more = STACK_OUTPUTS as Readonly<Record<string, string>>;
  let prefixes: { inbound?: unknown; evidence?: unknown };
  try {
    prefixes = JSON.parse(required(STACK_OUTPUTS.keyPrefixes)) as typeof prefixes;
  } catch (error) {
    if (error instanceof DeploymentError) throw error;
    throw new DeploymentError(
      `stack ${stackName}: output ${STACK_OUTPUTS.keyPrefixes} is not JSON`,
    );
  }
  const inboundBucket = required(STACK_OUTPUTS.inboundBucket);
  const limits = optional(STACK_OUTPUTS.acknowledgmentLimits);
  const acknowledgmentLimits = limits
    ? acknowledgmentLimitsSchema.safeParse(jsonOrNull(limits))
    : null;
  if (acknowledgmentLimits && !acknowledgmentLimits.success) {
    throw new DeploymentError(
      `stack ${stackName}: output ${STACK_OUTPUTS.acknowledgmentLimits} is not {perAddress, perDomain, windowHours} within bounds`,
    );
  }
  const cprAddresses = optional(more.cprAddresses);
  return {
    kind: 'aws',
    region,
    casesTable: required(STACK_OUTPUTS.casesTable),
    auditTable: required(STACK_OUTPUTS.auditTable),
    inventoryTable: required(STACK_OUTPUTS.inventoryTable),
    inboundBucket,
    inboundPrefix: typeof prefixes.inbound === 'string' ? prefixes.inbound : '',
    evidenceBucket: optional(more.evidenceBucket) ?? inboundBucket,
    evidencePrefix: typeof prefixes.evidence === 'string' ? prefixes.evidence : 'evidence/',
    intakeFunction: required(STACK_OUTPUTS.intakeFunction),
    configurationSet: optional(STACK_OUTPUTS.configurationSet),
    senderAddress: optional(more.senderAddress),
    replyTo: optional(more.replyTo) ?? cprAddresses?.split(',')[0]?.trim() ?? null,
    caName: optional(more.caName),
    acknowledgmentLimits: acknowledgmentLimits?.data ?? null,
    stateMachineArn: required(STACK_OUTPUTS.deadlineStateMachine),
  };
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads a deployed stack's outputs. @throws DeploymentError */
export async function readAwsDeployment(
  stackName: string,
  region: string | undefined,
): Promise<Deployment> {
  const { CloudFormationClient, DescribeStacksCommand } = await import(
    '@aws-sdk/client-cloudformation'
  );
  const cfn = new CloudFormationClient(region ? { region } : {});
  try {
    const resolvedRegion = await cfn.config.region();
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack) throw new DeploymentError(`stack ${stackName} not found in ${resolvedRegion}`);
    const outputs: Record<string, string> = {};
    for (const o of stack.Outputs ?? []) {
      if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
    }
    return deploymentFromOutputs(stackName, resolvedRegion, outputs, await stackOutputKeys());
  } catch (error) {
    if (error instanceof DeploymentError) throw error;
    const e = error as Error;
    if (e.name === 'ValidationError') {
      throw new DeploymentError(`stack ${stackName}: ${e.message}`, { cause: e });
    }
    if (e.message?.includes('Region is missing')) {
      throw new DeploymentError('no AWS region: pass --region REGION or set AWS_REGION', {
        cause: e,
      });
    }
    if (e.name === 'CredentialsProviderError') {
      throw new DeploymentError(`no AWS credentials found: ${e.message}`, { cause: e });
    }
    throw new DeploymentError(`could not read stack ${stackName}: ${e.name}: ${e.message}`, {
      cause: e,
    });
  } finally {
    cfn.destroy();
  }
}

export interface DeploymentChoice {
  readonly stack?: string | undefined;
  readonly region?: string | undefined;
  readonly dataDir: string;
}

/** `--stack` selects AWS; otherwise the local stack in the data directory. */
export async function resolveDeployment(choice: DeploymentChoice): Promise<Deployment> {
  if (choice.stack) return readAwsDeployment(choice.stack, choice.region);
  if (choice.region) {
    throw new DeploymentError(
      '--region needs --stack NAME (the local stack has no region to choose)',
    );
  }
  return readLocalDeployment(choice.dataDir);
}

/** The deployment's current time: the local stack's simulated clock, or the wall clock. */
export function deploymentNow(
  d: Pick<Deployment, 'clock'>,
  wall: () => Date = () => new Date(),
): Date {
  if (!d.clock) return wall();
  return new Date(d.clock.simulatedAt + (wall().getTime() - d.clock.realAt) * d.clock.scale);
}
