/**
 * A linear-time PEM block scanner for text that went through mail clients: blocks may be
 * re-wrapped at any width, quoted with `> ` / `>> `, carry CRLF and stray whitespace, or arrive
 * with several blocks on one line after an HTML-to-text conversion.
 *
 * No regular expression runs over the whole text: markers are found with `indexOf` and each
 * block body is processed once, so a hostile 25 MB body costs one pass.
 */

export interface PemBlock {
  /** Upper-case label with single spaces, e.g. `CERTIFICATE`, `RSA PRIVATE KEY`. */
  readonly label: string;
  readonly der: Buffer;
  /** RFC 1421 `Proc-Type: 4,ENCRYPTED` header present (legacy OpenSSL key encryption). */
  readonly encrypted: boolean;
}

export interface PemScan {
  readonly blocks: PemBlock[];
  /** Blocks with a BEGIN marker that were unterminated, mismatched or not valid base64. */
  readonly malformed: number;
  /** True when `maxBlocks` stopped the scan. */
  readonly truncated: boolean;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';
const DASHES = '-----';
/** Longest label we accept (`NEW CERTIFICATE REQUEST` is 23); bounds the marker search. */
export const MAX_LABEL_LENGTH = 40;

const LABEL_RE = /^[A-Z0-9]+(?: [A-Z0-9]+)*$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
/** Quote markers and whitespace mail clients put in front of lines (`> `, `>> `, `| `). */
const LINE_PREFIX_RE = /^[\s>|]+/;
const WHITESPACE_RE = /\s+/g;
const LINE_SPLIT_RE = /\r\n|\n|\r/;

/** Reads the label after a marker at `at`; returns it and the index after the closing dashes. */
function readLabel(
  text: string,
  at: number,
): { readonly label: string; readonly after: number } | null {
  const close = text.indexOf(DASHES, at);
  if (close === -1 || close - at > MAX_LABEL_LENGTH) return null;
  const label = text.slice(at, close).trim().replace(WHITESPACE_RE, ' ');
  if (!LABEL_RE.test(label)) return null;
  return { label, after: close + DASHES.length };
}

/** Decodes one block body; null when it is not base64 after stripping quoting and whitespace. */
function decodeBody(body: string): { readonly der: Buffer; readonly encrypted: boolean } | null {
  let encrypted = false;
  const chunks: string[] = [];
  for (const rawLine of body.split(LINE_SPLIT_RE)) {
    const line = rawLine.replace(LINE_PREFIX_RE, '');
    if (line.length === 0) continue;
    // RFC 1421 headers (Proc-Type, DEK-Info) contain a colon, which base64 never does.
    if (line.includes(':')) {
      if (/^proc-type\s*:.*encrypted/i.test(line)) encrypted = true;
      continue;
    }
    chunks.push(line.replace(WHITESPACE_RE, ''));
  }
  const b64 = chunks.join('');
  if (b64.length === 0 || !BASE64_RE.test(b64)) return null;
  const der = Buffer.from(b64, 'base64');
  return der.length === 0 ? null : { der, encrypted };
}

/**
 * Finds every PEM block in `text`, in order, stopping after `maxBlocks` blocks. Never throws.
 * A BEGIN marker pairs with the next END marker; a BEGIN met before that END makes the first
 * block unterminated (counted as malformed), so the pairing stays a single forward pass.
 */
export function scanPem(text: string, maxBlocks: number): PemScan {
  const blocks: PemBlock[] = [];
  let malformed = 0;
  let begin = text.indexOf(BEGIN);
  // Cached next END marker position; only ever moves forward.
  let end = -2;
  while (begin !== -1) {
    if (blocks.length + malformed >= maxBlocks) return { blocks, malformed, truncated: true };
    const head = readLabel(text, begin + BEGIN.length);
    if (head === null) {
      begin = text.indexOf(BEGIN, begin + BEGIN.length);
      continue;
    }
    const nextBegin = text.indexOf(BEGIN, head.after);
    if (end !== -1 && end < head.after) end = text.indexOf(END, head.after);
    if (end === -1 || (nextBegin !== -1 && nextBegin < end)) {
      malformed++;
      begin = nextBegin;
      continue;
    }
    const tail = readLabel(text, end + END.length);
    if (tail === null || tail.label !== head.label) {
      malformed++;
      begin = nextBegin;
      continue;
    }
    const decoded = decodeBody(text.slice(head.after, end));
    if (decoded === null) malformed++;
    else blocks.push({ label: head.label, ...decoded });
    // The END marker is not a BEGIN, so the next BEGIN already lies past this block.
    begin = nextBegin;
  }
  return { blocks, malformed, truncated: false };
}
