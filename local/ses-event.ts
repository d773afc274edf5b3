/**
 * Builds the event SES hands a receipt rule's Lambda action, in the shape AWS documents
 * ("Invoking Lambda functions" in the SES receiving guide): headers and verdicts, no body.
 * The local SMTP intake and the tests both use it, so intake sees what it would see in AWS.
 */
import { randomBytes } from 'node:crypto';

const SES_ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A new message id shaped like SES's: 40 lowercase letters and digits, safe as an S3 key. */
export function sesLikeMessageId(): string {
  return Array.from(randomBytes(40), (b) => SES_ID_ALPHABET[b % SES_ID_ALPHABET.length]).join('');
}

export type SesVerdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

export interface SesEventInput {
  readonly messageId: string;
  readonly timestamp: Date;
  readonly source: string;
  readonly destination: readonly string[];
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly verdicts?: Partial<Record<'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc', SesVerdict>>;
  readonly dmarcPolicy?: 'none' | 'quarantine' | 'reject';
  readonly functionArn?: string;
}

function header(headers: SesEventInput['headers'], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

function addressList(value: string | undefined): string[] {
  return value ? value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((s) => s.trim()) : [];
}

export function sesReceiptEvent(input: SesEventInput) {
  const v = input.verdicts ?? {};
  const ts = input.timestamp.toISOString();
  return {
    Records: [
      {
        eventSource: 'aws:ses' as const,
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: ts,
            source: input.source,
            messageId: input.messageId,
            destination: [...input.destination],
            headersTruncated: false,
            headers: input.headers.map((h) => ({ name: h.name, value: h.value })),
            commonHeaders: {
              returnPath: header(input.headers, 'return-path') ?? input.source,
              from: addressList(header(input.headers, 'from')),
              date: header(input.headers, 'date') ?? ts,
              to: addressList(header(input.headers, 'to')),
              messageId: header(input.headers, 'message-id'),
              subject: header(input.headers, 'subject'),
            },
          },
          receipt: {
            timestamp: ts,
            processingTimeMillis: 1,
            recipients: [...input.destination],
            spamVerdict: { status: v.spam ?? 'PASS' },
            virusVerdict: { status: v.virus ?? 'PASS' },
            spfVerdict: { status: v.spf ?? 'PASS' },
            dkimVerdict: { status: v.dkim ?? 'PASS' },
            dmarcVerdict: { status: v.dmarc ?? 'PASS' },
            ...(input.dmarcPolicy ? { dmarcPolicy: input.dmarcPolicy } : {}),
            action: {
              type: 'Lambda',
              functionArn:
                input.functionArn ?? 'arn:aws:lambda:us-east-1:000000000000:function:cpr-intake',
              invocationType: 'Event',
            },
          },
        },
      },
    ],
  };
}

/** The top-level headers of a raw message, unfolded (what SES lists in `mail.headers`). */
export function topHeaders(
  raw: Uint8Array,
  maxBytes = 256 * 1024,
): { name: string; value: string }[] {
  const text = Buffer.from(raw.subarray(0, maxBytes)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  const out: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1]!;
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0)
      out.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return out;
}
