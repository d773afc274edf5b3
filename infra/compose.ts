/**
 * Builds the app's stacks from a parsed configuration and registers cdk-nag. Shared by the app
 * entry and the infra tests, so the tests check exactly what `cdk synth` produces.
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CprConfig } from './config.ts';
import { ControlTowerChecks } from './control-tower.ts';
import { CprIntakeStack } from './stacks/cpr-intake-stack.ts';

export interface CprApp {
  readonly intake: CprIntakeStack;
}

export interface ComposeOptions {
  /**
   * Run AWS Control Tower's proactive controls (cfn-guard rules bundled with the cfn-guard
   * binary in @cdklabs/cdk-validator-cfnguard) on the synthesized template. On in `cdk synth`;
   * infra tests that only read the template turn it off (a run takes seconds) and one test runs it.
   * @default true
   */
  readonly controlTowerChecks?: boolean;
}

/**
 * Adds the stacks to `app`. The stacks are environment-agnostic (no account or region lookups),
 * so synthesis needs neither credentials nor network.
 */
export function composeApp(app: App, config: CprConfig, options: ComposeOptions = {}): CprApp {
  const intake = new CprIntakeStack(app, 'CprIntake', {
    stackName: config.stackName,
    description: 'CPR intake: inbound mail, cases, deadline clock',
    config,
  });
  // cdk-nag 3 is a validation plugin: every unacknowledged finding, warning or error, fails synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Same rule: a failed control fails synth unless acknowledged with a reason on its construct
  // (`cdk-validator-cfnguard::<rule>`).
  if (options.controlTowerChecks ?? true) Validations.of(app).addPlugins(new ControlTowerChecks());
  return { intake };
}
