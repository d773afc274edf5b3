/**
 * Signature checks of OCSP responses and CRLs with node:crypto. The algorithm comes from the
 * signed structure's AlgorithmIdentifier; anything not listed is refused rather than guessed.
 */
import { type KeyObject, verify } from 'node:crypto';

/** Signature algorithm OID to node's digest name (null: the key type fixes it, Ed25519/Ed448). */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption (old responders still sign with it)
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519
  '1.3.101.113': null, // Ed448
};

export class UnsupportedSignatureAlgorithmError extends Error {
  override readonly name = 'UnsupportedSignatureAlgorithmError';
}

/** True when `signature` over `data` verifies with `key` under the named algorithm. */
export function signatureValid(
  algorithmOid: string,
  data: ArrayBuffer | Uint8Array,
  signature: ArrayBuffer | Uint8Array,
  key: KeyObject,
): boolean {
  if (!(algorithmOid in SIGNATURE_ALGORITHMS)) {
    throw new UnsupportedSignatureAlgorithmError(`signature algorithm ${algorithmOid}`);
  }
  try {
    return verify(
      SIGNATURE_ALGORITHMS[algorithmOid] ?? null,
      new Uint8Array(data),
      key,
      new Uint8Array(signature),
    );
  } catch {
    return false;
  }
}
