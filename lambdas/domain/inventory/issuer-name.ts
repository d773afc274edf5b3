/**
 * Issuer names compared as names, not as strings. The inventory gives an RFC 4514 string
 * (`CN=Example Issuing CA,O=Example,C=US`); a certificate read with node:crypto gives OpenSSL's
 * RFC 2253-escaped attributes in certificate order (`C=US, O=Example, CN=Example Issuing CA`).
 * Both reduce to one key: attribute types by name, values case-folded with whitespace collapsed
 * (the caseIgnoreMatch of RFC 4517/4518, as OpenSSL's canonical name encoding does), RDNs sorted.
 *
 * The order of RDNs is ignored on purpose: exports disagree on it (RFC 4514 writes the last RDN
 * first, OpenSSL and many CA databases the first), and two real issuers of one CA never differ
 * by order alone. Matching a certificate still needs its serial, its key and, where the issuer
 * certificates are configured, a signature that verifies.
 */
import { sha256Hex } from '../evidence/hash.ts';

/** Stands for "issuer not known" in the index key, which DynamoDB does not allow to be empty. */
export const UNKNOWN_ISSUER_KEY = '-';

/** An RFC 4514 string longer than this is not a real issuer name; it bounds parsing work. */
export const MAX_ISSUER_DN_CHARS = 4_096;

export class IssuerNameError extends Error {
  override readonly name = 'IssuerNameError';
}

/** Dotted OIDs and aliases to the short names OpenSSL prints (RFC 4514 3 and its registry). */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'cn',
  commonname: 'cn',
  '2.5.4.6': 'c',
  countryname: 'c',
  '2.5.4.7': 'l',
  localityname: 'l',
  '2.5.4.8': 'st',
  s: 'st',
  stateorprovincename: 'st',
  '2.5.4.9': 'street',
  streetaddress: 'street',
  '2.5.4.10': 'o',
  organizationname: 'o',
  '2.5.4.11': 'ou',
  organizationalunitname: 'ou',
  '2.5.4.5': 'serialnumber',
  '2.5.4.97': 'organizationidentifier',
  '0.9.2342.19200300.100.1.25': 'dc',
  domaincomponent: 'dc',
  '0.9.2342.19200300.100.1.1': 'uid',
  userid: 'uid',
  '1.2.840.113549.1.9.1': 'emailaddress',
  email: 'emailaddress',
  e: 'emailaddress',
};

/** Splits `text` at each `sep` not escaped by a backslash. */
function splitUnescaped(text: string, sep: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\') i += 1;
    else if (ch === sep) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

/** Undoes RFC 4514 escapes: `\,` and the like, and `\c3\a9` hex pairs (UTF-8 bytes). */
function unescapeValue(value: string): string {
  if (!value.includes('\\')) return value;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      const pair = value.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        bytes.push(Number.parseInt(pair, 16));
        i += 2;
      } else {
        bytes.push(...encoder.encode(value[i + 1]));
        i += 1;
      }
    } else {
      bytes.push(...encoder.encode(ch));
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function normaliseValue(raw: string): string {
  const trimmed = raw.trim();
  // `#04..`: the BER encoding in hex (RFC 4514 2.4); compared as given, case-folded.
  if (/^#[0-9a-fA-F]*$/.test(trimmed)) return trimmed.toLowerCase();
  return unescapeValue(trimmed).normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The canonical form of a distinguished name, or throws IssuerNameError when the text is not
 * one (an attribute without `=`, an empty type).
 */
export function canonicalName(dn: string): string {
  if (dn.length > MAX_ISSUER_DN_CHARS) {
    throw new IssuerNameError(`longer than ${MAX_ISSUER_DN_CHARS} characters`);
  }
  const rdns = splitUnescaped(dn.trim(), ',')
    .map((rdn) => rdn.trim())
    .filter((rdn) => rdn !== '');
  if (rdns.length === 0) throw new IssuerNameError('empty');
  return rdns
    .map((rdn) =>
      splitUnescaped(rdn, '+')
        .map((ava) => {
          const eq = ava.indexOf('=');
          const type = ava.slice(0, eq).trim().toLowerCase();
          if (eq <= 0 || !/^([a-z][a-z0-9-]*|\d+(\.\d+)+)$/.test(type)) {
            throw new IssuerNameError(`"${ava.trim().slice(0, 40)}" is not TYPE=value`);
          }
          return `${TYPE_NAMES[type] ?? type}=${normaliseValue(ava.slice(eq + 1))}`;
        })
        .sort()
        .join('+'),
    )
    .sort()
    .join(',');
}

/** The inventory's issuer key: SHA-256 of the canonical name, short enough for any index. */
export function issuerKeyOf(dn: string | null | undefined): string {
  if (dn === null || dn === undefined || dn.trim() === '') return UNKNOWN_ISSUER_KEY;
  return sha256Hex(new TextEncoder().encode(canonicalName(dn)));
}

/** The issuer key, or UNKNOWN_ISSUER_KEY when the name cannot be read. */
export function safeIssuerKeyOf(dn: string | null | undefined): string {
  try {
    return issuerKeyOf(dn);
  } catch {
    return UNKNOWN_ISSUER_KEY;
  }
}

/**
 * RFC 4514 text (last RDN first, `,` between RDNs) of an issuer as certificate evidence carries
 * it: OpenSSL's RFC 2253-escaped RDNs in certificate order, joined with `, `.
 */
export function rfc4514FromCertificateName(name: string): string {
  return splitUnescaped(name, ',')
    .map((rdn) => rdn.trim())
    .filter((rdn) => rdn !== '')
    .reverse()
    .join(',');
}
