/**
 * Raw RFC 5322 bytes to `ParsedMail`, with mailparser, under the limits in `limits.ts`.
 *
 * Mail is hostile input. The rules here:
 * - never reject: a limit hit cuts the input, and the cut is recorded in `problems`;
 * - HTML is never kept, only converted to text (mailparser's html-to-text conversion);
 * - every header value we return is one line (no CR/LF can smuggle in a header we trust);
 * - forwarded messages (message/rfc822 parts) are parsed again by this module, to a bounded
 *   depth, and their content is surfaced with a source prefix like `attachment:fwd.eml/`.
 */
import {
  type AttachmentStream,
  type HeaderLines,
  type Headers,
  MailParser,
  type MessageText,
} from 'mailparser';
import type { ContentPart, EvidenceSource } from '../evidence/types.ts';
import {
  dkimSigningDomains,
  extractMessageIds,
  type HeaderParams,
  parseAddresses,
  parseParams,
  rawHeaderValue,
  singleLine,
} from './header-values.ts';
import { DEFAULT_MAIL_LIMITS, type MailLimits } from './limits.ts';
import { scanMime } from './mime-scan.ts';
import { stripHtml } from './strip-html.ts';
import { type Address, KEPT_HEADERS, type ParsedMail } from './types.ts';

/**
 * The input is not an RFC 5322 message at all, so there is nothing to classify. Thrown only when
 * the bytes are empty or whitespace, when the first line is not a header field (`name: value`,
 * RFC 5322 2.2; an mbox `From ` separator line before it is tolerated), or when mailparser fails
 * before it has read a header section. Everything else (broken MIME, bad charsets, truncated
 * parts, limits) returns a `ParsedMail` with `problems`. Intake turns this error into an
 * `unparsed` case, so a person still looks at the raw message.
 */
export class UnparsableMailError extends Error {
  override readonly name = 'UnparsableMailError';
}

/** Header blocks mailsplit measures slightly differently (the blank line); the scan is exact. */
const HEADER_SIZE_SLACK = 4096;

/** Content types of the machine-readable part of a DSN (RFC 3464 2.1, RFC 6533 6.1). */
const DELIVERY_STATUS_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
]);

/** Report types of multipart/report (RFC 6522) that mark a delivery status notification. */
const DSN_REPORT_TYPES = new Set(['delivery-status', 'global-delivery-status']);

/** Nested messages (RFC 2046 5.2.1, RFC 6532 3.7). */
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/** Error messages quoted in problems are cut to this; they never contain message bodies. */
const MAX_ERROR_CHARS = 200;

/** Filenames in sources and problems are cut to this. */
const MAX_FILENAME_CHARS = 200;

/** Shared by a message and the messages forwarded inside it, so nesting cannot multiply work. */
interface Budget {
  attachments: number;
  skipped: number;
  parts: number;
}

interface CollectedAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly partId: string | null;
  readonly content: Buffer;
  /** Decoded size when it was larger than the content kept. */
  readonly fullSize: number;
  readonly error: string | null;
}

interface Collected {
  headers: Headers | null;
  headerLines: HeaderLines | null;
  attachments: CollectedAttachment[];
  text: MessageText | null;
  error: Error | null;
}

/**
 * Parses a raw message. Never throws for broken content: limits and undecodable parts are
 * recorded in `problems`. `returnPath` is `'<>'` for a null reverse-path (RFC 5321 4.5.5), else
 * the bare lowercased address. Reply-To is parsed, never substituted for From.
 * @throws UnparsableMailError when the input is not a mail message at all (see the class).
 */
