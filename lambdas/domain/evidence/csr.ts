/**
 * Certificate signing requests as proof of key possession. A CSR is signed by its own key, so
 * a verifying signature shows the sender held the private key (draft-mpalmer-key-compromise-
 * attestation builds its proof on exactly this).
 */
import { MalformedEvidenceError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import { Pkcs10CertificateRequest } from './peculiar.ts';

/** Subjects that state the CSR exists to attest a compromise, not to request a certificate. */
export const ATTESTATION_SUBJECT_RE =
  /proof of key compromise|key compromise attestation|compromised/i;

export interface CsrFacts {
  /** SHA-256 of the CSR DER, used only to deduplicate. */
  readonly sha256: string;
  readonly spkiSha256: string;
  readonly subject: string;
  readonly signatureValid: boolean;
  readonly attestation: boolean;
  /** Why the signature could not be checked at all (unsupported algorithm), else null. */
  readonly verifyProblem: string | null;
}

/** Parses and verifies a DER CSR; throws MalformedEvidenceError when it is not a CSR. */
export async function parseCsr(der: Uint8Array): Promise<CsrFacts> {
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(der);
  } catch (cause) {
    throw new MalformedEvidenceError('not a PKCS#10 certificate request', { cause });
  }
  let signatureValid = false;
  let verifyProblem: string | null = null;
  try {
    signatureValid = await csr.verify();
  } catch (cause) {
    verifyProblem = cause instanceof Error ? cause.name : 'Error';
  }
  const subject = csr.subject;
  return {
    sha256: sha256Hex(der),
    spkiSha256: sha256Hex(new Uint8Array(csr.publicKey.rawData)),
    subject,
    signatureValid,
    attestation: ATTESTATION_SUBJECT_RE.test(subject),
    verifyProblem,
  };
}
