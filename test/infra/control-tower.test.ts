/**
 * AWS Control Tower's proactive controls, run by cfn-guard as a CDK validation plugin during
 * synth (`infra/compose.ts`): the stack passes every rule, or a rule is acknowledged on its
 * construct with a reason; a construct that breaks a rule fails synth. One synth serves all
 * checks (a cfn-guard run takes seconds).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, test } from 'vitest';
import { composeApp } from '../../infra/compose.ts';
import { parseConfig } from '../../infra/config.ts';
import { CONTROL_TOWER_PLUGIN } from '../../infra/control-tower.ts';
import { cdkJsonContext, sampleRawConfig } from './support.ts';

const PLUGIN = CONTROL_TOWER_PLUGIN;

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly violatingConstructs: readonly { readonly constructPath?: string }[];
}
interface PluginReport {
  readonly pluginName: string;
  readonly violations?: readonly Violation[];
}

let failure: unknown;
let report: readonly PluginReport[] = [];
let app: App;

beforeAll(() => {
  app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  // Exactly what `npm run synth` composes (the default options), plus a careless stack next to
  // it: a log group without KMS breaks CT.CLOUDWATCH.PR.3.
  composeApp(app, parseConfig(sampleRawConfig()));
  new LogGroup(new Stack(app, 'Careless'), 'Unencrypted');
  const exitCode = process.exitCode;
  try {
    app.synth();
  } catch (error) {
    failure = error;
  } finally {
    // A report CDK only prints sets the exit code: it must not fail the test run instead.
    process.exitCode = exitCode;
  }
  const outdir = app.outdir;
  report = (
    JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: PluginReport[];
    }
  ).pluginReports;
}, 180_000);

function guardViolations(): Violation[] {
  return report.filter((r) => r.pluginName === PLUGIN).flatMap((r) => [...(r.violations ?? [])]);
}

describe('AWS Control Tower proactive controls (cfn-guard)', () => {
  // With acknowledgments in place CDK passes a report whose violations carry no severity: a
  // new violation must still fail synth (infra/control-tower.ts).
  test('run during synth: a construct that breaks a control fails it', () => {
    expect(report.map((r) => r.pluginName)).toContain(PLUGIN);
    expect(String(failure)).toMatch(/ValidationFailed|Validation failed/);
    const careless = guardViolations().filter((v) =>
      v.violatingConstructs.some((c) => c.constructPath?.startsWith('Careless/')),
    );
    expect(careless.map((v) => v.ruleName)).toContain('cloudwatch_log_group_encrypted_check');
  });

  test('the stack itself breaks no control that is not acknowledged', () => {
    const ours = guardViolations().flatMap((v) =>
      v.violatingConstructs
        .filter((c) => c.constructPath?.startsWith('CprIntake/'))
        .map((c) => `${v.ruleName} ${c.constructPath}`),
    );
    expect(ours).toEqual([]);
  });

  test('every acknowledgment is one of the reviewed ones, with a specific reason', () => {
    const acknowledged: string[] = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          if (!id.startsWith(`${PLUGIN}::`)) continue;
          expect(reason.length, id).toBeGreaterThan(80);
          acknowledged.push(`${construct.node.path} ${id.slice(PLUGIN.length + 2)}`);
        }
      }
    }
    const functions = [
      'Intake/Function',
      'ClockTasks/Acknowledge',
      'ClockTasks/NotifyTeam',
      'ClockTasks/Checkpoint',
      'NoticeDelivery/EventsFunction',
      'Canary/Function',
      'RevocationVerifier/Function',
    ];
    const queues = [
      'Intake/Function',
      'NoticeDelivery/EventsFunction',
      'Canary/Function',
      'RevocationVerifier/Function',
    ];
    // A new acknowledgment must be added here on purpose, next to its review; none of them is
    // about encryption of what holds mail (those controls are met, not acknowledged).
    expect(acknowledged.sort()).toEqual(
      [
        ...functions.map((f) => `CprIntake/${f}/Handler lambda_inside_vpc_check`),
        'CprIntake/AWS679f53fac002430cb0da5b7982bd2287 lambda_inside_vpc_check',
        ...queues.map((f) => `CprIntake/${f}/Failures sqs_dlq_check`),
        'CprIntake/Intake/Function/Handler/AllowSesReceiptRule lambda_function_public_access_prohibited_check',
        'CprIntake/InboundMail/AccessLogs s3_bucket_default_encryption_kms_check',
        'CprIntake/InboundMail/AccessLogs s3_bucket_logging_enabled_check',
        'CprIntake/InboundMail/AccessLogs s3_bucket_object_lock_enabled_check',
        'CprIntake/InboundMail/AccessLogs s3_event_notifications_enabled_check',
        'CprIntake/InboundMail/Bucket s3_bucket_object_lock_enabled_check',
        'CprIntake/InboundMail/Bucket s3_event_notifications_enabled_check',
        'CprIntake/MailArchive/Bucket s3_event_notifications_enabled_check',
      ].sort(),
    );
  });
});
