/**
 * The deadline clock's definition exactly as `cdk synth` produces it, resolved to plain ASL: the
 * app is built offline as `infra/bin/app.ts` builds it (same `composeApp`, cdk-nag included, the
 * context from cdk.json) with bundling skipped; the state machine's `DefinitionString` (an
 * `Fn::Join` over `Ref` / `Fn::GetAtt`) becomes plain ASL with every reference replaced by a
 * deterministic placeholder ARN named after the resource's logical id. Kept apart from the runner
 * (`state-machine.ts`) so that running a cached definition does not load the CDK.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { composeApp } from '../infra/compose.ts';
import { CONFIG_CONTEXT_KEY, type CprConfig, parseConfig } from '../infra/config.ts';
import { REPO_ROOT } from '../infra/paths.ts';
import { type Asl, PLACEHOLDER, placeholderArn } from './state-machine.ts';

export class DefinitionResolveError extends Error {
  override readonly name = 'DefinitionResolveError';
}

// ---------------------------------------------------------------------------------------------
// The synthesized definition
// ---------------------------------------------------------------------------------------------

/** The `context` block of cdk.json: feature flags and the sample `cpr` configuration. */
export function cdkJsonContext(): Record<string, unknown> {
  const text = readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8');
  return (JSON.parse(text) as { context: Record<string, unknown> }).context;
}

const definitions = new Map<string, Asl>();

/**
 * The deadline clock's ASL as `cdk synth` writes it for `config` (default: the sample in
 * cdk.json), with placeholder ARNs. A fresh copy per call; the synth runs once per configuration.
 */
export function synthesizedClockDefinition(config?: CprConfig): Asl {
  const context = cdkJsonContext();
  const parsed = config ?? parseConfig(context[CONFIG_CONTEXT_KEY]);
  const key = JSON.stringify(parsed);
  let definition = definitions.get(key);
  if (!definition) {
    definition = resolveStateMachine(synthesizeTemplate(context, parsed));
    definitions.set(key, definition);
  }
  return structuredClone(definition);
}

interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: unknown }>;
}

function synthesizeTemplate(context: Record<string, unknown>, config: CprConfig): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'cpr-clock-'));
  try {
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    // Only the definition is read here: the rule packs are synth's and the tests' to run (the
    // cfn-guard run alone takes seconds, on every start).
    const { intake } = composeApp(app, config, { controlTowerChecks: false });
    return app.synth().getStackByName(intake.stackName).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The one AWS::StepFunctions::StateMachine of `template`, its definition resolved to ASL. */
export function resolveStateMachine(template: CfnTemplate): Asl {
  const machines = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) {
    throw new DefinitionResolveError(`expected one state machine, found ${machines.length}`);
  }
  const [id, machine] = machines[0]!;
  const raw = (machine.Properties as { DefinitionString?: unknown } | undefined)?.DefinitionString;
  if (raw === undefined) throw new DefinitionResolveError(`${id} has no DefinitionString`);
  const text = resolveIntrinsics(raw, template);
  if (typeof text !== 'string') throw new DefinitionResolveError(`${id}: not a string definition`);
  return JSON.parse(text) as Asl;
}

/** What a `Ref` and each `Fn::GetAtt` attribute of a resource type resolve to locally. */
const PLACEHOLDERS: Record<
  string,
  { ref: (id: string) => string; attributes: Record<string, (id: string) => string> }
> = {
  'AWS::Lambda::Function': {
    ref: (id) => id,
    attributes: { Arn: (id) => placeholderArn('lambda', `function:${id}`) },
  },
  'AWS::SNS::Topic': {
    ref: (id) => placeholderArn('sns', id),
    attributes: { TopicArn: (id) => placeholderArn('sns', id), TopicName: (id) => id },
  },
};

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': PLACEHOLDER.partition,
  'AWS::Region': PLACEHOLDER.region,
  'AWS::AccountId': PLACEHOLDER.account,
  'AWS::URLSuffix': PLACEHOLDER.urlSuffix,
};

function resolveIntrinsics(value: unknown, template: CfnTemplate): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, template));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const [fn, args] = entries[0] ?? [];
    if (entries.length === 1 && fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((p) => asString(resolveIntrinsics(p, template), fn)).join(separator);
    }
    if (entries.length === 1 && fn === 'Ref') return resolveRef(args as string, template);
    if (entries.length === 1 && fn === 'Fn::GetAtt') {
      const [id, attribute] = args as [string, string];
      const placeholder = placeholderOf(id, template).attributes[attribute];
      if (!placeholder) throw new DefinitionResolveError(`no placeholder for ${id}.${attribute}`);
      return placeholder(id);
    }
    throw new DefinitionResolveError(`cannot resolve ${JSON.stringify(value).slice(0, 120)}`);
  }
  throw new DefinitionResolveError(`unexpected value ${String(value)}`);
}

function resolveRef(id: string, template: CfnTemplate): string {
  return PSEUDO_PARAMETERS[id] ?? placeholderOf(id, template).ref(id);
}

function placeholderOf(id: string, template: CfnTemplate) {
  const type = template.Resources[id]?.Type;
  const placeholder = type ? PLACEHOLDERS[type] : undefined;
  if (!placeholder) throw new DefinitionResolveError(`no placeholder for ${id} (${type})`);
  return placeholder;
}

function asString(value: unknown, fn: string): string {
  if (typeof value !== 'string') throw new DefinitionResolveError(`${fn} of a non-string`);
  return value;
}

// ---------------------------------------------------------------------------------------------