export async function parseMail(
  raw: Uint8Array,
  limits: MailLimits = DEFAULT_MAIL_LIMITS,
): Promise<ParsedMail> {
  const bytes = Buffer.isBuffer(raw)
    ? raw
    : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const budget: Budget = {
    attachments: limits.maxAttachments,
    skipped: 0,
    parts: limits.maxMimeParts,
  };
  const mail = await parseLevel(bytes, limits, 0, budget);
  if (budget.skipped > 0) {
    return {
      ...mail,
      problems: capProblems(
        [
          ...mail.problems,
          `more than ${limits.maxAttachments} attachments: ${budget.skipped} not decoded`,
        ],
        limits.maxProblems,
      ),
    };
  }
  return mail;
}

async function parseLevel(
  raw: Buffer,
  limits: MailLimits,
  level: number,
  budget: Budget,
): Promise<ParsedMail> {
  const problems: string[] = [];
  let bytes = raw;
  if (bytes.length > limits.maxRawMessageBytes) {
    problems.push(
      `message is ${bytes.length} bytes, more than ${limits.maxRawMessageBytes}: only the first ${limits.maxRawMessageBytes} were parsed`,
    );
    bytes = bytes.subarray(0, limits.maxRawMessageBytes);
  }
  const notMail = whyNotMail(bytes, limits);
  if (notMail !== null) throw new UnparsableMailError(notMail);

  // The part budget is shared with the enclosing message: nesting cannot multiply the work.
  const levelLimits = { ...limits, maxMimeParts: Math.max(1, budget.parts) };
  const scan = scanMime(bytes, levelLimits);
  budget.parts -= scan.parts;
  problems.push(...scan.problems);
  const collected = await runMailParser(scan.bytes, levelLimits, budget);
  if (collected.headerLines === null) {
    throw new UnparsableMailError('no header section could be read', { cause: collected.error });
  }

  const fields = headerFields(collected, limits, problems);
  const texts: MailText[] = [];
  if (fields.subject) texts.push({ source: 'subject', text: fields.subject });
  if (collected.error) {
    // mailparser stopped part-way (a limit the scan did not foresee): search the raw bytes so
    // that an inline PEM block is still found; decoded attachments collected so far are kept.
    problems.push(
      `MIME structure could not be fully parsed (${singleLine(collected.error.message, MAX_ERROR_CHARS)}): the raw message is searched as text`,
    );
    const end = Math.min(bytes.length, limits.maxTextChars);
    texts.push({ source: 'raw', text: bytes.toString('latin1', 0, end) });
  }
  texts.push(...(await bodyTexts(collected.text, limits, problems)));
  const attached = await attachmentContent(collected.attachments, limits, level, budget, problems);
  texts.push(...attached.texts);

  const { rootType, ...mailFields } = fields;
  const isDsn =
    (rootType.value === 'multipart/report' &&
      DSN_REPORT_TYPES.has((rootType.params['report-type'] ?? '').toLowerCase())) ||
    collected.attachments.some((a) => DELIVERY_STATUS_TYPES.has(a.contentType.toLowerCase()));

  return {
    ...mailFields,
    isDsn,
    content: { texts, parts: attached.parts },
    problems: capProblems(problems, limits.maxProblems),
  };
}

type MailText = { source: EvidenceSource; text: string };

type HeaderFields = Omit<ParsedMail, 'isDsn' | 'content' | 'problems'> & {
  readonly rootType: HeaderParams;
};

