/** PKCS#7 / CMS certs-only bundles (`.p7b`, `.p7c`, `BEGIN PKCS7`). */
import { MalformedEvidenceError } from './errors.ts';
import { X509Certificates } from './peculiar.ts';

/** The DER of each certificate in a PKCS#7 SignedData; throws when `der` is not one. */
export function certificatesInPkcs7(der: Uint8Array): Uint8Array[] {
  try {
    const certs = new X509Certificates();
    certs.import(der);
    return certs.map((c) => new Uint8Array(c.rawData));
  } catch (cause) {
    throw new MalformedEvidenceError('not a PKCS#7 certificate bundle', { cause });
  }
}
