/**
 * The intake path against the stand-ins (dynalite, s3rver, a loopback Step Functions endpoint)
 * through the real AWS SDK clients: raw MIME in S3, an SES-shaped event, one case out.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { TIME_BUDGET_PROBLEM } from '../../lambdas/domain/evidence/extract.ts';
import type { IntakeDeps } from '../../lambdas/domain/intake/intake-deps.ts';
import { replayMessage } from '../../lambdas/domain/intake/replay.ts';
import { parseInventoryText } from '../../lambdas/domain/inventory/csv.ts';
import type { DeadlineClockInput } from '../../lambdas/domain/ports/deadline-clock.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { FIXTURE_P12_PASSWORD } from '../../scripts/fixtures/formats.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

const pki = (name: string) =>
  readFileSync(new URL(`../fixtures/pki/${name}`, import.meta.url), 'utf-8');
type Facts = Record<string, { sha256?: string; serial?: string; spkiSha256?: string }>;
const factFile = JSON.parse(pki('facts.json')) as { certificates: Facts; keys: Facts; csrs: Facts };
const facts: Facts = { ...factFile.certificates, ...factFile.keys, ...factFile.csrs };

let env: IntakeEnv;
const run = (event: unknown, deps: IntakeDeps = env.deps) =>
  handleSesEvent(event, { deps, settings: env.settings, inboundPrefix: env.config.inboundPrefix });

beforeAll(async () => {
  env = await intakeEnv();
  const { records } = await parseInventoryText(pki('inventory.csv'));
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put(records);
});
afterAll(async () => env?.stop());

async function keyCompromiseReport(messageId: string, extra: Record<string, unknown> = {}) {
  return compose({
    from: 'Rita Reporter <rita@researcher.example>',
    to: CPR_ADDRESS,
    subject: 'Key compromise: private key for rsa.example.test',
    messageId,
    text: `Hello,\n\nthe private key of this certificate is public. Proof:\n\n${pki('leaf-rsa.key')}\n${pki('leaf-rsa.pem')}`,
    ...extra,
  });
}

describe('a key-compromise report', () => {
  // Delivered once for the whole group: each test reads what intake made of it.
  let caseId: string;
  let sesMessageId: string;
  let outcome: string | undefined;

  beforeAll(async () => {
    const raw = await keyCompromiseReport('<kc-1@researcher.example>');
    const { event, messageId } = await env.deliver(raw, {
      timestamp: new Date('2026-11-27T09:00:00.000Z'),
    });
    sesMessageId = messageId;
    const [result] = await run(event);
    outcome = result?.outcome;
    caseId = result!.caseId!;
  });

  test('becomes one case with evidence, Subscribers, notices and deadlines', async () => {
    expect(outcome).toBe('created');
    expect(caseId).toMatch(/^CPR-20261127-[0-9A-Z]{6}$/);

    const c = await env.deps.cases.get(caseId);
    expect(c?.classification).toBe('keyCompromise');
    expect(c?.reporter).toBe('rita@researcher.example');
    expect(c?.receivedAt).toBe('2026-11-27T09:00:00.000Z');
    expect(c?.acknowledgment).toEqual({ decision: 'send', reason: null });
    expect(c?.evidence.keys.map((k) => k.spkiSha256)).toEqual([facts['leaf-rsa.key']?.spkiSha256]);
    expect(c?.evidence.certificates.map((x) => [x.sha256, x.keyCompromised])).toEqual([
      [facts['leaf-rsa.pem']?.sha256, true],
    ]);
    // The key also matches the reissued certificate on the same key, found only in the inventory.
    expect([...(c?.affected ?? [])].sort()).toEqual(
      [facts['leaf-rsa.pem']?.sha256, facts['leaf-rsa-reissued.pem']?.sha256].sort(),
    );
    expect(c?.subscribers).toEqual([
      { name: 'Example RSA Ltd', email: 'rsa-admin@subscriber.example' },
    ]);
    expect(c?.notices.map((n) => [n.id, n.status, n.dueAt])).toEqual([
      ['acknowledgment', 'pending', null],
      ['reporter', 'pending', '2026-11-28T09:00:00.000Z'],
      ['subscriber:rsa-admin@subscriber.example', 'pending', '2026-11-28T09:00:00.000Z'],
    ]);
    expect(c?.deadlines.revocation).toBe('2026-11-28T09:00:00.000Z');
  });

  test('never stores the private key in the case item or the evidence file', async () => {
    const c = await env.deps.cases.get(caseId);
    const keyBody = pki('leaf-rsa.key').split('\n')[1]!;
    expect(JSON.stringify(c)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(c)).not.toContain(keyBody);
    const file = await env.s3.send(
      new GetObjectCommand({
        Bucket: env.config.evidenceBucket,
        Key: c!.messages[0]!.evidenceKey!,
      }),
    );
    const text = await file.Body!.transformToString();
    expect(text).toContain(facts['leaf-rsa.key']!.spkiSha256!);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(keyBody);
  });

  test('starts the deadline clock once, named after the case, with the deadlines', () => {
    const starts = env.sfn.startCalls.filter((s) => s.name === caseId);
    expect(starts).toHaveLength(1);
    const input = JSON.parse(starts[0]!.input) as DeadlineClockInput;
    expect(input.caseId).toBe(caseId);
    expect(input.deadlines.checkpoints.slice(0, 3).map((c) => c.at)).toEqual([
      '2026-11-27T21:00:00.000Z',
      '2026-11-28T05:00:00.000Z',
      '2026-11-28T09:00:00.000Z',
    ]);
    expect(input.acknowledgment.decision).toBe('send');
  });

  test('the same SES delivery again yields the same case, no second start', async () => {
    const raw = await keyCompromiseReport('<kc-1@researcher.example>');
    const { event } = await env.deliver(raw, { messageId: sesMessageId });
    const [again] = await run(event);
    expect(again?.outcome).toBe('alreadyProcessed');
    expect(again?.caseId).toBe(caseId);
    expect(env.sfn.startCalls.filter((s) => s.name === caseId)).toHaveLength(1);
    const events = await env.deps.audit.list(caseId);
    expect(events.filter((e) => e.type === 'received')).toHaveLength(1);
  });

  test('the audit trail records receipt and opening with times and actor', async () => {
    const events = await env.deps.audit.list(caseId);
    expect(events.map((e) => e.type)).toEqual(['received', 'opened']);
    expect(events[0]).toMatchObject({ at: '2026-11-27T09:00:00.000Z', actor: 'system:intake' });
  });
});

describe('a forged private key', () => {
  test('proves nothing: no key compromise, no match through the inventory, the reason kept', async () => {
    // The real certificate's public key with junk private parts (scripts/fixtures/forged-keys.ts).
    const raw = await compose({
      from: 'Fred Forger <fred@forger.example>',
      to: CPR_ADDRESS,
      subject: 'Please revoke rsa.example.test',
      messageId: '<forged-1@forger.example>',
      text: `Here is the private key of this certificate:\n\n${pki('forged-rsa.pkcs1.key')}\n${pki('leaf-rsa.pem')}`,
    });
    const { event } = await env.deliver(raw, { timestamp: new Date('2026-11-27T10:00:00.000Z') });
    const [result] = await run(event);
    expect(result?.outcome).toBe('created');
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.classification).not.toBe('keyCompromise');
    expect(c?.evidence.keys).toEqual([
      expect.objectContaining({
        spkiSha256: facts['leaf-rsa.pem']?.spkiSha256,
        proof: false,
        proofFailure: expect.stringContaining('not the product'),
        matches: [],
      }),
    ]);
    expect(c?.evidence.certificates.map((x) => x.keyCompromised)).toEqual([false]);
    // Only the certificate named in the mail; the reissue on the same key is reached only by a
    // proven key.
    expect(c?.affected).toEqual([facts['leaf-rsa.pem']?.sha256]);
    // The certificate named in the mail gets the untriaged 24 h revocation deadline (assume the
    // worst until a person triages): that is a deadline for a person to decide, not a
    // revocation, and the forged key itself proves nothing and blocks no key.
    expect(c?.deadlines.revocation).toBe('2026-11-28T10:00:00.000Z');
    expect(c?.deadlines.triage).toBe('2026-11-27T22:00:00.000Z');
  });
});

describe('a PKCS#12 file with its password in the mail', () => {
  test('is opened, its key proves compromise, and the password is stored nowhere', async () => {
    const raw = await compose({
      from: 'Petra Prüfer <petra@researcher.example>',
      to: CPR_ADDRESS,
      subject: 'Schlüssel kompromittiert: ec.example.test',
      messageId: '<p12-1@researcher.example>',
      text: `Hallo,\n\nanbei die PFX-Datei. Das Passwort lautet ${FIXTURE_P12_PASSWORD}\n`,
      attachments: [
        {
          filename: 'leaf-ec.pfx',
          content: readFileSync(new URL('../fixtures/pki/leaf-ec.secret.p12', import.meta.url)),
          contentType: 'application/x-pkcs12',
        },
      ],
    });
    const { event } = await env.deliver(raw, { timestamp: new Date('2026-11-27T12:00:00.000Z') });
    const [result] = await run(event);
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.classification).toBe('keyCompromise');
    expect(c?.evidence.keys.map((k) => [k.spkiSha256, k.proof])).toEqual([
      [facts['leaf-ec.key']?.spkiSha256, true],
    ]);
    expect(c?.evidence.certificates.map((x) => [x.sha256, x.keyCompromised])).toEqual([
      [facts['leaf-ec.pem']?.sha256, true],
    ]);
    expect(c?.evidence.problems).toEqual([
      'attachment:leaf-ec.pfx: opened with a password stated in the mail',
    ]);
    expect(JSON.stringify(c)).not.toContain(FIXTURE_P12_PASSWORD);
    const file = await env.s3.send(
      new GetObjectCommand({
        Bucket: env.config.evidenceBucket,
        Key: c!.messages[0]!.evidenceKey!,
      }),
    );
    expect(await file.Body!.transformToString()).not.toContain(FIXTURE_P12_PASSWORD);
  });
});

describe('the time budget', () => {
  test('a mail that would run intake past its deadline still becomes a case, truncated, with its clock', async () => {
    // Intake's clock steps 5 s at every look: with 30 s left, extraction's own deadline (30 s
    // less the write reserve) passes after a few units of work, long before the mail is read.
    const start = Date.parse('2026-11-27T11:00:00.000Z');
    let ticks = 0;
    const now = () => new Date(start + 5_000 * ticks++);
    const deps = { ...env.deps, now };
    const certificates = ['leaf-rsa.pem', 'leaf-ec.pem', 'leaf-other.pem', 'root-ca.pem'];
    const raw = await compose({
      from: 'Slow Reporter <slow@researcher.example>',
      to: CPR_ADDRESS,
      subject: 'Misissued certificates',
      messageId: '<slow-1@researcher.example>',
      text: certificates.map((f) => pki(f)).join('\n'),
      attachments: [{ filename: 'evidence.zip', content: Buffer.from(pki('leaf-rsa.pem')) }],
    });
    const { event } = await env.deliver(raw, { timestamp: new Date(start) });
    const [result] = await handleSesEvent(
      event,
      { deps, settings: env.settings, inboundPrefix: env.config.inboundPrefix },
      new Date(start + 30_000),
    );
    expect(result?.outcome).toBe('created');
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.evidence.problems).toContain(TIME_BUDGET_PROBLEM);
    expect(c?.evidence.certificates.length).toBeLessThan(certificates.length);
    expect(env.sfn.startCalls.filter((s) => s.name === c?.id)).toHaveLength(1);
  });
});

describe('retries after a failure mid-way', () => {
  test.each([
    ['evidence upload', 'evidence', 'put'],
    ['case creation', 'cases', 'create'],
    ['audit', 'audit', 'append'],
    ['clock start', 'clock', 'start'],
    ['completion', 'messages', 'complete'],
  ] as const)(
    'a crash at %s leaves exactly one case after the retry',
    async (_label, port, method) => {
      const raw = await keyCompromiseReport(`<retry-${method}@researcher.example>`);
      const { event } = await env.deliver(raw);
      const target = env.deps[port] as object as Record<
        string,
        (...a: unknown[]) => Promise<unknown>
      >;
      const original = target[method]!.bind(target);
      let failures = 0;
      const flaky: IntakeDeps = {
        ...env.deps,
        [port]: new Proxy(target, {
          get(obj, prop) {
            if (prop === method) {
              return async (...args: unknown[]) => {
                if (failures === 0) {
                  failures += 1;
                  throw new Error(`injected failure in ${method}`);
                }
                return original(...args);
              };
            }
            const value = (obj as Record<string | symbol, unknown>)[prop];
            return typeof value === 'function' ? value.bind(obj) : value;
          },
        }),
      };
      await expect(run(event, flaky)).rejects.toThrow(/injected failure/);
      const [result] = await run(event, flaky);
      expect(result?.outcome === 'created' || result?.outcome === 'alreadyProcessed').toBe(true);
      const c = await env.deps.cases.get(result!.caseId!);
      expect(c?.messages).toHaveLength(1);
      expect(
        env.sfn.startCalls.filter((s) => s.name === result!.caseId).length,
      ).toBeGreaterThanOrEqual(1);
      expect(env.sfn.executions.size).toBe(new Set(env.sfn.startCalls.map((s) => s.name)).size);
      const events = await env.deps.audit.list(result!.caseId!);
      expect(events.filter((e) => e.type === 'opened')).toHaveLength(1);
      const record = await env.deps.messages.get(
        result!.caseId ? event.Records[0]!.ses.mail.messageId : '',
      );
      expect(record?.state).toBe('done');
    },
  );
});

describe('threading', () => {
  /** A report of its own for each test: its root Message-ID is `<thread-<tag>@researcher.example>`. */
  async function openThread(tag: string): Promise<{ original: string; originalSesId: string }> {
    const raw = await compose({
      from: 'Tom Tester <tom@researcher.example>',
      to: CPR_ADDRESS,
      subject: 'Misissued certificate',
      messageId: `<thread-${tag}@researcher.example>`,
      text: `This certificate was misissued, it violates the Baseline Requirements:\n${pki('leaf-ec.pem')}`,
    });
    const { event, messageId } = await env.deliver(raw);
    return { original: (await run(event))[0]!.caseId!, originalSesId: messageId };
  }

  /** The reporter's reply naming the case id in the subject, with the key as well. */
  async function replyBySubject(tag: string, original: string) {
    const raw = await compose({
      from: 'tom@researcher.example',
      to: CPR_ADDRESS,
      subject: `Re: [${original}] Misissued certificate`,
      messageId: `<thread-${tag}-reply-1@researcher.example>`,
      text: `Here is the key as well:\n${pki('leaf-ec.sec1.key')}`,
    });
    return (await run((await env.deliver(raw)).event))[0];
  }

  test('a reply naming our case id in the subject joins the case, with its evidence', async () => {
    const { original } = await openThread('subject');
    const result = await replyBySubject('subject', original);
    expect(result).toMatchObject({ caseId: original, role: 'reply', outcome: 'joined' });
    expect(result?.acknowledgment).toEqual({ decision: 'suppress', reason: 'reply' });
    const c = await env.deps.cases.get(original);
    expect(c?.messages.map((m) => m.role)).toEqual(['report', 'reply']);
    expect(c?.classification).toBe('keyCompromise');
    expect(c?.evidence.certificates[0]?.keyCompromised).toBe(true);
    expect(c?.deadlines.revocation).toBe(
      new Date(new Date(c!.receivedAt).getTime() + 24 * 3_600_000).toISOString(),
    );
    expect(env.sfn.startCalls.filter((s) => s.name === original)).toHaveLength(1);
  });

  test("a reply by In-Reply-To to the reporter's earlier mail joins the case", async () => {
    const { original } = await openThread('irt');
    await replyBySubject('irt', original);
    const raw = await compose({
      from: 'tom@researcher.example',
      to: CPR_ADDRESS,
      subject: 'any news?',
      messageId: '<thread-irt-reply-2@researcher.example>',
      inReplyTo: '<thread-irt-reply-1@researcher.example>',
      references: ['<thread-irt@researcher.example>', '<thread-irt-reply-1@researcher.example>'],
      text: 'Any news on this?',
    });
    const [result] = await run((await env.deliver(raw)).event);
    expect(result).toMatchObject({ caseId: original, role: 'reply' });
    const c = await env.deps.cases.get(original);
    expect(c?.messages.map((m) => m.role)).toEqual(['report', 'reply', 'reply']);
  });

  test('the same report under another SES messageId joins as a duplicate, not acknowledged again', async () => {
    const { original, originalSesId } = await openThread('dup');
    const raw = await compose({
      from: 'Tom Tester <tom@researcher.example>',
      to: 'revoke@ca.example',
      subject: 'Misissued certificate',
      messageId: '<thread-dup@researcher.example>',
      text: 'same report, second address',
    });
    const { event, messageId } = await env.deliver(raw, { destination: ['revoke@ca.example'] });
    expect(messageId).not.toBe(originalSesId);
    const [result] = await run(event);
    expect(result).toMatchObject({ caseId: original, role: 'duplicate' });
    expect(result?.acknowledgment).toEqual({ decision: 'suppress', reason: 'duplicate' });
    const c = await env.deps.cases.get(original);
    expect(c?.acknowledgment.decision).toBe('send');
    expect(c?.messages.map((m) => m.role)).toEqual(['report', 'duplicate']);
  });

  test('the same Message-ID from another sender opens its own case', async () => {
    const { original } = await openThread('claimed');
    const raw = await compose({
      from: 'mallory@elsewhere.example',
      to: CPR_ADDRESS,
      subject: 'Misissued certificate',
      messageId: '<thread-claimed@researcher.example>',
      text: 'I claim this thread',
    });
    const [result] = await run((await env.deliver(raw)).event);
    expect(result?.role).toBe('report');
    expect(result?.caseId).not.toBe(original);
  });

  test('a case id we never issued is ignored, not trusted', async () => {
    const raw = await compose({
      from: 'eve@elsewhere.example',
      to: CPR_ADDRESS,
      subject: 'Re: [CPR-20200101-ZZZZZZ] revoke this certificate',
      messageId: '<fake-thread@elsewhere.example>',
      text: `Please revoke:\n${pki('leaf-other.pem')}`,
    });
    const [result] = await run((await env.deliver(raw)).event);
    expect(result).toMatchObject({ role: 'report', outcome: 'created' });
    expect(result?.caseId).not.toBe('CPR-20200101-ZZZZZZ');
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.subscribers).toEqual([{ name: 'Other Corp', email: 'pki@other.example' }]);
  });
});

