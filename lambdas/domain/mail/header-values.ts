/**
 * Small, bounded readers for header values (RFC 5322). Header values are attacker-controlled:
 * everything that leaves this module is a single line, so a decoded CR/LF (an encoded word
 * `=0D=0A` in a Subject, RFC 2047) can never be mistaken for a header of its own.
 */
import { parseAddressHeader } from 'mailparser';
import type { Address } from './types.ts';

/** C0/C1 controls, DEL and the Unicode line/paragraph separators: all become a space. */
const CONTROL_CHARS = /[\p{Cc}\u2028\u2029]+/gu;

/** One line, no controls, whitespace collapsed, at most `maxChars` characters. */
export function singleLine(value: string, maxChars: number): string {
  // Cut first (with room for collapsing) so a huge value costs no more than a small one.
  const head = value.length > maxChars * 4 ? value.slice(0, maxChars * 4) : value;
  const line = head.replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return line.length > maxChars ? line.slice(0, maxChars) : line;
}

/**
 * The value part of a raw header line as mailsplit stores it (`Name: value`, folding kept, bytes
 * as latin1), unfolded (RFC 5322 2.2.3) and read as UTF-8 (RFC 6532 allows raw UTF-8).
 */
export function rawHeaderValue(line: string): string {
  const colon = line.indexOf(':');
  const value = colon < 0 ? '' : line.slice(colon + 1);
  return Buffer.from(value.replace(/\r?\n(?=[ \t])/g, ''), 'latin1')
    .toString('utf8')
    .trim();
}

/** RFC 5322 3.6.4 msg-id without its angle brackets; no whitespace or controls inside. */
const MSG_ID = /<([^<>\s\p{Cc}]{1,998})>/gu;

/**
 * The Message-IDs in a Message-ID, In-Reply-To or References value, without angle brackets.
 * Values some clients write without brackets are accepted when they contain an `@`.
 */
export function extractMessageIds(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(MSG_ID)) {
    if (match[1] !== undefined) ids.push(match[1]);
  }
  if (ids.length > 0) return ids;
  for (const token of value.split(/[\s,]+/)) {
    const bare = token.replace(/^<|>$/g, '');
    if (bare.includes('@') && bare.length <= 998 && !/[<>\p{Cc}]/u.test(bare)) {
      ids.push(bare);
    }
  }
  return ids;
}

/** A structured MIME header value (Content-Type, RFC 2045 5.1): lowercased type and params. */
export interface HeaderParams {
  readonly value: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Minimal RFC 2045 parameter reader: `type/sub; a=b; c="d"`; comments are not supported. */
export function parseParams(value: string): HeaderParams {
  const semicolon = value.indexOf(';');
  const main = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  const params: Record<string, string> = Object.create(null);
  if (semicolon >= 0) {
    const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
    for (const m of value.slice(semicolon).matchAll(re)) {
      const name = m[1]?.toLowerCase();
      if (name !== undefined && !(name in params)) {
        params[name] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
      }
    }
  }
  return { value: main, params };
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uffff]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const QUOTED = '"(?:[^"\\\\\\p{Cc}]|\\\\.)*"';
const LABEL =
  '[A-Za-z0-9\\u0080-\\uffff](?:[A-Za-z0-9\\-\\u0080-\\uffff]{0,61}[A-Za-z0-9\\u0080-\\uffff])?';
const DOMAIN = `${LABEL}(?:\\.${LABEL})+`;
const LITERAL = '\\[[^\\[\\]\\\\\\s]{1,64}\\]';
const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED})@(?:${DOMAIN}|${LITERAL})$`, 'u');

/**
 * Is this an RFC 5322 3.4.1 addr-spec we could reply to? Dot-atom or quoted local part, and a
 * domain with at least two labels (or an address literal); UTF-8 allowed (RFC 6531/6532).
 */
export function isValidAddrSpec(address: string): boolean {
  return address.length <= 254 && ADDR_SPEC.test(address);
}

/**
 * The `d=` domains of DKIM-Signature header values (RFC 6376 3.5), lowercased; a value without
 * one is left out. Only the signing domains are read here: whether a signature verified is the
 * receiving MTA's verdict, not ours.
 */
export function dkimSigningDomains(values: readonly string[]): string[] {
  const domains: string[] = [];
  for (const value of values) {
    const tag = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(value);
    if (tag?.[1]) domains.push(tag[1].toLowerCase().replace(/\.$/, ''));
  }
  return domains;
}

/** The mailboxes of an address header, or none; the header is parsed the way mailparser does. */
export interface ParsedAddressHeader {
  /** The first mailbox with a valid address, lowercased. */
  readonly valid: Address | null;
  /** The first mailbox as written, for reporting an invalid header. */
  readonly first: Address | null;
  /** How many mailboxes the header holds (groups flattened). */
  readonly count: number;
}

export function parseAddresses(value: string, maxChars: number): ParsedAddressHeader {
  let mailboxes: { name: string; address?: string }[] = [];
  try {
    // decodePunycode false: the ASCII form of a domain is the one every MTA accepts for a reply.
    mailboxes = parseAddressHeader(value.slice(0, maxChars * 4), {
      flatten: true,
      decodePunycode: false,
    }).value;
  } catch {
    mailboxes = [];
  }
  let first: Address | null = null;
  for (const mailbox of mailboxes) {
    const address = singleLine(mailbox.address ?? '', maxChars);
    const name = singleLine(mailbox.name ?? '', maxChars);
    first ??= { address: address || singleLine(value, maxChars), name };
    if (address && isValidAddrSpec(address)) {
      return { valid: { address: address.toLowerCase(), name }, first, count: mailboxes.length };
    }
  }
  return {
    count: mailboxes.length,
    valid: null,
    first: first ?? (value.trim() ? { address: singleLine(value, maxChars), name: '' } : null),
  };
}
