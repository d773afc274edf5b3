/**
 * cdk-nag 3 runs as a CDK validation plugin during synth: an unacknowledged finding, warning or
 * error, makes `app.synth()` throw and lands in the cloud assembly's validation-report.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, test } from 'vitest';
import { composeApp } from '../../infra/compose.ts';
import { parseConfig } from '../../infra/config.ts';
import { INVENTORY_IMPORT_WARNING } from '../../infra/constructs/case-store.ts';
import {
  buildApp,
  cdkJsonContext,
  logicalId,
  SAMPLE_INVENTORY_IMPORT,
  sampleRawConfig,
} from './support.ts';

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations?: readonly unknown[];
  }[];
}

describe('cdk-nag AwsSolutions', () => {
  test('synth reports no unacknowledged finding, error or warning', () => {
    const { app } = buildApp();
    const assembly = app.synth();
    const report = JSON.parse(
      readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    // The pack itself, run over the synthesized tree, agrees.
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
    // A full synth with every check takes about 35 s on a loaded 2-core machine.
  }, 120_000);

  test('with the inventory created by import, AwsSolutions and Control Tower find nothing new', () => {
    // One synth with both plugins, as `npm run synth` does with this configuration.
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    composeApp(app, parseConfig(sampleRawConfig({ inventoryImport: SAMPLE_INVENTORY_IMPORT })));
    const assembly = app.synth();
    const report = JSON.parse(
      readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as ValidationReport;
    expect(report.pluginReports.map((r) => r.pluginName)).toEqual(
      expect.arrayContaining(['cdk-validator-cfnguard']),
    );
    // The one entry is the option's own warning (Construct Annotations), not a finding.
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([
      expect.objectContaining({
        ruleName: `Annotation::${INVENTORY_IMPORT_WARNING}`,
        severity: 'warning',
        violatingConstructs: [
          expect.objectContaining({ constructPath: 'CprIntake/CaseStore/Inventory' }),
        ],
      }),
    ]);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  }, 180_000);

  test('the checks are really wired in: a non-compliant bucket fails synth', () => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const { intake } = composeApp(app, parseConfig(sampleRawConfig()), {
      controlTowerChecks: false,
    });
    new Bucket(intake, 'Careless');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });

  test('every acknowledgment is one of the reviewed ones and gives a specific reason', () => {
    const { app, stack } = buildApp();
    const logicalIdOf = (task: 'Acknowledge' | 'NotifyTeam' | 'Checkpoint') => {
      const fn = {
        Acknowledge: stack.tasks.acknowledge,
        NotifyTeam: stack.tasks.notifyTeam,
        Checkpoint: stack.tasks.checkpoint,
      }[task];
      return logicalId(stack, fn.fn);
    };
    const acknowledged: [string, string, string][] = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          // The Control Tower rules have their own list (control-tower.test.ts).
          if (id.startsWith('cdk-validator-cfnguard::')) continue;
          acknowledged.push([construct.node.path, id.replace(/^annotation::/i, ''), reason]);
        }
      }
    }
    // A new acknowledgment must be added here on purpose, next to its review.
    expect(acknowledged.map(([path, id]) => `${path} ${id}`).sort()).toEqual(
      [
        'CprIntake/BreakGlass/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<InboundMailBucket6432EECF.Arn>/evidence/*]',
        'CprIntake/BreakGlass/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<InboundMailBucket6432EECF.Arn>/inbound/*]',
        'CprIntake/BreakGlass/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<MailArchiveBucket47221CEC.Arn>/inbound/*]',
        'CprIntake/Canary/Function/Failures AwsSolutions-SQS3',
        'CprIntake/Canary/Function/ReceiptRuleSetCheck AwsSolutions-IAM5[Resource::*]',
        'CprIntake/Canary/Function/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'CprIntake/Canary/Secret AwsSolutions-SMG4',
        'CprIntake/ClockTasks/Acknowledge/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'CprIntake/ClockTasks/Checkpoint/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        // Revocation obligations: the evidence files (a reviewed prefix).
        'CprIntake/ClockTasks/Checkpoint/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<InboundMailBucket6432EECF.Arn>/evidence/*]',
        'CprIntake/ClockTasks/NotifyTeam/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'CprIntake/DeadlineClock/StateMachine/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        ...(['Acknowledge', 'NotifyTeam', 'Checkpoint'] as const).map(
          (task) =>
            'CprIntake/DeadlineClock/StateMachine/Role/DefaultPolicy ' +
            `AwsSolutions-IAM5[Resource::<${logicalIdOf(task)}.Arn>:*]`,
        ),
        'CprIntake/NoticeDelivery/EventsFunction/Failures AwsSolutions-SQS3',
        'CprIntake/NoticeDelivery/EventsFunction/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'CprIntake/Intake/Function/Failures AwsSolutions-SQS3',
        'CprIntake/Intake/Function/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'CprIntake/Intake/Function/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<InboundMailBucket6432EECF.Arn>/evidence/*]',
        'CprIntake/Intake/Function/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<InboundMailBucket6432EECF.Arn>/inbound/*]',
        'CprIntake/Intake/Function/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<MailArchiveBucket47221CEC.Arn>/inbound/*]',
        'CprIntake/MailReceiving/Activation/CustomResourcePolicy AwsSolutions-IAM5[Resource::*]',
        'CprIntake/RevocationVerifier/Function/Failures AwsSolutions-SQS3',
        'CprIntake/RevocationVerifier/Function/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        // Scheduler invokes the verifier: its grant also names the function's versions.
        'CprIntake/RevocationVerifier/ScheduleRole/DefaultPolicy ' +
          `AwsSolutions-IAM5[Resource::<${logicalId(stack, stack.verifier.function.fn)}.Arn>:*]`,
      ].sort(),
    );
    for (const [, , reason] of acknowledged) expect(reason.length).toBeGreaterThan(60);
  });
});
