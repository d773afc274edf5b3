/**
 * Proof of possession for a private key found in a report. A file that says "private key" is
 * not proof: a forger can put a real certificate's public key next to junk private parts (an
 * RSA modulus with random p, q, d; a real EC point with a random scalar), and a CA once revoked
 * on exactly that. A key counts only after it signs a fresh random challenge and the signature
 * verifies under the public key it claims (the proof Let's Encrypt's RevokeCertByKey asks for).
 * EC keys also have their public point derived from the scalar, never taken from the file; RSA
 * keys also have their integers checked against each other.
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import type { KeyStructure, RsaIntegers } from './key-structure.ts';
import { scalarOnlySec1 } from './key-structure.ts';

/** 32 random bytes: a challenge nobody could have signed in advance. */
export const CHALLENGE_BYTES = 32;

export interface KeyProof {
  /** True only when the key signed (or agreed on) a fresh challenge under its claimed key. */
  readonly proof: boolean;
  /** Why it does not prove possession; null when it does. */
  readonly reason: string | null;
}

const PROVEN: KeyProof = { proof: true, reason: null };
const fail = (reason: string): KeyProof => ({ proof: false, reason });

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** RFC 8017 3.2: n is the product of the primes, and d inverts e modulo lcm(p_i - 1). */
export function rsaConsistency(rsa: RsaIntegers): string | null {
  if (rsa.primes.some((p) => p < 2n)) return 'a prime factor is missing or zero';
  const product = rsa.primes.reduce((a, p) => a * p, 1n);
  if (product !== rsa.n) return 'the modulus is not the product of the key’s primes';
  let lambda = 1n;
  for (const p of rsa.primes) lambda = (lambda / gcd(lambda, p - 1n)) * (p - 1n);
  if ((rsa.d * rsa.e) % lambda !== 1n % lambda) {
    return 'the private exponent does not invert the public exponent';
  }
  return null;
}

function signsChallenge(key: KeyObject, claimed: KeyObject, digest: string | null): boolean {
  const challenge = randomBytes(CHALLENGE_BYTES);
  const signature = sign(digest, challenge, key);
  return verify(digest, challenge, claimed, signature);
}

/** The public point OpenSSL derives from the scalar alone, compared with the claimed key. */
function ecDerivedMatches(structure: KeyStructure, claimedSpki: Buffer): boolean {
  if (structure.ec === null) return true; // Not inspected (tiny key): signing still decides.
  const sec1 = scalarOnlySec1(structure.ec);
  try {
    const derived = createPublicKey(createPrivateKey({ key: sec1, format: 'der', type: 'sec1' }));
    return derived.export({ type: 'spki', format: 'der' }).equals(claimedSpki);
  } finally {
    sec1.fill(0);
  }
}

/** X25519/X448: agree on a secret with a fresh ephemeral key, in both directions. */
function agreesOnSecret(key: KeyObject, claimed: KeyObject, type: 'x25519' | 'x448'): boolean {
  const ephemeral = generateKeyPairSync(type as 'x25519');
  const ours = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: claimed });
  const theirs = diffieHellman({ privateKey: key, publicKey: ephemeral.publicKey });
  return ours.equals(theirs);
}

/**
 * Decides whether `key` proves possession of `claimed` (the public key OpenSSL reports for it,
 * whose SPKI is what certificates are matched on). Never throws: a failure is a reason.
 */
export function proveKey(key: KeyObject, claimed: KeyObject, structure: KeyStructure): KeyProof {
  const type = key.asymmetricKeyType ?? 'unknown';
  try {
    switch (type) {
      case 'rsa':
      case 'rsa-pss': {
        if (structure.rsa !== null) {
          const inconsistent = rsaConsistency(structure.rsa);
          if (inconsistent !== null) return fail(inconsistent);
        }
        // An RSA-PSS key may be restricted to one hash (RFC 4055 3.1); sign with that one.
        const digest = key.asymmetricKeyDetails?.hashAlgorithm ?? 'sha256';
        return signsChallenge(key, claimed, digest)
          ? PROVEN
          : fail('its signature does not verify under its public key');
      }
      case 'ec': {
        const spki = claimed.export({ type: 'spki', format: 'der' });
        if (!ecDerivedMatches(structure, spki)) {
          return fail('the public point in the file is not the one its private scalar gives');
        }
        return signsChallenge(key, claimed, 'sha256')
          ? PROVEN
          : fail('its signature does not verify under its public key');
      }
      case 'dsa':
        return signsChallenge(key, claimed, 'sha256')
          ? PROVEN
          : fail('its signature does not verify under its public key');
      case 'ed25519':
      case 'ed448':
        return signsChallenge(key, claimed, null)
          ? PROVEN
          : fail('its signature does not verify under its public key');
      case 'x25519':
      case 'x448':
        return agreesOnSecret(key, claimed, type)
          ? PROVEN
          : fail('it does not agree on a secret with its public key');
      default:
        return fail(`a ${type} key cannot be checked by signing, needs a manual check`);
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return fail(`it cannot sign a challenge (${name})`);
  }
}
