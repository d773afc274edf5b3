/** Finding the stack: stack.json written by the local stack, or CloudFormation outputs. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Deployment,
  DeploymentError,
  dataDirOf,
  deploymentFromOutputs,
  readLocalDeployment,
  removeLocalDeployment,
  resolveDeployment,
  writeLocalDeployment,
} from '../../cli/deployment.ts';
import { STACK_OUTPUTS } from '../../infra/stacks/cpr-intake-stack.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cpr-deployment-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const LOCAL: Deployment = {
  kind: 'local',
  region: 'us-east-1',
  endpoints: {
    dynamodb: 'http://127.0.0.1:4001',
    s3: 'http://127.0.0.1:4002',
    sesv2: 'http://127.0.0.1:4003',
    sns: 'http://127.0.0.1:4004',
    sfn: 'http://127.0.0.1:4005',
    lambda: 'http://127.0.0.1:4006',
  },
  pid: process.pid,
  casesTable: 'cases',
  auditTable: 'audit',
  inventoryTable: 'inventory',
  inboundBucket: 'inbound',
  inboundPrefix: '',
  evidenceBucket: 'inbound',
  evidencePrefix: 'evidence/',
  intakeFunction: 'cpr-intake',
  configurationSet: 'cpr-notices',
  senderAddress: 'notices@ca.example',
  replyTo: 'cpr@ca.example',
  caName: 'Example CA',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:cpr-deadline-clock',
};

describe('local deployment', () => {
  test('what the local stack writes is what the CLI reads; removed, the stack is "not running"', async () => {
    await writeLocalDeployment(dir, LOCAL);
    expect(await readLocalDeployment(dir)).toEqual(LOCAL);
    expect(await resolveDeployment({ dataDir: dir })).toEqual(LOCAL);
    await removeLocalDeployment(dir);
    await expect(readLocalDeployment(dir)).rejects.toThrow(
      /^no local stack running: start it with `npm start`/,
    );
  });

  test('a stack.json left by a process that ended is not a running stack', async () => {
    await writeLocalDeployment(dir, { ...LOCAL, pid: 2 ** 22 + 12345 });
    await expect(readLocalDeployment(dir)).rejects.toThrow(/which has ended/);
  });

  test('a damaged stack.json is named, with what is wrong', async () => {
    await writeFile(join(dir, 'stack.json'), '{"kind":"local"');
    await expect(readLocalDeployment(dir)).rejects.toThrow(/is not valid JSON/);
    await writeFile(join(dir, 'stack.json'), JSON.stringify({ ...LOCAL, casesTable: undefined }));
    await expect(readLocalDeployment(dir)).rejects.toThrow(/does not describe a stack: casesTable/);
    await expect(
      writeLocalDeployment(dir, { ...LOCAL, endpoints: undefined }),
    ).rejects.toBeInstanceOf(DeploymentError);
  });

  test('CPR_DATA_DIR, else .cpr-data in the working directory; --region alone is refused', async () => {
    expect(dataDirOf({}, '/home/a/project')).toBe('/home/a/project/.cpr-data');
    expect(dataDirOf({ CPR_DATA_DIR: '/var/cpr' }, '/x')).toBe('/var/cpr');
    await expect(resolveDeployment({ dataDir: dir, region: 'eu-west-1' })).rejects.toThrow(
      /--region needs --stack/,
    );
  });
});

describe('AWS deployment from stack outputs', () => {
  const outputs = {
    [STACK_OUTPUTS.inboundBucket]: 'cprintake-inbound-abc',
    [STACK_OUTPUTS.keyPrefixes]: JSON.stringify({ inbound: 'inbound/', evidence: 'evidence/' }),
    [STACK_OUTPUTS.casesTable]: 'CprIntake-Cases-1',
    [STACK_OUTPUTS.auditTable]: 'CprIntake-Audit-1',
    [STACK_OUTPUTS.inventoryTable]: 'CprIntake-Inventory-1',
    [STACK_OUTPUTS.deadlineStateMachine]:
      'arn:aws:states:eu-west-1:123456789012:stateMachine:Clock',
    [STACK_OUTPUTS.intakeFunction]: 'CprIntake-Intake-XYZ',
    [STACK_OUTPUTS.configurationSet]: 'cpr-notices',
  };

  test('maps the outputs; the evidence bucket defaults to the inbound bucket', () => {
    const d = deploymentFromOutputs('CprIntake', 'eu-west-1', outputs, STACK_OUTPUTS);
    expect(d).toMatchObject({
      kind: 'aws',
      region: 'eu-west-1',
      casesTable: 'CprIntake-Cases-1',
      auditTable: 'CprIntake-Audit-1',
      inboundBucket: 'cprintake-inbound-abc',
      inboundPrefix: 'inbound/',
      evidenceBucket: 'cprintake-inbound-abc',
      evidencePrefix: 'evidence/',
      intakeFunction: 'CprIntake-Intake-XYZ',
      configurationSet: 'cpr-notices',
    });
    expect(d.endpoints).toBeUndefined();
  });

  test('the acknowledgment limits, where the stack publishes them; null (the defaults) otherwise', () => {
    expect(deploymentFromOutputs('CprIntake', 'eu-west-1', outputs, STACK_OUTPUTS)).toMatchObject({
      acknowledgmentLimits: null,
    });
    const keys = STACK_OUTPUTS;
    const limits = { perAddress: 2, perDomain: 9, windowHours: 48 };
    const published = { ...outputs, AcknowledgmentLimits: JSON.stringify(limits) };
    expect(deploymentFromOutputs('CprIntake', 'eu-west-1', published, keys)).toMatchObject({
      acknowledgmentLimits: limits,
    });
    for (const bad of ['{"perAddress": 0, "perDomain": 9, "windowHours": 48}', 'not json']) {
      expect(() =>
        deploymentFromOutputs(
          'CprIntake',
          'eu-west-1',
          { ...outputs, AcknowledgmentLimits: bad },
          keys,
        ),
      ).toThrow('output AcknowledgmentLimits is not {perAddress, perDomain, windowHours}');
    }
  });

  test('a missing output names the stack and the output', () => {
    const { [STACK_OUTPUTS.casesTable]: _, ...rest } = outputs;
    expect(() => deploymentFromOutputs('CprIntake', 'eu-west-1', rest, STACK_OUTPUTS)).toThrow(
      `stack CprIntake in eu-west-1 has no output ${STACK_OUTPUTS.casesTable}`,
    );
  });
});
