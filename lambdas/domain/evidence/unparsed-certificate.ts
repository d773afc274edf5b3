/**
 * A certificate no parser accepts is still evidence: a CA certificate with an odd encoding is
 * exactly the kind of misissued one a reporter sends. OpenSSL (node:crypto) refuses a serial
 * INTEGER with illegal padding, an empty or a negative one, and invalid UTF-8 in a UTF8String
 * name; it accepts non-minimal lengths but re-encodes them, so the fingerprint it reports is not
 * that of the bytes sent (nor of the bytes the CA logged). What such a certificate still gives
 * is read here with the header-only DER walk of `der.ts`: the SHA-256 of the bytes as sent, its
 * serial, and why the parser may have refused it. Every walk visits a fixed number of headers.
 */
import { children, type DerHeader, readHeader } from './der.ts';
import { sha256Hex } from './hash.ts';
import { normaliseSerialHex } from './serial.ts';

/** Longer serials are no serial a CA's inventory holds (RFC 5280 allows 20 octets). */
export const MAX_UNPARSED_SERIAL_BYTES = 64;
/** RDNs read per name for the UTF-8 check; real names have under 10. */
const MAX_RDNS_CHECKED = 32;
/** Attributes read per RDN; multi-valued RDNs have two or three. */
const MAX_ATTRIBUTES_PER_RDN = 4;

const TAG = {
  sequence: 0x30,
  set: 0x31,
  integer: 0x02,
  bitString: 0x03,
  utf8String: 0x0c,
  version: 0xa0,
} as const;

/** Where the parts of a certificate lie, read without decoding any of them. */
export interface CertificateShape {
  /** The whole certificate (the outer SEQUENCE); bytes past it are not part of it. */
  readonly outer: DerHeader;
  readonly serial: DerHeader;
  readonly issuer: DerHeader;
  readonly subject: DerHeader;
}

function take(headers: Iterable<DerHeader>, n: number): DerHeader[] {
  const out: DerHeader[] = [];
  if (n <= 0) return out;
  for (const h of headers) {
    out.push(h);
    if (out.length >= n) break;
  }
  return out;
}

/**
 * The shape of an X.509 certificate (RFC 5280 4.1): a SEQUENCE of tbsCertificate (SEQUENCE),
 * signatureAlgorithm (SEQUENCE) and signature (BIT STRING), whose tbsCertificate starts with an
 * optional [0] version, an INTEGER serial and five SEQUENCEs (signature, issuer, validity,
 * subject, subjectPublicKeyInfo). A CSR, a CRL, a key or a PKCS#7/PKCS#12 file has another
 * shape. Long-form and non-minimal lengths are read; null for anything else. Never throws.
 */
export function certificateShape(der: Uint8Array): CertificateShape | null {
  try {
    const outer = readHeader(der, 0);
    if (outer.tag !== TAG.sequence) return null;
    const top = take(children(der, outer), 4);
    const [tbs, algorithm, signature] = top;
    if (top.length !== 3 || tbs?.tag !== TAG.sequence || algorithm?.tag !== TAG.sequence) {
      return null;
    }
    if (signature?.tag !== TAG.bitString) return null;
    const fields = take(children(der, tbs), 7);
    const at = fields[0]?.tag === TAG.version ? 1 : 0;
    const serial = fields[at];
    const rest = fields.slice(at + 1, at + 6);
    if (serial?.tag !== TAG.integer || rest.length !== 5) return null;
    if (rest.some((f) => f.tag !== TAG.sequence)) return null;
    const [, issuer, , subject] = rest;
    if (issuer === undefined || subject === undefined) return null;
    return { outer, serial, issuer, subject };
  } catch {
    return null;
  }
}

