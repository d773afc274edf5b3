/**
 * One bounded, linear pass over the MIME structure (RFC 2045/2046) before mailparser sees the
 * message. It follows the same splitting rules as mailsplit (the splitter inside mailparser):
 * a delimiter line of any open ancestor multipart starts a part or closes that multipart, and a
 * blank line ends a header block. It exists for what mailparser does not offer:
 *
 * - depth and part limits that *cut* the message instead of failing it: mailsplit aborts the
 *   whole parse past `maxChildNodes`, and its cost grows quadratically with depth (990 levels:
 *   0.4 s, a few thousand overflow the stack). We hand mailparser the bytes before the cut;
 * - a root header block larger than the limit has its excess lines dropped (mailsplit would
 *   fail the message);
 * - problems worth telling a person: a base64 body whose length is not a multiple of 4
 *   (truncated), a multipart with no closing delimiter (the message was cut), an unknown charset.
 */

import { parseParams, singleLine } from './header-values.ts';
import type { MailLimits } from './limits.ts';

/** mailsplit counts every header line as at least this many bytes against its header limit. */
const HEADER_LINE_MIN_COST = 64;

/** Labels iconv-lite (mailparser's decoder) knows that the WHATWG Encoding Standard does not. */
// biome-ignore format: a long list of names, packed to read as one block
const EXTRA_CHARSETS = new Set([
  'cp932', 'cp936', 'cp949', 'cp950', 'ms932', 'ms936', 'ucs2', 'ucs-2',
]);

/** Longest delimiter line worth comparing: RFC 2046 boundaries are at most 70 characters. */
const MAX_DELIMITER_LINE = 2048;

export interface MimeScan {
  /** The bytes to parse: the input, or a prefix of it, possibly without excess header lines. */
  readonly bytes: Buffer;
  readonly problems: readonly string[];
  /** MIME nodes seen (the root included) before any cut. */
  readonly parts: number;
  readonly maxDepth: number;
}

interface ScanNode {
  readonly parent: ScanNode | null;
  readonly depth: number;
  readonly label: string;
  /** Offset of the delimiter line that opened this part (0 for the root). */
  readonly start: number;
  children: number;
  boundary: Buffer | null;
  contentType: string;
  closed: boolean;
  epilogue: boolean;
  base64: boolean;
  base64Chars: number;
}

function newNode(parent: ScanNode | null, start: number): ScanNode {
  let label = 'message';
  if (parent) {
    parent.children += 1;
    label = parent.parent ? `${parent.label}.${parent.children}` : `part ${parent.children}`;
  }
  return {
    parent,
    depth: parent ? parent.depth + 1 : 0,
    label,
    start,
    children: 0,
    boundary: null,
    contentType: 'text/plain',
    closed: false,
    epilogue: false,
    base64: false,
    base64Chars: 0,
  };
}

/** 1: delimiter, 2: close delimiter, 0: no match (mailsplit's compareBoundary). */
function compareBoundary(raw: Buffer, start: number, end: number, boundary: Buffer): 0 | 1 | 2 {
  const len = end - start;
  if (len < boundary.length + 2) return 0;
  for (let i = 0; i < boundary.length; i++) {
    if (raw[start + 2 + i] !== boundary[i]) return 0;
  }
  let i = start + 2 + boundary.length;
  let result: 1 | 2 = 1;
  if (raw[i] === 0x2d && raw[i + 1] === 0x2d) {
    result = 2;
    i += 2;
  }
  while (i < end && (raw[i] === 0x20 || raw[i] === 0x09)) i++;
  if (i === end) return result === 2 ? 2 : 0;
  while (i < end && raw[i] === 0x0d) i++;
  if (i < end && raw[i] === 0x0a) i++;
  return i === end ? result : 0;
}

function isKnownCharset(label: string): boolean {
  if (EXTRA_CHARSETS.has(label.toLowerCase())) return true;
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** 1 for the characters a base64 decoder keeps (A-Z a-z 0-9 + / =), 0 for what it skips. */
const BASE64_CHAR = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=') {
  BASE64_CHAR[c.charCodeAt(0)] = 1;
}

function countBase64(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n += BASE64_CHAR[raw[i] as number] as number;
  return n;
}

/** Reads the header fields the scan needs: first Content-Type, Content-Transfer-Encoding. */
function applyHeaders(node: ScanNode, block: string, problems: string[]): void {
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  let contentType: string | null = null;
  let encoding: string | null = null;
  let disposition: string | null = null;
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1);
    if (name === 'content-type') contentType ??= value;
    else if (name === 'content-transfer-encoding') encoding ??= value;
    else if (name === 'content-disposition') disposition ??= value;
  }
  const type = contentType === null ? null : parseParams(contentType);
  node.contentType = type?.value || 'text/plain';
  const boundary = (type?.params.boundary ?? '').trimEnd();
  // A non-ASCII boundary counts as none, as in mailsplit.
  node.boundary =
    boundary && Buffer.byteLength(boundary) === boundary.length
      ? Buffer.from(boundary, 'latin1')
      : null;
  node.base64 = (encoding ?? '').trim().toLowerCase() === 'base64';
  const isAttachment = parseParams(disposition ?? '').value === 'attachment';
  const charset = type?.params.charset?.trim();
  if (
    charset &&
    !isAttachment &&
    node.contentType.startsWith('text/') &&
    !isKnownCharset(charset)
  ) {
    problems.push(`${node.label}: unknown charset "${singleLine(charset, 40)}", decoded as UTF-8`);
  }
}

