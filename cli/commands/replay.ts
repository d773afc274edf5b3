/** `cpr replay MESSAGE_ID`: re-runs intake on a message stored in the inbound bucket. */
import { type Command, parseCommand } from '../command.ts';
import { EXIT, UsageError } from '../errors.ts';
import { json, table } from '../output.ts';
import { invokeIntake } from './invoke.ts';

/** The SES message id form the intake function accepts for a replay. */
const MESSAGE_ID = /^[A-Za-z0-9._=+-]{1,200}$/;

export const replay: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'replay',
    args,
    {},
    { min: 1, max: 1, names: 'MESSAGE_ID' },
  );
  const id = (positionals[0] ?? '').trim();
  if (!MESSAGE_ID.test(id))
    throw new UsageError(`"${positionals[0]}" is not an SES message id`, 'replay');
  const services = await ctx.services(values);
  const results = await invokeIntake(services, { replay: id });
  if (values.json) {
    ctx.io.out(json(results));
  } else {
    ctx.io.out(
      table(
        ['CASE', 'ROLE', 'OUTCOME', 'CLASSIFICATION', 'ACKNOWLEDGMENT'],
        results.map((r) => [
          r.caseId,
          r.role,
          r.outcome,
          r.classification,
          r.acknowledgment.decision === 'send' ? 'send' : `suppressed (${r.acknowledgment.reason})`,
        ]),
      ),
    );
  }
  return EXIT.ok;
};
