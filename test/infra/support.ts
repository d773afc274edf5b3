/**
 * Builds the real app for infra tests: the same `composeApp` as `cdk synth` (cdk-nag included),
 * the feature flags and sample configuration from cdk.json, and bundling skipped so a synth takes
 * milliseconds instead of seconds.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { composeApp } from '../../infra/compose.ts';
import { CONFIG_CONTEXT_KEY, type CprConfig, parseConfig } from '../../infra/config.ts';
import type { CprIntakeStack } from '../../infra/stacks/cpr-intake-stack.ts';

interface CdkJson {
  readonly context: Record<string, unknown>;
}

/** The `context` block of cdk.json: feature flags and the sample `cpr` configuration. */
export function cdkJsonContext(): Record<string, unknown> {
  const text = readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as CdkJson).context;
}

/** The sample configuration from cdk.json with `overrides` on top, as raw (unparsed) JSON. */
export function sampleRawConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const sample = cdkJsonContext()[CONFIG_CONTEXT_KEY] as Record<string, unknown>;
  return { ...sample, ...overrides };
}

/** An `inventoryImport` as docs/deploy.md shows it: the converted files of one export. */
export const SAMPLE_INVENTORY_IMPORT = {
  bucketName: 'example-ca-staging',
  keyPrefix: 'inventory/2026-12-01/',
} as const;

export interface Built {
  readonly app: App;
  readonly config: CprConfig;
  readonly stack: CprIntakeStack;
  readonly template: Template;
}

/**
 * Synthesizes the app (bundling skipped) from the sample configuration plus `overrides`. The
 * Control Tower checks (seconds per run) are left to `control-tower.test.ts`; the template is the
 * same with or without them.
 */
export function buildApp(overrides: Record<string, unknown> = {}): Built {
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
  const config = parseConfig(sampleRawConfig(overrides));
  const { intake } = composeApp(app, config, { controlTowerChecks: false });
  return { app, config, stack: intake, template: Template.fromStack(intake) };
}

/** The logical id CloudFormation knows a construct's L1 resource by. */
export function logicalId(stack: Stack, element: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(element.node.defaultChild as CfnElement);
}

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
  readonly Principal?: unknown;
}

/** Every statement of every AWS::IAM::Policy attached to the role with this logical id. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) =>
      (p.Properties.Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }),
      ),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** `{ Fn::Join: ['', [{ Fn::GetAtt: [bucket, 'Arn'] }, suffix]] }`, how CDK writes an object ARN. */
export function objectArn(bucketLogicalId: string, suffix: string): unknown {
  return { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketLogicalId, 'Arn'] }, suffix]] };
}

/**
 * An SES ARN as CDK's `formatArn` writes it: `arn:${Partition}:ses:${Region}:${AccountId}` then
 * `:<resource>` for a string, or `:configuration-set/<token>` for a configuration set reference.
 */
export function sesArn(resource: unknown): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ses:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ...(typeof resource === 'string' ? [`:${resource}`] : [':configuration-set/', resource]),
      ],
    ],
  };
}
