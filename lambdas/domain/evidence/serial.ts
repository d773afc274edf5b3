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