/** Everything ParsedMail takes from the top-level header section, each value one line. */
function headerFields(collected: Collected, limits: MailLimits, problems: string[]): HeaderFields {
  const first = new Map<string, string>();
  const fromLines: string[] = [];
  const dkimLines: string[] = [];
  for (const { key, line } of collected.headerLines ?? []) {
    if (key === 'from') fromLines.push(line);
    if (key === 'dkim-signature' && dkimLines.length < limits.maxMessageIds) dkimLines.push(line);
    if (!first.has(key)) first.set(key, line);
  }
  const fromCount = fromLines.length;
  const value = (key: string): string | null => {
    const line = first.get(key);
    return line === undefined ? null : rawHeaderValue(line);
  };
  const max = limits.maxHeaderValueChars;

  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const v = value(name);
    if (v !== null) headers[name] = singleLine(v, max);
  }

  let from: Address | null = null;
  let fromInvalid = false;
  let fromMailboxes = 0;
  const fromValue = value('from');
  if (fromValue !== null) {
    const parsed = parseAddresses(fromValue, max);
    from = parsed.valid ?? parsed.first ?? { address: '', name: '' };
    fromInvalid = parsed.valid === null;
    fromMailboxes = Math.max(parsed.count, 1);
    if (fromCount > 1) {
      problems.push(`${fromCount} From headers: the first one is used`);
      // A second From header is a second author claim, whatever it holds.
      fromMailboxes += fromCount - 1;
    }
  }
  const replyToValue = value('reply-to');

  // mailparser decodes RFC 2047 encoded words; it leaves an empty Subject out.
  const decodedSubject = collected.headers?.get('subject');
  let subject: string | null = null;
  if (typeof decodedSubject === 'string') subject = singleLine(decodedSubject, max);
  else if (first.has('subject')) subject = singleLine(value('subject') ?? '', max);

  const ids = (key: string): string[] => extractMessageIds(value(key) ?? '');
  return {
    messageIdHeader: ids('message-id')[0] ?? null,
    inReplyTo: ids('in-reply-to').slice(0, limits.maxMessageIds),
    // The last References are the nearest ancestors (RFC 5322 3.6.4), the ones worth keeping.
    references: ids('references').slice(-limits.maxMessageIds),
    subject,
    from,
    fromInvalid,
    fromMailboxes,
    dkimDomains: dkimSigningDomains(dkimLines.map(rawHeaderValue)),
    replyTo: replyToValue === null ? null : parseAddresses(replyToValue, max).valid,
    returnPath: returnPath(value('return-path'), max),
    headers,
    rootType: parseParams(value('content-type') ?? ''),
  };
}

/** The plain text parts as `body`, the HTML parts converted as `body:html`. */
async function bodyTexts(
  text: MessageText | null,
  limits: MailLimits,
  problems: string[],
): Promise<MailText[]> {
  const texts: MailText[] = [];
  if (text?.text?.trim()) {
    texts.push({ source: 'body', text: boundedText('body', text.text, limits, problems) });
  }
  if (text?.html?.trim()) {
    const converted = await htmlToText(text.html, limits, problems);
    if (converted.trim()) {
      const bounded = boundedText('HTML body', converted, limits, problems);
      texts.push({ source: 'body:html', text: bounded });
    }
  }
  return texts;
}

/**
 * Attachments as content parts; forwarded messages parsed again (depth- and budget-bounded)
 * with their texts and parts under the attachment's source, e.g. `attachment:fwd.eml/body`.
 */
async function attachmentContent(
  attachments: readonly CollectedAttachment[],
  limits: MailLimits,
  level: number,
  budget: Budget,
  problems: string[],
): Promise<{ texts: MailText[]; parts: ContentPart[] }> {
  const texts: MailText[] = [];
  const parts: ContentPart[] = [];
  let unnamed = 0;
  for (const attachment of attachments) {
    unnamed += attachment.filename ? 0 : 1;
    const source = `attachment:${attachment.filename ?? `part-${attachment.partId ?? unnamed}`}`;
    const cut = attachment.fullSize > attachment.content.length;
    if (attachment.error !== null) {
      problems.push(`${source}: could not be decoded (${attachment.error})`);
    }
    if (cut) {
      problems.push(
        `${source}: ${attachment.fullSize} bytes, more than ${limits.maxAttachmentBytes}: only the first ${attachment.content.length} kept`,
      );
    }
    const part: ContentPart = {
      source,
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: attachment.content,
    };
    const isMessage = MESSAGE_TYPES.has(attachment.contentType.toLowerCase());
    if (!isMessage || attachment.error !== null || cut) {
      parts.push(part);
      continue;
    }
    if (level + 1 > limits.maxNestedMessageDepth || budget.parts <= 0) {
      problems.push(
        budget.parts <= 0
          ? `${source}: MIME part limit (${limits.maxMimeParts}) reached: forwarded message kept unparsed`
          : `${source}: forwarded messages nested deeper than ${limits.maxNestedMessageDepth}: kept unparsed`,
      );
      parts.push(part);
      continue;
    }
    try {
      const nested = await parseLevel(attachment.content, limits, level + 1, budget);
      for (const t of nested.content.texts) {
        texts.push({ source: `${source}/${t.source}`, text: t.text });
      }
      for (const p of nested.content.parts) parts.push({ ...p, source: `${source}/${p.source}` });
      for (const p of nested.problems) problems.push(`${source}: ${p}`);
    } catch (error) {
      if (!(error instanceof UnparsableMailError)) throw error;
      problems.push(
        `${source}: forwarded message could not be parsed (${error.message}): kept as is`,
      );
      parts.push(part);
    }
  }
  return { texts, parts };
}

