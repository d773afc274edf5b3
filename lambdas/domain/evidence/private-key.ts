/**
 * Private keys reduced to the SHA-256 of their public key and whether they prove possession.
 * The key material is only handed to node:crypto and zeroed afterwards; nothing derived from it
 * but the public key and the proof's outcome leaves here.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { EncryptedPrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { AsnConvert } from '@peculiar/asn1-schema';
import { KeyLimitError, MalformedEvidenceError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import { proveKey } from './key-proof.ts';
import { inspectKey, type KeyStructure } from './key-structure.ts';
import { readOpenSshKeys } from './openssh-key.ts';
import type { DerKeyFormat } from './types.ts';

export interface KeyFacts {
  /** SHA-256 of the SPKI the key claims; a key that fails its proof matches nothing by it. */
  readonly spkiSha256: string;
  readonly algorithm: string;
  /** The key signed a fresh challenge that verified under that SPKI (see key-proof.ts). */
  readonly proof: boolean;
  /** Why it does not prove possession; null when it does. */
  readonly proofFailure: string | null;
}

/** The PEM labels of unencrypted private keys we read, and their DER encoding. */
export const PRIVATE_KEY_LABELS: Readonly<Record<string, DerKeyFormat>> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

/**
 * Derives the public key of a DER private key and checks that the key proves possession of
 * it. Throws KeyLimitError for a key too large to load and MalformedEvidenceError for one that
 * is not a `format` key, both without the underlying message or input, so no key bytes can
 * reach a log through them.
 */
export function parsePrivateKey(der: Buffer, format: DerKeyFormat): KeyFacts {
  let structure: KeyStructure;
  try {
    structure = inspectKey(der, format);
  } catch (error) {
    if (error instanceof KeyLimitError) throw error;
    throw new MalformedEvidenceError(`not a ${format} private key`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: format });
  } catch {
    structure.ec?.scalar.fill(0);
    // The cause is dropped on purpose: OpenSSL errors are generic, and keeping the object
    // around risks someone logging it next to the input.
    throw new MalformedEvidenceError(`not a ${format} private key`);
  }
  return provenFacts(key, createPublicKey(key), structure);
}

/** The SPKI hash of `claimed` and whether `key` proves it; zeroes the scalar the proof read. */
function provenFacts(key: KeyObject, claimed: KeyObject, structure: KeyStructure): KeyFacts {
  try {
    const { proof, reason } = proveKey(key, claimed, structure);
    return {
      spkiSha256: sha256Hex(claimed.export({ type: 'spki', format: 'der' })),
      algorithm: key.asymmetricKeyType ?? 'unknown',
      proof,
      proofFailure: reason,
    };
  } finally {
    structure.ec?.scalar.fill(0);
  }
}

/**
 * The keys of an unencrypted OpenSSH private key file (its base64-decoded body), each reduced
 * to its SPKI hash and put through the same proof as every other key (the public key the file
 * states is the one claimed). Throws what `readOpenSshKeys` throws.
 */
export function parseOpenSshPrivateKeys(bytes: Uint8Array): KeyFacts[] {
  return readOpenSshKeys(bytes).map(({ key, claimed, structure }) =>
    provenFacts(key, claimed, structure),
  );
}

/**
 * Tries each DER private key encoding in turn, for key files without a PEM label. A key too
 * large to load in one encoding is too large in all: the KeyLimitError is passed on.
 */
export function sniffPrivateKey(
  der: Buffer,
): (KeyFacts & { readonly format: DerKeyFormat }) | null {
  for (const format of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      return { ...parsePrivateKey(der, format), format };
    } catch (error) {
      if (error instanceof KeyLimitError) throw error;
      // Try the next encoding.
    }
  }
  return null;
}

/** A DER EncryptedPrivateKeyInfo (RFC 5958 3): a key we cannot read without its passphrase. */
export function isEncryptedPkcs8(der: Uint8Array): boolean {
  try {
    const info = AsnConvert.parse(der, EncryptedPrivateKeyInfo);
    return info.encryptedData.byteLength > 0 && info.encryptionAlgorithm.algorithm.length > 0;
  } catch {
    return false;
  }
}