function finishLeaf(node: ScanNode, problems: string[]): void {
  if (node.base64 && node.base64Chars % 4 !== 0) {
    problems.push(
      `${node.label} (${node.contentType}): base64 body is truncated or corrupt (${node.base64Chars} characters, not a multiple of 4)`,
    );
  }
}

/**
 * Scans `raw` once, line by line. Work is linear in its length times the depth limit (only lines
 * starting with `--` are compared against the open boundaries).
 */
export function scanMime(raw: Buffer, limits: MailLimits): MimeScan {
  const problems: string[] = [];
  let node = newNode(null, 0);
  let inHead = true;
  let headerCost = 0;
  let headerBlock = '';
  let headerOverflowAt = -1;
  let cut = raw.length;
  let splice: { from: number; to: number } | null = null;
  let parts = 1;
  let maxDepth = 0;
  let pos = 0;

  while (pos < raw.length) {
    const nl = raw.indexOf(0x0a, pos);
    const end = nl < 0 ? raw.length : nl + 1;
    const len = end - pos;

    if (len >= 3 && len <= MAX_DELIMITER_LINE && raw[pos] === 0x2d && raw[pos + 1] === 0x2d) {
      let owner: ScanNode | null = null;
      let kind: 0 | 1 | 2 = 0;
      if (node.boundary && !node.epilogue) {
        kind = compareBoundary(raw, pos, end, node.boundary);
        if (kind === 1) owner = node;
        // A close delimiter in a multipart's preamble is ignored, as mailsplit does.
        if (kind === 2) kind = 0;
      }
      if (kind === 0) {
        for (let up = node.parent; up; up = up.parent) {
          if (up.boundary) {
            kind = compareBoundary(raw, pos, end, up.boundary);
            if (kind !== 0) {
              owner = up;
              break;
            }
          }
        }
      }
      if (owner && kind !== 0) {
        if (inHead) applyHeaders(node, headerBlock, problems);
        else finishLeaf(node, problems);
        if (kind === 2) {
          owner.closed = true;
          owner.epilogue = true;
          node = owner;
          inHead = false;
        } else {
          const child = newNode(owner, pos);
          parts += 1;
          if (child.depth > limits.maxMimeDepth || parts > limits.maxMimeParts) {
            problems.push(
              child.depth > limits.maxMimeDepth
                ? `MIME structure nested deeper than ${limits.maxMimeDepth} levels: parts below were not parsed`
                : `MIME part limit (${limits.maxMimeParts}) reached: later parts were not parsed`,
            );
            cut = pos;
            break;
          }
          maxDepth = Math.max(maxDepth, child.depth);
          node = child;
          inHead = true;
          headerCost = 0;
          headerBlock = '';
        }
        pos = end;
        continue;
      }
    }

    if (inHead) {
      const blank =
        (len === 1 && raw[pos] === 0x0a) ||
        (len === 2 && raw[pos] === 0x0d && raw[pos + 1] === 0x0a);
      if (blank) {
        if (headerOverflowAt >= 0) {
          splice = { from: headerOverflowAt, to: pos };
          headerOverflowAt = -1;
        }
        applyHeaders(node, headerBlock, problems);
        inHead = false;
      } else if (headerOverflowAt < 0) {
        headerCost += Math.max(len, HEADER_LINE_MIN_COST);
        if (headerCost > limits.maxHeaderBytes) {
          if (node.parent === null) {
            // Keep the root's first header lines and drop the rest of the block (spliced out
            // below): the body stays reachable and the first headers are the MTA's and SES's.
            problems.push(
              `header section larger than ${limits.maxHeaderBytes} bytes: excess header lines dropped`,
            );
            headerOverflowAt = pos;
          } else {
            problems.push(
              `${node.label}: header block larger than ${limits.maxHeaderBytes} bytes: parsed up to it`,
            );
            cut = node.start;
            break;
          }
        } else {
          headerBlock += raw.toString('latin1', pos, end);
        }
      }
    } else if (node.base64 && !node.boundary) {
      node.base64Chars += countBase64(raw, pos, end);
    }
    pos = end;
  }

  if (cut === raw.length) {
    if (inHead) {
      if (headerOverflowAt >= 0) splice = { from: headerOverflowAt, to: raw.length };
      applyHeaders(node, headerBlock, problems);
    } else {
      finishLeaf(node, problems);
    }
    const unclosed: string[] = [];
    for (let up: ScanNode | null = node; up; up = up.parent) {
      if (up.boundary && up.contentType.startsWith('multipart/') && !up.closed)
        unclosed.push(up.label);
    }
    if (unclosed.length > 0) {
      problems.push(
        `message ends inside ${unclosed.length} multipart(s) with no closing boundary (${unclosed.slice(0, 3).join(', ')}): it may be truncated`,
      );
    }
  }

  let bytes = cut === raw.length ? raw : raw.subarray(0, cut);
  if (splice && splice.from < bytes.length) {
    bytes = Buffer.concat([
      bytes.subarray(0, splice.from),
      bytes.subarray(Math.min(splice.to, bytes.length)),
    ]);
  }
  return { bytes, problems, parts, maxDepth };
}
