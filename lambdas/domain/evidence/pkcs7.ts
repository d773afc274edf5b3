/**
 * PKCS#7 / CMS certs-only bundles (`.p7b`, `.p7c`, `BEGIN PKCS7`). The certificates are counted
 * and sliced out with a header-only DER walk before any of them is decoded, so a bundle of
 * 50,000 certificates costs a walk, not 50,000 decodes, when the certificate limit would keep
 * only a few of them (RFC 5652 5.1: ContentInfo { signedData, SignedData { version,
 * digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos } }).
 */
import { children, IndefiniteLengthError, readHeader } from './der.ts';
import { MalformedEvidenceError } from './errors.ts';
import { X509Certificates } from './peculiar.ts';

/** id-signedData (1.2.840.113549.1.7.2) as DER OBJECT IDENTIFIER contents. */
const SIGNED_DATA_OID = Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
const SEQUENCE = 0x30;
const OID = 0x06;
/** `[0]` constructed: the content of ContentInfo and the certificates of SignedData. */
const CONTEXT_0 = 0xa0;
/**
 * BER bundles (indefinite lengths, from some Windows tools) go to the full decoder, which reads
 * BER, only up to this size: it decodes every certificate before we could count them.
 */
export const MAX_BER_BUNDLE_BYTES = 1024 * 1024;

export interface Pkcs7Certificates {
  /** The DER of the first `max` certificates, views into the input. */
  readonly certificates: Uint8Array[];
  /** How many certificates the bundle holds in all. */
  readonly total: number;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function walk(der: Uint8Array, max: number): Pkcs7Certificates {
  const info = readHeader(der, 0);
  if (info.tag !== SEQUENCE) throw new MalformedEvidenceError('not a ContentInfo');
  const [type, content] = [...children(der, info)];
  if (type?.tag !== OID || !equalBytes(der.subarray(type.start, type.end), SIGNED_DATA_OID)) {
    throw new MalformedEvidenceError('not PKCS#7 signed data');
  }
  if (content?.tag !== CONTEXT_0) throw new MalformedEvidenceError('no signed data content');
  const signedData = readHeader(der, content.start, content.end);
  if (signedData.tag !== SEQUENCE) throw new MalformedEvidenceError('not a SignedData');
  const certificates: Uint8Array[] = [];
  let total = 0;
  for (const field of children(der, signedData)) {
    if (field.tag !== CONTEXT_0) continue;
    let at = field.start;
    while (at < field.end) {
      const choice = readHeader(der, at, field.end);
      // Only `certificate` (a SEQUENCE); attribute certificates and others are not evidence.
      if (choice.tag === SEQUENCE) {
        total++;
        if (certificates.length < max) certificates.push(der.subarray(at, choice.end));
      }
      at = choice.end;
    }
  }
  return { certificates, total };
}

/**
 * The certificates of a PKCS#7 SignedData, at most `max` of them decoded-ready, with the count of
 * all. Throws MalformedEvidenceError when `der` is not one.
 */
export function certificatesInPkcs7(der: Uint8Array, max: number): Pkcs7Certificates {
  try {
    return walk(der, max);
  } catch (error) {
    if (!(error instanceof IndefiniteLengthError) || der.length > MAX_BER_BUNDLE_BYTES) {
      throw error instanceof MalformedEvidenceError
        ? error
        : new MalformedEvidenceError('not a PKCS#7 certificate bundle', { cause: error });
    }
  }
  try {
    const certs = new X509Certificates();
    certs.import(der);
    const all = certs.map((c) => new Uint8Array(c.rawData));
    return { certificates: all.slice(0, max), total: all.length };
  } catch (cause) {
    throw new MalformedEvidenceError('not a PKCS#7 certificate bundle', { cause });
  }
}
