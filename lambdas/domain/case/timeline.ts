/**
 * The incident timeline of a case, as the CCADB Incident Reporting Guidelines ask for it: UTC, to
 * the minute, with when the CPR was received and when the preliminary report went to the reporter
 * and to each affected Subscriber (BR 4.9.5), plus acknowledgments, team notices, delivery
 * outcomes, escalations, deadlines and closure. Built from the case record and its audit events,
 * so a CA answering an incident copies it instead of reconstructing it from mailboxes.
 *
 * Sources, with no step counted twice: messages give the receipts; notice histories give every
 * sent/delivered/bounced/complained change; the escalation records give escalations; the case's
 * close fields give the closure; the other audit events (case opened, team notified, verdicts
 * flagged, delivery alerts, ...) are listed with their description.
 */
import type { AuditEvent } from '../audit/events.ts';
import { markdownCode, markdownText } from '../text/display.ts';
import type { CprCase, Escalation, Notice, NoticeChange } from './types.ts';

// biome-ignore format: a long list of names, packed to read as one block
export const TIMELINE_KINDS = [
  'received', 'opened', 'acknowledged', 'teamNotified', 'noticeSent', 'noticeDelivered',
  'noticeBounced', 'noticeComplained', 'escalation', 'triaged', 'revocationRecorded',
  'revocationVerified', 'deadline', 'closed', 'other',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly kind: TimelineKind;
  /** One line of Markdown. */
  readonly text: string;
  /** Who acted (`system:...` or a person); null for deadlines. */
  readonly actor: string | null;
}

/** Audit event types whose facts come from the case record instead (see the module comment). */
// biome-ignore format: a long list of names, packed to read as one block
const FROM_RECORD: ReadonlySet<string> = new Set([
  'received', 'joined', 'acknowledged', 'noticeSent', 'noticeDelivered', 'noticeBounced',
  'noticeComplained', 'closed',
]);

/** Order of entries recorded in the same millisecond: cause before effect. */
const RANK: Readonly<Record<TimelineKind, number>> = {
  received: 0,
  opened: 1,
  other: 2,
  acknowledged: 3,
  teamNotified: 4,
  noticeSent: 5,
  noticeDelivered: 6,
  noticeBounced: 6,
  noticeComplained: 6,
  escalation: 7,
  triaged: 2,
  revocationRecorded: 5,
  revocationVerified: 6,
  deadline: 8,
  closed: 9,
};

/** `2026-11-27T09:00:59.999Z` as `2026-11-27 09:00 UTC`: UTC, to the minute (CCADB). */
export function minuteUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Addresses, ids and diagnostics, as inline code (they survive Markdown, and it them). */
const code = markdownCode;

/** Free text (names, descriptions, notes) on one line, escaped: it renders as itself. */
const line = markdownText;

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isPerson(actor: string): boolean {
  return !actor.startsWith('system:');
}

function noticeLabel(n: Notice): string {
  if (n.kind === 'acknowledgment') return 'Automatic acknowledgment (not the preliminary report)';
  if (n.kind === 'reporterReport') return 'Preliminary report (BR 4.9.5) to the reporter';
  return `Preliminary report (BR 4.9.5) to the Subscriber${n.subscriber ? ` ${line(n.subscriber)}` : ''}`;
}

function noticeEntry(n: Notice, change: NoticeChange): TimelineEntry {
  const to = n.recipient ? code(n.recipient) : 'an unknown address';
  const by = isPerson(change.actor) ? ` by ${code(change.actor)}` : '';
  // A bounce diagnostic is whatever the remote server answered: escaped, never markup.
  const detail = change.detail ? ` (${line(change.detail)})` : '';
  const kind: TimelineKind =
    change.status === 'sent'
      ? n.kind === 'acknowledgment'
        ? 'acknowledged'
        : 'noticeSent'
      : change.status === 'delivered'
        ? 'noticeDelivered'
        : change.status === 'bounced'
          ? 'noticeBounced'
          : change.status === 'complained'
            ? 'noticeComplained'
            : 'other';
  const verb =
    change.status === 'sent'
      ? `sent to ${to}${by}`
      : change.status === 'delivered'
        ? `delivered to ${to}`
        : change.status === 'bounced'
          ? `to ${to} **bounced**: the obligation is open again`
          : change.status === 'complained'
            ? `to ${to} drew a complaint`
            : `to ${to} now ${change.status}`;
  return { at: change.at, kind, text: `${noticeLabel(n)} ${verb}${detail}`, actor: change.actor };
}

const ESCALATION_TEXT: Readonly<Record<Escalation['level'], string>> = {
  warning: 'Escalation: 12-hour warning to the team',
  page: 'Escalation: 20-hour page',
  breach: 'Escalation: 24-hour deadline missed, paged',
  repage: 'Escalation: repeated page, deadline still missed',
};

function escalationEntry(e: Escalation): TimelineEntry {
  const open = e.openObligations.map((o) => code(o.noticeId)).join(', ') || 'none';
  const pending = e.status === 'pending' ? ' (publish not confirmed)' : '';
  return {
    at: e.sentAt ?? e.at,
    kind: 'escalation',
    text: `${ESCALATION_TEXT[e.level]}${pending}; open obligations: ${open}`,
    actor: 'system:clock',
  };
}

