/**
 * A loopback endpoint that speaks enough of the SNS Query API (Publish) for the real
 * `@aws-sdk/client-sns` client, and delivers each publish to local sinks: memory (for tests), a
 * JSON-lines file, a console line, and optionally a webhook. No SNS stand-in exists; this one does
 * only what the project uses.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { listenLocal, readBody } from './http-service.ts';

export interface PublishedMessage {
  readonly at: string;
  readonly topicArn: string;
  /** Last segment of the topic ARN. */
  readonly topic: string;
  readonly subject: string | null;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageId: string;
}

export interface SnsSinkOptions {
  readonly port?: number;
  /** Append every publish as one JSON line to this file. */
  readonly jsonLinesFile?: string;
  /** Print a one-line summary of every publish. */
  readonly console?: (line: string) => void;
  /** POST every publish as JSON to this URL (a chat or pager webhook). */
  readonly webhookUrl?: string;
  /** POST publishes of one topic (by its name, the ARN's last segment) to a URL. */
  readonly webhooks?: Readonly<Record<string, string>>;
  /** Makes a publish fail, for tests of the failure path. Return an error message to fail. */
  readonly failWhen?: (m: Omit<PublishedMessage, 'messageId' | 'at'>) => string | null;
}

export interface SnsSink {
  readonly endpoint: string;
  readonly messages: PublishedMessage[];
  stop(): Promise<void>;
}

/** Largest request accepted: SNS messages stop at 256 KB. */
export const MAX_SNS_REQUEST_BYTES = 300_000;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, MAX_SNS_REQUEST_BYTES)).toString('utf-8'));
}

function attributesOf(form: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i += 1) {
    const name = form.get(`MessageAttributes.entry.${i}.Name`) ?? '';
    out[name] = form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
  }
  return out;
}

const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

export async function startSnsSink(options: SnsSinkOptions = {}): Promise<SnsSink> {
  const messages: PublishedMessage[] = [];
  const server = createServer(async (req, res) => {
    const xml = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/xml' });
      res.end(body);
    };
    const error = (code: string, message: string) =>
      xml(
        400,
        `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    try {
      const form = await readForm(req);
      const action = form.get('Action');
      if (action !== 'Publish') return error('InvalidAction', `${action} is not emulated locally`);
      const topicArn = form.get('TopicArn') ?? '';
      const draft = {
        topicArn,
        topic: topicArn.split(':').at(-1) ?? topicArn,
        subject: form.get('Subject'),
        message: form.get('Message') ?? '',
        attributes: attributesOf(form),
      };
      const refusal = options.failWhen?.(draft);
      if (refusal) return error('InternalError', refusal);
      const published: PublishedMessage = {
        ...draft,
        at: new Date().toISOString(),
        messageId: randomUUID(),
      };
      messages.push(published);
      if (options.jsonLinesFile)
        await appendFile(options.jsonLinesFile, `${JSON.stringify(published)}\n`);
      options.console?.(
        `[sns:${published.topic}] ${published.subject ?? published.message.split('\n')[0]}`,
      );
      for (const url of [options.webhookUrl, options.webhooks?.[published.topic]]) {
        if (!url) continue;
        // A failing webhook must not fail the publish: the file and console already have it.
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(published),
          signal: AbortSignal.timeout(5_000),
        }).catch(() => undefined);
      }
      return xml(
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${published.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    } catch (e) {
      return error('InvalidParameter', (e as Error).message);
    }
  });
  return { ...(await listenLocal(server, options.port)), messages };
}
