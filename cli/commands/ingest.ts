/**
 * `cpr ingest FILE.eml...`: what SES does with a received message, for mail that reached the CA
 * some other way (an old mailbox, a forward): store the raw bytes in the inbound bucket under a
 * new SES-like message id, then invoke the intake function with an SES receipt event built from
 * the message's headers.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { IntakeResult } from '../../lambdas/domain/intake/process-message.ts';
import { parseAddresses } from '../../lambdas/domain/mail/header-values.ts';
import { MAX_HEADER_VALUE_CHARS } from '../../lambdas/domain/mail/limits.ts';
import { sesLikeMessageId, sesReceiptEvent, topHeaders } from '../../local/ses-event.ts';
import { type Command, parseCommand } from '../command.ts';
import { EXIT } from '../errors.ts';
import { clean, json, table } from '../output.ts';
import { invokeIntake } from './invoke.ts';

/** SES accepts inbound messages up to 40 MB; a larger file is not something SES could deliver. */
export const MAX_INGEST_BYTES = 40 * 1024 * 1024;

/**
 * Verdicts of a message no filter looked at: spam and virus scanning did not run (`DISABLED`),
 * SPF, DKIM and DMARC were not evaluated (`GRAY`). Neither ever suppresses a case.
 */
export const INGEST_VERDICTS = {
  spam: 'DISABLED',
  virus: 'DISABLED',
  spf: 'GRAY',
  dkim: 'GRAY',
  dmarc: 'GRAY',
} as const;

function addressIn(value: string | undefined): string | null {
  return value ? (parseAddresses(value, MAX_HEADER_VALUE_CHARS).valid?.address ?? null) : null;
}

type Ingested = { readonly file: string; readonly messageId: string } & Pick<
  IntakeResult,
  'caseId' | 'role' | 'outcome' | 'classification' | 'acknowledgment'
>;
type NotIngested = {
  readonly file: string;
  readonly messageId: string | null;
  readonly error: string;
};
type FileResult = Ingested | NotIngested;

export const ingest: Command = async (ctx, args) => {
  const { values, positionals } = parseCommand(
    'ingest',
    args,
    {},
    {
      min: 1,
      max: Number.POSITIVE_INFINITY,
      names: 'FILE.eml (one or more)',
    },
  );
  const services = await ctx.services(values);
  const d = services.deployment;
  const results: FileResult[] = [];
  for (const file of positionals) {
    let raw: Buffer;
    try {
      const path = resolve(ctx.cwd, file);
      const { size, isFile } = await stat(path).then((s) => ({ size: s.size, isFile: s.isFile() }));
      if (!isFile) throw new Error('not a regular file');
      if (size > MAX_INGEST_BYTES) throw new Error(`${size} bytes, more than SES accepts (40 MB)`);
      raw = await readFile(path);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      results.push({ file, messageId: null, error: `cannot read: ${e.code ?? e.message}` });
      continue;
    }
    const messageId = sesLikeMessageId();
    try {
      await services.s3.send(
        new PutObjectCommand({
          Bucket: d.inboundBucket,
          Key: `${d.inboundPrefix}${messageId}`,
          Body: raw,
        }),
      );
      const headers = topHeaders(raw);
      const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value;
      const source = addressIn(header('return-path')) ?? addressIn(header('from')) ?? '';
      const to = addressIn(header('to'));
      const event = sesReceiptEvent({
        messageId,
        // Received now: the BR clocks start when the CA receives the report.
        timestamp: ctx.now(),
        source,
        destination: d.replyTo ? [d.replyTo] : to ? [to] : [],
        headers,
        verdicts: INGEST_VERDICTS,
        functionArn: d.intakeFunction.startsWith('arn:')
          ? d.intakeFunction
          : `arn:aws:lambda:${d.region}:000000000000:function:${d.intakeFunction}`,
      });
      const [result] = await invokeIntake(services, event);
      if (!result) throw new Error('intake returned no result');
      results.push({
        file,
        messageId,
        caseId: result.caseId,
        role: result.role,
        outcome: result.outcome,
        classification: result.classification,
        acknowledgment: result.acknowledgment,
      });
    } catch (error) {
      results.push({ file, messageId, error: (error as Error).message });
    }
  }
  const failed = results.filter((r): r is NotIngested => 'error' in r);
  if (values.json) {
    ctx.io.out(json(results));
  } else {
    const ok = results.filter((r): r is Ingested => !('error' in r));
    if (ok.length > 0) {
      ctx.io.out(
        table(
          ['FILE', 'CASE', 'ROLE', 'CLASSIFICATION', 'ACKNOWLEDGMENT', 'SES MESSAGE ID'],
          ok.map((r) => [
            r.file,
            r.caseId,
            r.role,
            r.classification,
            r.acknowledgment.decision === 'send'
              ? 'send'
              : `suppressed (${r.acknowledgment.reason})`,
            r.messageId,
          ]),
        ),
      );
    }
  }
  for (const f of failed) ctx.io.err(`cpr ingest: ${clean(f.file)}: ${clean(f.error)}`);
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
};