describe('bad input still becomes a case', () => {
  test('a message our parser cannot read opens an unparsed case from what SES told us', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const { event } = await env.deliver(garbage);
    event.Records[0]!.ses.mail.commonHeaders.from = ['Someone <someone@researcher.example>'];
    event.Records[0]!.ses.mail.commonHeaders.subject = 'binary junk';
    const [result] = await run(event);
    const c = await env.deps.cases.get(result!.caseId!);
    expect(['unparsed', 'notACpr', 'other']).toContain(c?.classification);
    expect(c?.messages[0]?.rawKey).toBe(`inbound/${event.Records[0]!.ses.mail.messageId}`);
    expect(c?.notices.find((n) => n.id === 'reporter')?.status).toBe('pending');
  });

  test('a raw message missing from the bucket opens an unparsed case that names the key', async () => {
    const raw = await keyCompromiseReport('<missing@researcher.example>');
    const { event, messageId } = await env.deliver(raw);
    const moved = { ...env.config, inboundPrefix: 'wrong-prefix/' };
    const [result] = await handleSesEvent(event, {
      deps: env.deps,
      settings: env.settings,
      inboundPrefix: moved.inboundPrefix,
    });
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.classification).toBe('unparsed');
    expect(c?.parseError).toContain(`wrong-prefix/${messageId}`);
    expect(c?.reporter).toBe('rita@researcher.example');
  });

  test('spam and virus verdicts never drop a case or silence the acknowledgment', async () => {
    const raw = await keyCompromiseReport('<spammy@researcher.example>');
    const { event } = await env.deliver(raw, { verdicts: { spam: 'FAIL', virus: 'FAIL' } });
    const [result] = await run(event);
    const c = await env.deps.cases.get(result!.caseId!);
    expect(c?.verdicts).toMatchObject({ spam: 'FAIL', virus: 'FAIL' });
    expect(c?.acknowledgment.decision).toBe('send');
    const events = await env.deps.audit.list(result!.caseId!);
    expect(events.find((e) => e.type === 'verdictFlagged')?.description).toMatch(/spam, virus/);
  });

  test('DMARC failure suppresses the acknowledgment but keeps the case', async () => {
    const raw = await keyCompromiseReport('<dmarc@researcher.example>');
    const { event } = await env.deliver(raw, {
      verdicts: { dmarc: 'FAIL' },
      dmarcPolicy: 'reject',
    });
    const [result] = await run(event);
    expect(result?.acknowledgment).toEqual({ decision: 'suppress', reason: 'dmarcFail' });
    expect(result?.outcome).toBe('created');
  });

  test('a malformed event is refused by name', async () => {
    await expect(run({ Records: [{ eventSource: 'aws:sqs' }] })).rejects.toThrow(
      /not an SES receipt event/,
    );
  });
});

