/**
 * Builds the app's stacks from a parsed configuration and registers cdk-nag. Shared by the app
 * entry and the infra tests, so the tests check exactly what `cdk synth` produces.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CprConfig } from './config.ts';
import { CprIntakeStack } from './stacks/cpr-intake-stack.ts';

export interface CprApp {
  readonly intake: CprIntakeStack;
}

/**
 * Adds the stacks to `app`. The stacks are environment-agnostic (no account or region lookups),
 * so synthesis needs neither credentials nor network.
 */
export function composeApp(app: App, config: CprConfig): CprApp {
  const intake = new CprIntakeStack(app, 'CprIntake', {
    stackName: config.stackName,
    description: 'CPR intake: inbound mail, cases, deadline clock',
    config,
  });
  // cdk-nag 3 is a validation plugin: every unacknowledged finding, warning or error, fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { intake };
}
