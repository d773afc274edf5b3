/**
 * The mail `cpr` sends itself (the needsInfo request of `cpr triage`, the preliminary report of
 * `cpr send`): loop-safe headers, the per-recipient limits the acknowledgments count against, and
 * `cpr send` at most once per attempt, through the real SDK clients against the stand-ins.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CaseJson } from '../../cli/commands/show.ts';
import { writeLocalDeployment } from '../../cli/deployment.ts';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoRateLimiter } from '../../lambdas/adapters/dynamo/rate-limits.ts';
import { DynamoSendClaims } from '../../lambdas/adapters/dynamo/send-claims.ts';
import { DEFAULT_ACKNOWLEDGMENT_LIMITS } from '../../lambdas/domain/notices/acknowledgment-limits.ts';
import { preliminaryReportClaimKey } from '../../lambdas/domain/ports/send-claims.ts';
import type { StoredMail } from '../../local/stand-ins.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';
import { type CliEnv, cliEnv } from './support.ts';

const LIMITS = DEFAULT_ACKNOWLEDGMENT_LIMITS;
const INFO_SUBJECT = 'More information needed';
const REPORT_SUBJECT = 'Preliminary report';

let env: CliEnv;
let reportFile: string;

/** A fresh case from a reporter address no other test mails, with that address. */
async function caseFrom(label: string): Promise<{ id: string; reporter: string }> {
  const reporter = `${label}-${randomBytes(4).toString('hex')}@researcher.example`;
  const file = join(env.dataDir, `${label}.eml`);
  const raw = await compose({
    from: `Reporter <${reporter}>`,
    to: CPR_ADDRESS,
    subject: `A certificate of yours looks wrong (${label})`,
    text: 'Something about one of your certificates is not right.',
  });
  await writeFile(file, raw);
  const [r] = await env.runJson<{ caseId: string }[]>('ingest', file);
  return { id: r!.caseId, reporter };
}

/** The mails to the case whose subject says what they are. */
async function mailsOf(caseId: string, subject: string): Promise<StoredMail[]> {
  return (await env.clock.mailsFor(caseId)).filter((m) => m.subject.includes(subject));
}

/** Fills the recipient's address counter, as that many earlier acknowledgments would. */
async function exhaust(address: string): Promise<void> {
  const limiter = new DynamoRateLimiter(documentClient(), env.clock.config.casesTable);
  const limit = { key: `address:${address}`, limit: LIMITS.perAddress };
  for (let i = 0; i < LIMITS.perAddress; i += 1) {
    const a = await limiter.admit([limit], `earlier-ack-${i}`, env.now, LIMITS.windowHours * 3.6e6);
    expect(a.admitted).toBe(true);
  }
}

const headersOf = (m: StoredMail) =>
  Object.fromEntries((m.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]));

const send = (id: string) => env.run('send', id, '--to', 'reporter', '--file', reportFile);

async function auditTypes(id: string): Promise<string[]> {
  return (await env.clock.deps.audit.list(id)).map((e) => e.type);
}

beforeAll(async () => {
  env = await cliEnv();
  env.now = new Date();
  // The stack's acknowledgment limits as deployed by default, which `cpr` shares.
  await writeLocalDeployment(env.dataDir, { ...env.deployment, acknowledgmentLimits: LIMITS });
  reportFile = join(env.dataDir, 'report.txt');
  await writeFile(reportFile, 'We are investigating the certificate you reported.\n');
});
afterAll(async () => env?.stop());

describe('cpr triage --reason needsInfo, by mail', () => {
  test('the request is loop-safe (RFC 3834), threaded and answered to the CPR address', async () => {
    const c = await caseFrom('info-headers');
    const r = await env.run('triage', c.id, '--reason', 'needsInfo', '--note', 'ask');
    expect(r.code, r.stderr).toBe(0);
    const [mail, ...more] = await mailsOf(c.id, INFO_SUBJECT);
    expect(more).toEqual([]);
    expect(mail!.destination.to).toEqual([c.reporter]);
    expect(mail!.replyTo).toEqual([env.deployment.replyTo]);
    const h = headersOf(mail!);
    expect(h['auto-submitted']).toBe('auto-generated');
    expect(h['x-auto-response-suppress']).toBe('All');
    expect(h['in-reply-to']).toMatch(/^<.+>$/);
  });

  test('past the per-recipient limit: refused with what to do instead, nothing recorded or sent', async () => {
    const c = await caseFrom('info-limited');
    await exhaust(c.reporter);
    const before = await env.runJson<CaseJson>('show', c.id);
    const r = await env.run('triage', c.id, '--reason', 'needsInfo', '--note', 'ask');
    expect(r.code, r.stdout).toBe(1);
    expect((await env.runJson<CaseJson>('show', c.id)).triage).toBeNull();
    expect((await env.runJson<CaseJson>('show', c.id)).deadlines).toEqual(before.deadlines);
    expect(await auditTypes(c.id)).not.toContain('triaged');
    expect(await mailsOf(c.id, INFO_SUBJECT)).toEqual([]);
    expect(r.stderr).toContain(`${LIMITS.perAddress} mails to ${c.reporter} in 24 h already`);
    expect(r.stderr).toContain('--sent-elsewhere');
    const elsewhere = await env.run(
      ...['triage', c.id, '--reason', 'needsInfo', '--sent-elsewhere', '--note', 'phoned'],
    );
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(await auditTypes(c.id)).toContain('infoRequested');
  });

  test('each request counts: the limit holds however often a person triages', async () => {
    const c = await caseFrom('info-repeated');
    const codes: number[] = [];
    for (let i = 0; i <= LIMITS.perAddress; i += 1) {
      env.now = new Date(env.now.getTime() + 60_000);
      codes.push(
        (await env.run('triage', c.id, '--reason', 'needsInfo', '--note', `ask ${i}`)).code,
      );
    }
    expect(codes).toEqual([...Array(LIMITS.perAddress).fill(0), 1]);
    expect(await mailsOf(c.id, INFO_SUBJECT)).toHaveLength(LIMITS.perAddress);
  });
});

