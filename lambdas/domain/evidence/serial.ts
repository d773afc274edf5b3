/**
 * Serial number normal form: lowercase hex, whole bytes, no leading zero bytes (a DER INTEGER's
 * sign pad `00` is not part of the number reporters and crt.sh show).
 */

/** RFC 5280 4.1.2.2: conforming CAs never use serials longer than 20 octets. */
export const MAX_SERIAL_BYTES = 20;

const HEX_RE = /^[0-9a-f]+$/;

/**
 * Normalises `04:A3:..`, `0x04a3..`, `4a3` to `04a3`. Returns null for anything that is not hex
 * or is longer than `maxBytes` (certificates themselves may break the RFC, so they pass more).
 */
export function normaliseSerialHex(input: string, maxBytes = MAX_SERIAL_BYTES): string | null {
  let hex = input.trim().toLowerCase().replaceAll(':', '');
  if (hex.startsWith('0x')) hex = hex.slice(2);
  if (hex.length === 0 || !HEX_RE.test(hex)) return null;
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let start = 0;
  while (start < hex.length - 2 && hex.startsWith('00', start)) start += 2;
  hex = hex.slice(start);
  return hex.length > maxBytes * 2 ? null : hex;
}

/** Converts a decimal serial (`1234`) to the hex normal form; null when not a decimal number. */
export function decimalSerialToHex(input: string): string | null {
  const dec = input.trim();
  // 20 bytes are at most 49 decimal digits; the cap also bounds BigInt parsing work.
  if (!/^\d{1,49}$/.test(dec)) return null;
  return normaliseSerialHex(BigInt(dec).toString(16));
}

/**
 * A serial number as a reporter wrote it, read the ways it can be read. A digit-only string
 * without a stated base may be decimal (as some CA portals and Java tools print serials) or hex
 * (as openssl and crt.sh do): it is a candidate both ways, and the inventory decides.
 */
export type SerialCandidate =
  | { readonly kind: 'hex'; readonly hex: string }
  | {
      readonly kind: 'ambiguous';
      /** The digits as written. */
      readonly text: string;
      readonly asHex: string;
      readonly asDecimal: string;
    };

/** The base a label states: `serial (hex):`, `decimal serial`, or nothing. */
export type SerialBase = 'hex' | 'decimal' | 'unstated';

const HEX_BYTES_SEPARATED = /^[0-9a-f]{1,2}(?:([:-])[0-9a-f]{1,2})(?:\1[0-9a-f]{1,2})*$/i;
const DIGITS = /^\d+$/;
const HEX_WITH_DIGIT = /^(?=[0-9a-f]*\d)[0-9a-f]+$/i;

/**
 * Reads one value token as a serial: `0x` prefix and bytes separated by colons or dashes are hex;
 * digits alone are ambiguous unless the base is stated; a bare hex word must contain a digit
 * (so `added` or `decade` are never serials). Null when the token is not a serial.
 */
export function serialCandidate(
  token: string,
  base: SerialBase = 'unstated',
): SerialCandidate | null {
  const t = token.trim();
  if (t.length === 0) return null;
  const hex = (value: string | null): SerialCandidate | null =>
    value === null ? null : { kind: 'hex', hex: value };
  if (base === 'decimal') return DIGITS.test(t) ? hex(decimalSerialToHex(t)) : null;
  if (/^0x[0-9a-f]+$/i.test(t)) return hex(normaliseSerialHex(t));
  if (HEX_BYTES_SEPARATED.test(t)) return hex(normaliseSerialHex(t.replaceAll('-', ':')));
  if (DIGITS.test(t) && base === 'unstated') {
    const asHex = normaliseSerialHex(t);
    const asDecimal = decimalSerialToHex(t);
    if (asHex === null) return hex(asDecimal);
    if (asDecimal === null || asDecimal === asHex) return hex(asHex);
    return { kind: 'ambiguous', text: t, asHex, asDecimal };
  }
  if (HEX_WITH_DIGIT.test(t)) return hex(normaliseSerialHex(t));
  return null;
}
