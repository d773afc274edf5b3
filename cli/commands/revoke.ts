/**
 * `cpr revoke CASE (--cert SHA256... | --serial HEX... | --all) --reason-code NAME --note TEXT
 * [--at TIME]`: records that the CA revoked. Verification from outside follows (the verifier, or
 * `cpr verify CASE` now); the deadline is judged on what relying parties see.
 */
import { normaliseSerial } from '../../lambdas/domain/inventory/csv.ts';
import { CRL_REASON_NAMES, isCrlReasonName } from '../../lambdas/domain/revocation/reasons.ts';
import {
  type RevokeSelector,
  recordRevocations,
} from '../../lambdas/domain/revocation/use-cases.ts';
import { type Command, parseCommand, requiredOption } from '../command.ts';
import { EXIT, UsageError } from '../errors.ts';
import { json, minuteUtc } from '../output.ts';
import { parseAt } from './notice.ts';
import { caseIdArg } from './shared.ts';

const HEX64 = /^[0-9a-f]{64}$/;

export const revoke: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'revoke',
    args,
    {
      cert: { type: 'string', multiple: true },
      serial: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      'reason-code': { type: 'string' },
      note: { type: 'string' },
      at: { type: 'string' },
    },
    { min: 1, max: 1, names: 'CASE' },
  );
  const caseId = caseIdArg('revoke', positionals[0]);
  const chosen = [values.cert, values.serial, values.all].filter((v) => v !== undefined);
  if (chosen.length !== 1) {
    throw new UsageError('give exactly one of --cert SHA256..., --serial HEX..., --all', 'revoke');
  }
  let selector: RevokeSelector;
  if (values.all) selector = { kind: 'all' };
  else if (values.cert) {
    const certs = values.cert.map((c) => c.trim().toLowerCase().replaceAll(':', ''));
    const bad = certs.find((c) => !HEX64.test(c));
    if (bad) throw new UsageError(`--cert ${bad} is not a SHA-256 (64 hex digits)`, 'revoke');
    selector = { kind: 'cert', values: certs };
  } else {
    const serials = (values.serial ?? []).map((s) => normaliseSerial(s));
    const bad = serials.find((s) => !/^[0-9a-f]+$/.test(s));
    if (bad) throw new UsageError(`--serial ${bad} is not hexadecimal`, 'revoke');
    selector = { kind: 'serial', values: serials };
  }
  const reasonCode = requiredOption('revoke', 'reason-code', values['reason-code']);
  if (!isCrlReasonName(reasonCode)) {
    throw new UsageError(`--reason-code must be one of ${CRL_REASON_NAMES.join(', ')}`, 'revoke');
  }
  const note = requiredOption('revoke', 'note', values.note);
  const services = await ctx.services(values);
  const now = ctx.now();
  const at = values.at === undefined ? now : parseAt(values.at, now);
  const actor = await services.actor();
  const r = await recordRevocations(
    caseId,
    { selector, reasonCode, note, at, actor },
    { ...services.revocation(), now: ctx.now },
  );
  if (values.json) {
    ctx.io.out(json({ caseId, recorded: r.recorded, reasonMismatch: r.reasonMismatch }));
  } else {
    for (const x of r.recorded) {
      ctx.io.out(
        `${caseId}: ${x.certificate} recorded as revoked (${reasonCode}) at ${minuteUtc(at.toISOString())} by ${actor}; due ${minuteUtc(x.dueAt)}${x.dueAt && at.toISOString() > x.dueAt ? ' (LATE)' : ''}`,
      );
    }
    if (r.reasonMismatch) {
      ctx.io.err(
        `WARNING: the case was triaged as ${r.reasonMismatch}; ${reasonCode} will not verify (Mozilla policy 6.1.1, BR 7.2.2)`,
      );
    }
    ctx.io.out(`Check it from outside: cpr verify ${caseId}`);
  }
  return EXIT.ok;
};
