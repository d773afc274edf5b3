/**
 * `cpr notice CASE --to ... --sent --note TEXT [--at TIME]`: records a preliminary report (BR
 * 4.9.5) that went out by other means. The domain guards it (open case, existing obligation that
 * is still owed); this command checks the time and names the person.
 */
import { recordPreliminaryReport } from '../../lambdas/domain/notices/send-notices.ts';
import { type Command, parseCommand, requiredOption } from '../command.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { json, minuteUtc } from '../output.ts';
import { caseIdArg, noticeIdArg } from './shared.ts';

/** How a report was sent when the person does not say. */
export const DEFAULT_CHANNEL = 'outside the system';

/** Date and time with a zone: a compliance record must not depend on the reader's time zone. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses `--at`: ISO 8601 with a time zone, a real calendar date, not after `now`.
 * @throws UsageError naming what is wrong
 */
export function parseAt(raw: string, now: Date): Date {
  const value = raw.trim();
  const m = ISO_DATE_TIME.exec(value);
  if (!m) {
    throw new UsageError(
      `--at "${raw}" is not an ISO 8601 date and time with a time zone (like 2026-11-27T10:15Z or 2026-11-27T11:15+01:00)`,
      'notice',
    );
  }
  const [, y, mo, d, h, mi, s] = m;
  const at = new Date(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  const calendar = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const validDate =
    calendar.getUTCFullYear() === Number(y) &&
    calendar.getUTCMonth() === Number(mo) - 1 &&
    calendar.getUTCDate() === Number(d) &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(s ?? 0) < 60;
  if (!validDate || Number.isNaN(at.getTime())) {
    throw new UsageError(`--at "${raw}" is not a valid date and time`, 'notice');
  }
  if (at.getTime() > now.getTime()) {
    throw new UsageError(
      `--at ${at.toISOString()} is in the future (now is ${now.toISOString()})`,
      'notice',
    );
  }
  return at;
}

export const notice: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'notice',
    args,
    {
      to: { type: 'string' },
      sent: { type: 'boolean' },
      at: { type: 'string' },
      note: { type: 'string' },
      channel: { type: 'string' },
    },
    { min: 1, max: 1, names: 'CASE' },
  );
  const caseId = caseIdArg('notice', positionals[0]);
  const noticeId = noticeIdArg('notice', requiredOption('notice', 'to', values.to));
  if (!values.sent) {
    throw new UsageError(
      '--sent is required: this command records a report that was sent',
      'notice',
    );
  }
  const note = requiredOption('notice', 'note', values.note);
  const channel = values.channel?.trim() || DEFAULT_CHANNEL;
  const services = await ctx.services(values);
  const now = ctx.now();
  const at = values.at === undefined ? now : parseAt(values.at, now);
  const current = await services.cases.get(caseId);
  if (current && at.getTime() < new Date(current.receivedAt).getTime()) {
    throw new CliError(
      `--at ${at.toISOString()} is before case ${caseId} was received (${current.receivedAt})`,
    );
  }
  const actor = await services.actor();
  const updated = await recordPreliminaryReport(
    caseId,
    noticeId,
    { at: at.toISOString(), actor, channel, messageId: null, note },
    services.noticeDeps(ctx.now),
  );
  const n = updated.notices.find((x) => x.id === noticeId);
  if (values.json) {
    ctx.io.out(json({ caseId, notice: n }));
  } else {
    ctx.io.out(
      `${caseId}: ${noticeId} recorded as sent at ${minuteUtc(at.toISOString())} by ${actor} (${channel})${
        n?.dueAt
          ? `; it was due ${minuteUtc(n.dueAt)}${at.toISOString() > n.dueAt ? ' (LATE)' : ''}`
          : ''
      }`,
    );
  }
  return EXIT.ok;
};