/** Why these bytes are not a message, or null when they start like one (see UnparsableMailError). */
function whyNotMail(bytes: Buffer, limits: MailLimits): string | null {
  let start = 0;
  while (start < bytes.length && isWhitespace(bytes[start] as number)) start++;
  if (start === bytes.length) {
    return bytes.length === 0 ? 'empty message' : 'message has only whitespace';
  }
  const firstLine = (from: number): string => {
    const nl = bytes.indexOf(0x0a, from);
    const end = Math.min(nl < 0 ? bytes.length : nl, from + limits.maxHeaderBytes);
    return bytes.toString('latin1', from, end);
  };
  let line = firstLine(0);
  // An mbox separator (`From sender date`) precedes the message in some saved files.
  if (line.startsWith('From ')) line = firstLine(line.length + 1);
  // field-name = 1*(%d33-57 / %d59-126), then ":" (WSP before the colon is obsolete syntax).
  if (!/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(line)) return 'first line is not a header field';
  return null;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** `<>` stays `<>` (null reverse-path, RFC 5321 4.5.5); anything else the bare address. */
function returnPath(value: string | null, maxChars: number): string | null {
  if (value === null) return null;
  const line = singleLine(value, maxChars);
  if (/^<\s*>$/.test(line)) return '<>';
  const inner = /<([^<>]*)>/.exec(line)?.[1] ?? line;
  const address = inner.trim().toLowerCase();
  return address || null;
}

function boundedText(what: string, text: string, limits: MailLimits, problems: string[]): string {
  if (text.includes('\ufffd')) {
    problems.push(`${what} contains bytes that could not be decoded in its charset`);
  }
  if (text.length <= limits.maxTextChars) return text;
  problems.push(
    `${what} has ${text.length} characters, more than ${limits.maxTextChars}: truncated`,
  );
  return text.slice(0, limits.maxTextChars);
}

function capProblems(problems: readonly string[], maxProblems: number): string[] {
  const unique = [...new Set(problems)];
  if (unique.length <= maxProblems) return unique;
  const kept = unique.slice(0, Math.max(0, maxProblems - 1));
  return [...kept, `${unique.length - kept.length} more problems not listed`];
}

function mailParserOptions(limits: MailLimits) {
  return {
    // Nested messages come back as attachments; parseLevel parses them itself, depth-bounded.
    ignoreEmbedded: true,
    // The delivery-status part of a DSN comes back as a part, which isDsn looks at.
    keepDeliveryStatus: true,
    // HTML is converted on its own (htmlToText) so that both plain and HTML bodies are searched.
    skipHtmlToText: true,
    // We never produce HTML: no text-to-HTML, no linkifying, no inlined images.
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
    checksumAlgo: false as const,
    maxHeadSize: limits.maxHeaderBytes + HEADER_SIZE_SLACK,
    maxChildNodes: limits.maxMimeParts,
    maxHtmlLengthToParse: limits.maxHtmlToTextChars,
  };
}

/** Streams `bytes` through mailparser, collecting attachments within the limits. */
function runMailParser(bytes: Buffer, limits: MailLimits, budget: Budget): Promise<Collected> {
  return new Promise((resolve) => {
    const collected: Collected = {
      headers: null,
      headerLines: null,
      attachments: [],
      text: null,
      error: null,
    };
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      collected.error = error;
      resolve(collected);
    };
    const parser = new MailParser(mailParserOptions(limits));
    parser.on('headers', (headers: Headers) => {
      collected.headers = headers;
    });
    parser.on('headerLines', (lines: HeaderLines) => {
      collected.headerLines = lines;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') collected.text = data;
      else readAttachment(data, limits, budget, collected.attachments);
    });
    parser.on('end', () => finish(null));
    parser.on('error', (error: unknown) => {
      finish(error instanceof Error ? error : new Error(String(error)));
      parser.destroy();
    });
    parser.end(bytes);
  });
}

