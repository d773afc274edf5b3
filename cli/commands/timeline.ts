/** `cpr timeline CASE`: the case's incident timeline, Markdown, UTC to the minute. */
import { buildTimeline, timelineMarkdown } from '../../lambdas/domain/case/timeline.ts';
import { type Command, parseCommand } from '../command.ts';
import { EXIT } from '../errors.ts';
import { json } from '../output.ts';
import { caseIdArg, loadCase } from './shared.ts';

export const timeline: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'timeline',
    args,
    {},
    { min: 1, max: 1, names: 'CASE' },
  );
  const id = caseIdArg('timeline', positionals[0]);
  const services = await ctx.services(values);
  const c = await loadCase(services, id);
  const entries = buildTimeline(c, await services.audit.list(id), ctx.now());
  ctx.io.out(values.json ? json({ caseId: id, entries }) : timelineMarkdown(c, entries).trimEnd());
  return EXIT.ok;
};
