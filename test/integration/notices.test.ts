/**
 * The clock's tasks against the stand-ins: acknowledgment through the SES v2 stand-in, team
 * notice and alerts through the SNS sink, delivery events from the configuration set.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { personActor } from '../../lambdas/domain/audit/events.ts';
import { recordPreliminaryReport } from '../../lambdas/domain/notices/send-notices.ts';
import { type ClockEnv, clockEnv, sesEventNotification } from '../support/clock-env.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS } from '../support/intake-env.ts';

let env: ClockEnv;
beforeAll(async () => {
  env = await clockEnv();
});
afterAll(async () => env?.stop());

async function openCase(
  headers: Record<string, string> = {},
  from = 'Rita Reporter <rita@researcher.example>',
) {
  const raw = await compose({
    from,
    to: CPR_ADDRESS,
    subject: 'Compromised private key',
    messageId: `<${Math.random().toString(36).slice(2)}@researcher.example>`,
    text: 'The private key of www.example.test was published on a paste site.',
    headers,
  });
  const { event } = await env.deliver(raw);
  const [r] = await env.intake(event);
  return r!.caseId!;
}

describe('acknowledgment', () => {
  test('goes to the reporter, threaded, loop-safe, and is recorded with its SES message id', async () => {
    const caseId = await openCase();
    const out = (await env.tasks.acknowledge({ caseId })) as { status: string; messageId: string };
    expect(out.status).toBe('sent');
    const [mail, ...more] = await env.mailsFor(caseId);
    expect(more).toHaveLength(0);
    expect(mail?.destination.to).toEqual(['rita@researcher.example']);
    expect(mail?.from).toBe('notices@ca.example');
    expect(mail?.replyTo).toEqual(['cpr@ca.example']);
    const headers = Object.fromEntries(
      (mail?.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]),
    );
    expect(headers['auto-submitted']).toBe('auto-replied');
    expect(headers['in-reply-to']).toMatch(/^<.+@researcher\.example>$/);
    expect(mail?.body.text).toContain(`case ${caseId}`);
    expect(mail?.body.text).toContain('not our findings');

    const c = await env.deps.cases.get(caseId);
    const ack = c?.notices.find((n) => n.id === 'acknowledgment');
    expect(ack).toMatchObject({ status: 'sent', messageId: out.messageId, channel: 'ses' });
    // The acknowledgment is not the preliminary report: that obligation is still open.
    expect(c?.notices.find((n) => n.id === 'reporter')?.status).toBe('pending');

    const again = (await env.tasks.acknowledge({ caseId })) as { status: string };
    expect(again.status).toBe('alreadySent');
    expect(await env.mailsFor(caseId)).toHaveLength(1);
  });

  test('suppressed for an auto-reply: no mail, case still tracked', async () => {
    const caseId = await openCase({ 'Auto-Submitted': 'auto-replied' });
    expect(await env.tasks.acknowledge({ caseId })).toEqual({
      status: 'suppressed',
      messageId: null,
    });
    expect(await env.mailsFor(caseId)).toHaveLength(0);
    const c = await env.deps.cases.get(caseId);
    expect(c?.acknowledgment).toEqual({ decision: 'suppress', reason: 'autoSubmitted' });
    expect(c?.notices.find((n) => n.id === 'reporter')?.status).toBe('pending');
  });

  test('a reply to our acknowledgment (by SES Message-ID) joins the case', async () => {
    const caseId = await openCase();
    const { messageId } = (await env.tasks.acknowledge({ caseId })) as { messageId: string };
    const raw = await compose({
      from: 'rita@researcher.example',
      to: CPR_ADDRESS,
      subject: 'Re: your acknowledgment',
      inReplyTo: `<${messageId}@email.amazonses.com>`,
      text: 'thanks',
    });
    const { event } = await env.deliver(raw);
    const [r] = await env.intake(event);
    expect(r).toMatchObject({ caseId, role: 'reply' });
  });
});

describe('team notice', () => {
  test('is published once on the team topic with filterable attributes', async () => {
    const caseId = await openCase();
    expect(await env.tasks.notifyTeam({ caseId })).toEqual({ status: 'sent' });
    expect(await env.tasks.notifyTeam({ caseId })).toEqual({ status: 'alreadySent' });
    const msgs = env.snsFor(caseId);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]?.topic).toBe('cpr-team');
    expect(msgs[0]?.attributes).toMatchObject({
      type: 'newCase',
      classification: 'keyCompromise',
      severity: 'high',
    });
    expect(msgs[0]?.message).toContain('rita@researcher.example');
    expect(msgs[0]?.message).toContain('subscriber UNKNOWN recipient');
    expect(msgs[0]?.message).toContain('Raw message: s3://');
  });
});

describe('delivery events', () => {
  test('a bounce of the acknowledgment is a team notice, not a page, with the diagnostic', async () => {
    const caseId = await openCase();
    const { messageId } = (await env.tasks.acknowledge({ caseId })) as { messageId: string };
    await env.tasks.deliveryEvents(
      sesEventNotification('Bounce', messageId, '2026-11-27T09:05:00.000Z'),
    );
    const c = await env.deps.cases.get(caseId);
    expect(c?.notices.find((n) => n.id === 'acknowledgment')?.status).toBe('bounced');
    const alerts = env.snsFor(caseId).filter((m) => m.attributes.type === 'notice.bounced');
    // Forged From addresses bounce: each one must not wake a person (mail-bombing the pager).
    expect(alerts.map((m) => m.topic)).toEqual(['cpr-team']);
    expect(alerts[0]?.message).toContain('550 5.1.1 user unknown');
    expect(alerts[0]?.message).toContain('the reporter may be unreachable');
    // The same event again (SNS delivers at least once) alerts nobody twice.
    await env.tasks.deliveryEvents(
      sesEventNotification('Bounce', messageId, '2026-11-27T09:05:00.000Z'),
    );
    expect(env.snsFor(caseId).filter((m) => m.attributes.type === 'notice.bounced')).toHaveLength(
      1,
    );
  });

  test('a bounced preliminary report reopens the obligation', async () => {
    const caseId = await openCase();
    await recordPreliminaryReport(
      caseId,
      'reporter',
      {
        at: '2026-11-27T10:00:00.000Z',
        actor: personActor('alice'),
        channel: 'ses',
        messageId: 'manual-ses-1',
        note: null,
      },
      env.clockDeps,
    );
    await env.clockDeps.outbound.register('manual-ses-1', { caseId, noticeId: 'reporter' });
    await env.tasks.deliveryEvents(
      sesEventNotification('Delivery', 'manual-ses-1', '2026-11-27T10:00:05.000Z'),
    );
    expect(
      (await env.deps.cases.get(caseId))?.notices.find((n) => n.id === 'reporter')?.status,
    ).toBe('delivered');
    await env.tasks.deliveryEvents(
      sesEventNotification('Bounce', 'manual-ses-1', '2026-11-27T10:03:00.000Z'),
    );
    const n = (await env.deps.cases.get(caseId))?.notices.find((x) => x.id === 'reporter');
    expect(n?.status).toBe('bounced');
    expect(n?.history.map((h) => h.status)).toEqual(['sent', 'delivered', 'bounced']);
    // An obligation reopened: this one still pages.
    const alerts = env.snsFor(caseId).filter((m) => m.attributes.type === 'notice.bounced');
    expect(alerts.map((m) => m.topic).sort()).toEqual(['cpr-pager', 'cpr-team']);
  });

  test("the canary's own delivery events are skipped quietly (it tags its mail)", async () => {
    const event = sesEventNotification('Delivery', 'canary-msg', '2026-11-27T10:00:00.000Z');
    const record = event.Records[0]!;
    const body = JSON.parse(record.Sns.Message) as { mail: Record<string, unknown> };
    body.mail.tags = { 'cpr-kind': ['canary'], 'ses:configuration-set': ['cpr-notices'] };
    record.Sns.Message = JSON.stringify(body);
    expect(await env.tasks.deliveryEvents(event)).toEqual([{ status: 'ignored', caseId: null }]);
  });

  test('events for messages we did not send are ignored, not errors', async () => {
    const out = await env.tasks.deliveryEvents(
      sesEventNotification('Bounce', 'not-ours', '2026-11-27T10:00:00.000Z'),
    );
    expect(out).toEqual([{ status: 'unknownMessage', caseId: null }]);
  });
});

describe('recording a preliminary report by hand', () => {
  test('is guarded: only existing obligations of open cases', async () => {
    const caseId = await openCase();
    await expect(
      recordPreliminaryReport(
        caseId,
        'subscriber:nobody@x.example',
        {
          at: '2026-11-27T10:00:00.000Z',
          actor: personActor('alice'),
          channel: 'phone',
          messageId: null,
          note: 'called',
        },
        env.clockDeps,
      ),
    ).rejects.toThrow(/no preliminary-report obligation/);
    await expect(
      recordPreliminaryReport(
        'CPR-20991231-NOPE00',
        'reporter',
        {
          at: '2026-11-27T10:00:00.000Z',
          actor: personActor('alice'),
          channel: 'phone',
          messageId: null,
          note: null,
        },
        env.clockDeps,
      ),
    ).rejects.toThrow(/does not exist/);
    const c = await recordPreliminaryReport(
      caseId,
      'reporter',
      {
        at: '2026-11-27T10:00:00.000Z',
        actor: personActor('alice'),
        channel: 'phone',
        messageId: null,
        note: 'called the reporter',
      },
      env.clockDeps,
    );
    expect(c.notices.find((n) => n.id === 'reporter')).toMatchObject({
      status: 'sent',
      actor: personActor('alice'),
      channel: 'phone',
    });
  });
});