describe('replay', () => {
  test('re-runs a processed message into the same case without duplicating anything', async () => {
    const raw = await keyCompromiseReport('<replay@researcher.example>');
    const { event, messageId } = await env.deliver(raw);
    const [first] = await run(event);
    const replayed = await replayMessage(messageId, `inbound/${messageId}`, env.deps, env.settings);
    expect(replayed.caseId).toBe(first!.caseId);
    const c = await env.deps.cases.get(first!.caseId!);
    expect(c?.messages).toHaveLength(1);
    const events = await env.deps.audit.list(first!.caseId!);
    expect(events.filter((e) => e.type === 'opened')).toHaveLength(1);
  });

  test('runs a stored message that never reached intake', async () => {
    const raw = await keyCompromiseReport('<lost-invocation@researcher.example>');
    const { messageId } = await env.deliver(raw);
    const result = await replayMessage(messageId, `inbound/${messageId}`, env.deps, env.settings);
    expect(result.outcome).toBe('created');
    const c = await env.deps.cases.get(result.caseId!);
    expect(c?.verdicts.spam).toBe('NONE');
  });
});

describe('canary and archive', () => {
  /** A canary mail signed with `secret`, its token bound to its subject and text. */
  async function canaryMail(secret: string, sentAt: Date) {
    const { createCanaryToken } = await import('../../lambdas/domain/canary/token.ts');
    const content = {
      subject: `CPR intake canary ${sentAt.toISOString()}`,
      text: 'This is the CPR intake canary: a synthetic report that proves the mail path works.',
    };
    return compose({
      from: 'notices@ca.example',
      to: CPR_ADDRESS,
      ...content,
      messageId: `<canary-${Math.random().toString(36).slice(2)}@ca.example>`,
      headers: { 'X-CPR-Canary': createCanaryToken(secret, sentAt, content) },
    });
  }

  test('a correctly signed canary records a heartbeat, opens no case and starts no clock', async () => {
    const { TEST_CANARY_SECRET } = await import('../support/intake-env.ts');
    const at = new Date('2026-11-27T09:00:00.000Z');
    const raw = await canaryMail(TEST_CANARY_SECRET, new Date(at.getTime() - 1500));
    const starts = env.sfn.startCalls.length;
    const { event, messageId } = await env.deliver(raw, { timestamp: at });
    const [result] = await run(event);
    expect(result).toMatchObject({
      outcome: 'canary',
      caseId: null,
      acknowledgment: { decision: 'suppress', reason: 'canary' },
    });
    expect(env.sfn.startCalls.length).toBe(starts);
    expect(await env.deps.heartbeats.latest()).toEqual({
      receivedAt: at.toISOString(),
      sentAt: new Date(at.getTime() - 1500).toISOString(),
      sesMessageId: messageId,
      latencyMs: 1500,
    });
  });

  test('a forged canary header is ignored: the message is an ordinary report', async () => {
    const raw = await canaryMail('f'.repeat(64), new Date('2026-11-27T09:00:00.000Z'));
    const [result] = await run((await env.deliver(raw)).event);
    expect(result?.outcome).toBe('created');
    expect(result?.caseId).toMatch(/^CPR-/);
  });

  test('every raw message is kept in the archive bucket, once, byte for byte', async () => {
    const raw = await keyCompromiseReport('<archived@researcher.example>');
    const { event, messageId } = await env.deliver(raw);
    await run(event);
    await replayMessage(messageId, `inbound/${messageId}`, env.deps, env.settings);
    const got = await env.s3.send(
      new GetObjectCommand({ Bucket: env.config.archiveBucket!, Key: `inbound/${messageId}` }),
    );
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(raw)).toBe(true);
    // The replay above found it there; so does any later attempt (a locked object gains no versions).
    expect(await env.deps.archive!.keep(`inbound/${messageId}`, raw)).toBe('alreadyThere');
  });
});
