/**
 * Private keys reduced to the SHA-256 of their public key. The key material is only handed to
 * node:crypto and zeroed afterwards; nothing derived from it but the public key leaves here.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { MalformedEvidenceError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import type { KeyFormat } from './types.ts';

export interface KeyFacts {
  readonly spkiSha256: string;
  readonly algorithm: string;
}

/** The PEM labels of unencrypted private keys we read, and their DER encoding. */
export const PRIVATE_KEY_LABELS: Readonly<Record<string, KeyFormat>> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

/**
 * Derives the public key of a DER private key. Throws MalformedEvidenceError without the
 * underlying message or input, so no key bytes can reach a log through it.
 */
export function parsePrivateKey(der: Buffer, format: KeyFormat): KeyFacts {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: format });
  } catch {
    // The cause is dropped on purpose: OpenSSL errors are generic, and keeping the object
    // around risks someone logging it next to the input.
    throw new MalformedEvidenceError(`not a ${format} private key`);
  }
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return { spkiSha256: sha256Hex(spki), algorithm: key.asymmetricKeyType ?? 'unknown' };
}

/** Tries each DER private key encoding in turn, for key files without a PEM label. */
export function sniffPrivateKey(der: Buffer): (KeyFacts & { readonly format: KeyFormat }) | null {
  for (const format of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return { ...parsePrivateKey(der, format), format };
    } catch {
      // Try the next encoding.
    }
  }
  return null;
}
