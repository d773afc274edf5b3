/** Argument forms and look-ups several commands share. */
import { CASE_ID_REGEX } from '../../lambdas/domain/case/case-id.ts';
import { REPORTER_NOTICE_ID, subscriberNoticeId } from '../../lambdas/domain/case/notices.ts';
import type { CprCase } from '../../lambdas/domain/case/types.ts';
import { CliError, UsageError } from '../errors.ts';
import type { CommandName } from '../help.ts';
import type { Services } from '../services.ts';

/** A case id as typed: case-insensitive, checked against the id format. */
export function caseIdArg(command: CommandName, raw: string | undefined): string {
  const id = (raw ?? '').trim().toUpperCase();
  if (!CASE_ID_REGEX.test(id)) {
    throw new UsageError(`"${raw ?? ''}" is not a case id (like CPR-20261127-7KQ2MD)`, command);
  }
  return id;
}

/** `reporter` or `subscriber:ADDRESS` as the notice id of that obligation. */
export function noticeIdArg(command: CommandName, raw: string | undefined): string {
  const to = (raw ?? '').trim();
  if (to.toLowerCase() === 'reporter') return REPORTER_NOTICE_ID;
  const m = /^subscriber:(.+)$/i.exec(to);
  if (m?.[1]?.trim()) return subscriberNoticeId(m[1].trim());
  throw new UsageError(`--to must be "reporter" or "subscriber:ADDRESS", not "${to}"`, command);
}

/** The case with every one of its messages (the case item lists only the first and latest). */
export async function loadCase(services: Services, id: string): Promise<CprCase> {
  const c = await services.cases.get(id);
  if (!c) throw new CliError(`case ${id} does not exist`);
  const messages = await services.caseMessages.list(id);
  return messages.length > 0 ? { ...c, messages } : c;
}