describe('cpr send, at most once and within the limits', () => {
  test('the same send twice mails once and says so', async () => {
    const c = await caseFrom('send-twice');
    const first = await send(c.id);
    expect(first.code, first.stderr).toBe(0);
    const second = await send(c.id);
    expect(second.code, second.stderr).toBe(0);
    const [mail, ...more] = await mailsOf(c.id, REPORT_SUBJECT);
    expect(more).toEqual([]);
    expect(second.stdout).toContain(
      `already sent, SES message id ${mail!.messageId}; not sent again`,
    );
    expect((await auditTypes(c.id)).filter((t) => t === 'noticeSent')).toHaveLength(1);
  });

  test('a run that stopped after SES took the mail is finished by the next, not mailed again', async () => {
    const c = await caseFrom('send-crashed');
    const claims = new DynamoSendClaims(documentClient(), env.clock.config.casesTable);
    const key = preliminaryReportClaimKey(c.id, 'reporter', 0);
    expect(await claims.claim(key, env.now.toISOString())).toEqual({ taken: true });
    await claims.settle(key, { state: 'sent', messageId: 'ses-earlier-run' });
    const r = await env.runJson<{ sesMessageId: string; alreadySent: boolean }>(
      'send',
      c.id,
      '--to',
      'reporter',
      '--file',
      reportFile,
    );
    expect(r).toMatchObject({ sesMessageId: 'ses-earlier-run', alreadySent: true });
    expect(await mailsOf(c.id, REPORT_SUBJECT)).toEqual([]);
    const notice = (await env.clock.deps.cases.get(c.id))!.notices.find((n) => n.id === 'reporter');
    expect(notice).toMatchObject({ status: 'sent', messageId: 'ses-earlier-run', channel: 'ses' });
  });

  test('a run that stopped before SES answered: refused, the mail may have gone out', async () => {
    const c = await caseFrom('send-in-doubt');
    const claims = new DynamoSendClaims(documentClient(), env.clock.config.casesTable);
    await claims.claim(preliminaryReportClaimKey(c.id, 'reporter', 0), env.now.toISOString());
    const r = await send(c.id);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('it may have gone out, so it is not sent again');
    expect(r.stderr).toContain(`cpr notice ${c.id} --to reporter --sent`);
    expect(await mailsOf(c.id, REPORT_SUBJECT)).toEqual([]);
    expect(await auditTypes(c.id)).not.toContain('noticeSent');
  });

  test('refused by SES: nothing went out, so the next run sends it, once', async () => {
    const c = await caseFrom('send-refused');
    await env.clock.refuseNextSendTo(c.reporter, 'MessageRejected', 'Sending paused');
    const refused = await send(c.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Sending paused');
    expect(await auditTypes(c.id)).not.toContain('noticeSent');
    const again = await send(c.id);
    expect(again.code, again.stderr).toBe(0);
    expect(await mailsOf(c.id, REPORT_SUBJECT)).toHaveLength(1);
  });

  test('past the per-recipient limit: refused with what to do instead, nothing recorded as sent', async () => {
    const c = await caseFrom('send-limited');
    await exhaust(c.reporter);
    const r = await send(c.id);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${LIMITS.perAddress} mails to ${c.reporter} in 24 h already`);
    expect(r.stderr).toContain(`cpr notice ${c.id} --to reporter --sent`);
    expect(await mailsOf(c.id, REPORT_SUBJECT)).toEqual([]);
    const notice = (await env.clock.deps.cases.get(c.id))!.notices.find((n) => n.id === 'reporter');
    expect(notice?.status).toBe('pending');
    expect(await auditTypes(c.id)).not.toContain('noticeSent');
  });
});