/** The serial as the inventory holds serials (lowercase hex, no leading zero bytes). */
export function shapeSerialCandidates(der: Uint8Array, shape: CertificateShape): string[] {
  const bytes = der.subarray(shape.serial.start, shape.serial.end);
  if (bytes.length === 0 || bytes.length > MAX_UNPARSED_SERIAL_BYTES) return [];
  const serial = normaliseSerialHex(Buffer.from(bytes).toString('hex'), MAX_UNPARSED_SERIAL_BYTES);
  return serial === null ? [] : [serial];
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** True when a UTF8String in the name is not valid UTF-8 (a bounded walk of its RDNs). */
function nameHasInvalidUtf8(der: Uint8Array, name: DerHeader): boolean {
  for (const rdn of take(children(der, name), MAX_RDNS_CHECKED)) {
    if (rdn.tag !== TAG.set) continue;
    for (const atv of take(children(der, rdn), MAX_ATTRIBUTES_PER_RDN)) {
      if (atv.tag !== TAG.sequence) continue;
      const value = take(children(der, atv), 2)[1];
      if (value?.tag !== TAG.utf8String) continue;
      try {
        UTF8.decode(der.subarray(value.start, value.end));
      } catch {
        return true;
      }
    }
  }
  return false;
}

/**
 * Why a parser refuses a certificate of this shape, as far as the walk can tell (X.690 8.3 for
 * INTEGERs, RFC 5280 4.1.2.2 for serials, 4.1.2.4 for names); a generic reason otherwise.
 */
export function refusalReason(der: Uint8Array, shape: CertificateShape): string {
  const serial = der.subarray(shape.serial.start, shape.serial.end);
  const [first, second] = serial;
  if (first === undefined) return 'the serial number INTEGER is empty (X.690 8.3.1)';
  if (
    second !== undefined &&
    ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80))
  ) {
    return 'the serial number INTEGER is not minimally encoded (X.690 8.3.2)';
  }
  if (first >= 0x80) return 'the serial number is negative (RFC 5280 4.1.2.2)';
  try {
    if (nameHasInvalidUtf8(der, shape.issuer)) {
      return 'invalid UTF-8 in a UTF8String of the issuer name (RFC 5280 4.1.2.4)';
    }
    if (nameHasInvalidUtf8(der, shape.subject)) {
      return 'invalid UTF-8 in a UTF8String of the subject name (RFC 5280 4.1.2.4)';
    }
  } catch {
    return 'a name is not valid DER (RFC 5280 4.1.2.4)';
  }
  return 'the X.509 parser (OpenSSL) refuses it';
}

/** What a certificate the parser could not take as sent still tells. */
export interface UnparsedCertificateFacts {
  /** SHA-256 of the certificate as sent: its outer SEQUENCE when shaped, else all the bytes. */
  readonly sha256: string;
  readonly error: string;
  readonly serialCandidates: readonly string[];
}

/**
 * The facts of bytes sent as a certificate that no parser accepted. With `requireShape`, bytes
 * not shaped like a certificate give null (a DER attachment of some other kind); without it
 * (a CERTIFICATE PEM block) they are recorded with the whole input's hash. Never throws.
 */
export function unparsedCertificate(
  der: Uint8Array,
  requireShape: boolean,
): UnparsedCertificateFacts | null {
  const shape = certificateShape(der);
  if (shape === null) {
    if (requireShape) return null;
    return {
      sha256: sha256Hex(der),
      error:
        'not shaped like a certificate (a SEQUENCE of tbsCertificate, algorithm and BIT STRING)',
      serialCandidates: [],
    };
  }
  return {
    sha256: sha256Hex(der.subarray(0, shape.outer.end)),
    error: refusalReason(der, shape),
    serialCandidates: shapeSerialCandidates(der, shape),
  };
}

/**
 * A certificate the parser read, whose bytes as sent have another fingerprint than the one it
 * reports: it re-encoded non-DER lengths. Null when the bytes are the certificate's DER.
 */
export function reencodedCertificate(
  der: Uint8Array,
  parsedSha256: string,
): UnparsedCertificateFacts | null {
  const shape = certificateShape(der);
  if (shape === null) return null;
  const sha256 = sha256Hex(der.subarray(0, shape.outer.end));
  if (sha256 === parsedSha256) return null;
  return {
    sha256,
    error: `not DER (non-minimal lengths): the parser re-encodes it, and reads it as certificate ${parsedSha256}`,
    serialCandidates: shapeSerialCandidates(der, shape),
  };
}
