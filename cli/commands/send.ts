/**
 * `cpr send CASE --to ... --file REPORT.txt`: the preliminary report (BR 4.9.5) written by a
 * person, sent through SES with the configuration set (so delivery and bounces are tracked),
 * threaded to the report, loop-safe (the mailer's headers), and recorded on the case.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sendPreliminaryReport } from '../../lambdas/domain/notices/send-notices.ts';
import { type Command, parseCommand, requiredOption } from '../command.ts';
import { CliError, EXIT } from '../errors.ts';
import { json } from '../output.ts';
import { caseIdArg, noticeIdArg } from './shared.ts';

/** A preliminary report is a letter, not an archive: larger files are a mistake. */
export const MAX_REPORT_BYTES = 256 * 1024;

async function readReport(cwd: string, file: string): Promise<string> {
  const path = resolve(cwd, file);
  let text: string;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new CliError(`${file}: not a regular file`);
    if (s.size > MAX_REPORT_BYTES) {
      throw new CliError(
        `${file}: ${s.size} bytes; a report is plain text up to ${MAX_REPORT_BYTES} bytes`,
      );
    }
    text = await readFile(path, 'utf-8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (text.includes('\uFFFD')) throw new CliError(`${file}: not UTF-8 text`);
  if (text.trim() === '') throw new CliError(`${file}: the report is empty`);
  return text;
}

export const send: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'send',
    args,
    { to: { type: 'string' }, file: { type: 'string' } },
    { min: 1, max: 1, names: 'CASE' },
  );
  const caseId = caseIdArg('send', positionals[0]);
  const noticeId = noticeIdArg('send', requiredOption('send', 'to', values.to));
  const file = requiredOption('send', 'file', values.file);
  const text = await readReport(ctx.cwd, file);
  const services = await ctx.services(values);
  const settings = services.sender();
  const mailer = await services.mailer();
  const actor = await services.actor();
  const { messageId, alreadySent } = await sendPreliminaryReport(
    caseId,
    noticeId,
    { text, actor },
    {
      ...services.noticeDeps(ctx.now),
      ...services.mailLimits(),
      claims: services.sendClaims(),
      mailer,
      region: services.deployment.region,
    },
    settings,
  );
  const c = await services.cases.get(caseId);
  const n = c?.notices.find((x) => x.id === noticeId);
  const recipient = n?.recipient ?? null;
  if (values.json) {
    ctx.io.out(json({ caseId, noticeId, recipient, sesMessageId: messageId, alreadySent }));
  } else if (alreadySent) {
    ctx.io.out(
      `${caseId}: preliminary report to ${recipient ?? noticeId} already sent, SES message id ${messageId}; not sent again`,
    );
  } else {
    ctx.io.out(
      `${caseId}: preliminary report to ${recipient ?? noticeId} sent, SES message id ${messageId}`,
    );
  }
  return EXIT.ok;
};