function readAttachment(
  attachment: AttachmentStream,
  limits: MailLimits,
  budget: Budget,
  into: CollectedAttachment[],
): void {
  const keep = budget.attachments > 0;
  if (keep) budget.attachments -= 1;
  else budget.skipped += 1;
  const chunks: Buffer[] = [];
  let kept = 0;
  let size = 0;
  let done = false;
  const finish = (error: string | null): void => {
    if (done) return;
    done = true;
    if (keep) {
      const filename = attachment.filename
        ? singleLine(attachment.filename, MAX_FILENAME_CHARS) || null
        : null;
      into.push({
        filename,
        contentType: singleLine(attachment.contentType || 'application/octet-stream', 200),
        partId: attachment.partId,
        content: Buffer.concat(chunks, kept),
        fullSize: size,
        error,
      });
    }
    attachment.release?.();
  };
  attachment.content.on('data', (chunk: Buffer) => {
    size += chunk.length;
    // Past the limit the rest is read and dropped: the parser only moves on once it has ended.
    if (keep && kept < limits.maxAttachmentBytes) {
      const piece =
        chunk.length > limits.maxAttachmentBytes - kept
          ? chunk.subarray(0, limits.maxAttachmentBytes - kept)
          : chunk;
      chunks.push(piece);
      kept += piece.length;
    }
  });
  attachment.content.on('end', () => finish(null));
  attachment.content.on('error', (error: Error) =>
    finish(singleLine(error.message, MAX_ERROR_CHARS)),
  );
}

/**
 * HTML to text with mailparser's own converter (html-to-text, with its depth guard), by parsing
 * a one-part text/html message. Longer HTML is cut first; if conversion fails anyway, tags are
 * stripped instead (`stripHtml`).
 */
async function htmlToText(html: string, limits: MailLimits, problems: string[]): Promise<string> {
  let source = html;
  if (source.length > limits.maxHtmlToTextChars) {
    problems.push(
      `HTML body has ${source.length} characters, more than ${limits.maxHtmlToTextChars}: only the first part converted to text`,
    );
    source = source.slice(0, limits.maxHtmlToTextChars);
  }
  const message = Buffer.from(
    `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${source}`,
    'utf8',
  );
  const text = await new Promise<MessageText | null>((resolve) => {
    let result: MessageText | null = null;
    const parser = new MailParser({
      ...mailParserOptions(limits),
      skipHtmlToText: false,
      maxChildNodes: 1,
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') result = data;
      else {
        data.content.resume();
        data.content.on('end', () => data.release?.());
      }
    });
    parser.on('end', () => resolve(result));
    parser.on('error', () => {
      resolve(null);
      parser.destroy();
    });
    parser.end(message);
  });
  if (text?.text !== undefined && !text.textConversionError) return text.text;
  const reason = text?.textConversionError?.message ?? 'parser error';
  problems.push(
    `HTML body could not be converted to text (${singleLine(reason, MAX_ERROR_CHARS)}): tags stripped instead`,
  );
  return stripHtml(source);
}
