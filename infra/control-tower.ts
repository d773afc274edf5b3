/**
 * AWS Control Tower's proactive controls as a CDK validation plugin: the cfn-guard rules and the
 * cfn-guard binary both ship inside @cdklabs/cdk-validator-cfnguard (nothing is downloaded).
 *
 * The plugin reports its violations without a severity. CDK treats a report that had any
 * violation acknowledged as passing unless a remaining violation says "error" (or "fatal"), so
 * with one acknowledgment in place every new violation would only be printed, never fail synth.
 * This wrapper marks them as the errors they are.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
} from 'aws-cdk-lib';

/** The plugin's name; acknowledgments are `cdk-validator-cfnguard::<rule name>`. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

export class ControlTowerChecks implements IPolicyValidationPlugin {
  readonly name = CONTROL_TOWER_PLUGIN;
  private readonly guard = new CfnGuardValidator();

  get version(): string | undefined {
    return this.guard.version;
  }

  get ruleIds(): string[] | undefined {
    return this.guard.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.guard.validate(context);
    return {
      ...report,
      violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })),
    };
  }
}