function firstSent(n: Notice): string | null {
  return n.history.find((h) => h.status === 'sent')?.at ?? null;
}

/** How a preliminary-report obligation stands against its deadline at `now`. */
function deadlineState(n: Notice, now: Date): string {
  const sent = firstSent(n);
  const due = n.dueAt ? new Date(n.dueAt).getTime() : null;
  const bounced =
    n.status === 'bounced' || n.status === 'complained' ? `, last sending ${n.status}` : '';
  if (sent) {
    const late = due !== null && new Date(sent).getTime() > due;
    return `${late ? '**missed**: sent late' : 'met'} at ${minuteUtc(sent)}${bounced}`;
  }
  if (due !== null && now.getTime() > due) return '**missed**: not sent';
  return 'open';
}

function deadlineEntries(c: CprCase, now: Date): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const reports = c.notices.filter((n) => n.kind !== 'acknowledgment');
  const reporter = reports.filter((n) => n.kind === 'reporterReport');
  const subscribers = reports.filter((n) => n.kind === 'subscriberReport');
  const add = (at: string, what: string, notices: readonly Notice[]) => {
    const states = notices.map((n) =>
      notices.length === 1 ? deadlineState(n, now) : `${code(n.id)} ${deadlineState(n, now)}`,
    );
    entries.push({
      at,
      kind: 'deadline',
      text: `Deadline: ${what}${states.length > 0 ? `: ${states.join('; ')}` : ''}`,
      actor: null,
    });
  };
  if (c.deadlines.reporterReport) {
    add(c.deadlines.reporterReport, 'preliminary report to the reporter (BR 4.9.5)', reporter);
  }
  if (c.deadlines.subscriberReport) {
    add(
      c.deadlines.subscriberReport,
      'preliminary report to each Subscriber (BR 4.9.5)',
      subscribers,
    );
  }
  if (c.deadlines.revocation) {
    entries.push({
      at: c.deadlines.revocation,
      kind: 'deadline',
      text: `Deadline: revocation of the affected certificates (BR 4.9.1.1, ${c.triage ? `triaged as ${c.triage.reason}` : `case classified ${c.classification}, not triaged`})`,
      actor: null,
    });
  }
  return entries;
}

function receivedEntry(m: CprCase['messages'][number]): TimelineEntry {
  const from = m.from ? code(m.from) : 'an unknown sender';
  const id = code(m.sesMessageId);
  const text =
    m.role === 'report'
      ? `CPR received from ${from} (SES message ${id})`
      : m.role === 'reply'
        ? `Follow-up from ${from} received and joined to the case (SES message ${id})`
        : `Same report received again from ${from} (SES message ${id})`;
  return { at: m.receivedAt, kind: 'received', text, actor: 'system:intake' };
}

/** Audit event types with a timeline kind of their own (the rest are `other`). */
const EVENT_KINDS: Readonly<Record<string, TimelineKind>> = {
  opened: 'opened',
  teamNotified: 'teamNotified',
  triaged: 'triaged',
  revocationRecorded: 'revocationRecorded',
  revocationVerified: 'revocationVerified',
};

function eventEntry(e: AuditEvent): TimelineEntry {
  const kind: TimelineKind = EVENT_KINDS[e.type] ?? 'other';
  const text =
    kind === 'teamNotified'
      ? 'CA team notified of the new case'
      : `${capitalised(line(e.description))}${isPerson(e.actor) ? ` (by ${code(e.actor)})` : ''}`;
  return { at: e.at, kind, text, actor: e.actor };
}

/**
 * Every step of the case in time order. `now` decides whether an unmet deadline is already
 * missed or still open.
 */
export function buildTimeline(
  c: CprCase,
  events: readonly AuditEvent[],
  now: Date,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...c.messages.map(receivedEntry),
    ...events
      .filter(
        (e) => e.caseId === c.id && !FROM_RECORD.has(e.type) && !e.type.startsWith('escalation.'),
      )
      .map(eventEntry),
    ...c.notices.flatMap((n) => n.history.map((h) => noticeEntry(n, h))),
    ...c.escalations.map(escalationEntry),
    ...deadlineEntries(c, now),
  ];
  if (c.closedAt) {
    const closed = events.find((e) => e.caseId === c.id && e.type === 'closed');
    const by = closed && isPerson(closed.actor) ? ` by ${code(closed.actor)}` : '';
    entries.push({
      at: c.closedAt,
      kind: 'closed',
      text: `Case closed${by}${c.closeReason ? `: ${line(c.closeReason)}` : ''}`,
      actor: closed?.actor ?? null,
    });
  }
  return entries
    .map((e, i) => ({ e, i, t: new Date(e.at).getTime() }))
    .sort((a, b) => a.t - b.t || RANK[a.e.kind] - RANK[b.e.kind] || a.i - b.i)
    .map(({ e }) => e);
}

/** The timeline as Markdown, ready to paste into a CCADB incident report. */
export function timelineMarkdown(c: CprCase, entries: readonly TimelineEntry[]): string {
  const lines = [
    `### Timeline of ${c.id} (all times UTC)`,
    '',
    `Classification: ${c.classification}. Status: ${c.status}.`,
    '',
    ...entries.map((e) => `- ${minuteUtc(e.at)}: ${e.text}`),
  ];
  return `${lines.join('\n')}\n`;
}
