/**
 * `cpr blocklist export [--format csv|json]`: every key proven compromised, by the SHA-256 of its
 * SubjectPublicKeyInfo, for the issuance system to reject (BR 6.1.1.3(4)).
 */
import { exportBlocklist } from '../../lambdas/domain/revocation/use-cases.ts';
import { type Command, parseCommand } from '../command.ts';
import { EXIT, UsageError } from '../errors.ts';
import { json } from '../output.ts';

export const BLOCKLIST_CSV_COLUMNS = ['spki_sha256', 'case', 'blocked_at', 'proof'] as const;

export const blocklist: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'blocklist',
    args,
    { format: { type: 'string' } },
    { min: 1, max: 1, names: 'export' },
  );
  if (positionals[0] !== 'export')
    throw new UsageError('the only subcommand is "export"', 'blocklist');
  const format = values.format ?? (values.json ? 'json' : 'csv');
  if (format !== 'csv' && format !== 'json') {
    throw new UsageError('--format must be csv or json', 'blocklist');
  }
  const services = await ctx.services(values);
  const keys = await exportBlocklist(services.revocation());
  if (format === 'json') {
    ctx.io.out(json({ format: 'spki-sha256', keys }));
  } else {
    ctx.io.out(
      [
        BLOCKLIST_CSV_COLUMNS.join(','),
        ...keys.map((k) => [k.spkiSha256, k.caseId, k.at, k.proof].join(',')),
      ].join('\n'),
    );
  }
  return EXIT.ok;
};
