/**
 * A look at a private key's ASN.1 before OpenSSL touches it. OpenSSL does arithmetic while it
 * loads a key (a DSA or DH PKCS#8 key gets its public value computed, g^x mod p), so a key with a
 * huge modulus costs seconds before any later check can run. Sizes are therefore capped here,
 * on the encoded integers, before any arithmetic; and what the proof of possession needs
 * (RSA's integers, the EC scalar and curve) is read here once.
 *
 * Nothing in here logs or keeps the bytes it reads; callers zero the input afterwards.
 */
import { ECParameters, ECPrivateKey } from '@peculiar/asn1-ecc';
import { PrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { RSAPrivateKey } from '@peculiar/asn1-rsa';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as asn1js from 'asn1js';
import { KeyLimitError, MalformedEvidenceError } from './errors.ts';
import type { DerKeyFormat } from './types.ts';

/** OpenSSL's own ceiling (OPENSSL_RSA_MAX_MODULUS_BITS); no CA issues for larger keys. */
export const MAX_RSA_MODULUS_BITS = 16_384;
/**
 * DSA stops at 3072 bits (FIPS 186-4) and DH keys in the field at 4096. Loading costs one
 * g^x mod p: about 0.1 s at 4096 bits here, 0.75 s at 8192 and 5.6 s at 16,384.
 */
export const MAX_FINITE_FIELD_PRIME_BITS = 4096;
/**
 * A key whose ASN.1 our reader refuses but OpenSSL may accept (BER quirks) is handed over only
 * when it is this small: no integer in it can then be large enough to cost real time.
 */
export const MAX_UNINSPECTED_KEY_BYTES = 2560;

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  dsa: '1.2.840.10040.4.1',
  dhKeyAgreement: '1.2.840.113549.1.3.1',
  dhPublicNumber: '1.2.840.10046.2.1',
} as const;

export interface RsaIntegers {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  /** p, q and any further primes of a multi-prime key (RFC 8017 A.1.2). */
  readonly primes: readonly bigint[];
}

export interface EcScalar {
  /** The private scalar, big-endian; callers zero it when done. */
  readonly scalar: Uint8Array;
  /** The named curve's OID, from the key or from the PKCS#8 algorithm parameters. */
  readonly curveOid: string;
}

export interface KeyStructure {
  /** PKCS#8 algorithm OID, or the implied one for PKCS#1 and SEC1; null when not inspected. */
  readonly algorithmOid: string | null;
  readonly rsa: RsaIntegers | null;
  readonly ec: EcScalar | null;
}

const UNINSPECTED: KeyStructure = { algorithmOid: null, rsa: null, ec: null };

/** Bits of a big-endian unsigned integer, ignoring sign padding. */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] ?? 0));
}

function toBigInt(buf: ArrayBuffer): bigint {
  const hex = Buffer.from(buf).toString('hex');
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
}

function readRsa(der: ArrayBuffer | Uint8Array): RsaIntegers {
  const key = AsnConvert.parse(der, RSAPrivateKey);
  const capBytes = MAX_RSA_MODULUS_BITS / 8 + 1;
  const bits = bitLength(new Uint8Array(key.modulus));
  if (bits > MAX_RSA_MODULUS_BITS) {
    throw new KeyLimitError(`RSA modulus of ${bits} bits is above ${MAX_RSA_MODULUS_BITS}`);
  }
  const others = key.otherPrimeInfos ?? [];
  const fields = [
    key.publicExponent,
    key.privateExponent,
    key.prime1,
    key.prime2,
    key.exponent1,
    key.exponent2,
    key.coefficient,
    ...others.flatMap((o) => [o.prime, o.exponent, o.coefficient]),
  ];
  if (fields.some((f) => f.byteLength > capBytes) || others.length > 16) {
    throw new KeyLimitError('RSA key has an integer larger than its modulus allows');
  }
  return {
    n: toBigInt(key.modulus),
    e: toBigInt(key.publicExponent),
    d: toBigInt(key.privateExponent),
    primes: [key.prime1, key.prime2, ...others.map((o) => o.prime)].map(toBigInt),
  };
}

function namedCurve(params: ECParameters | undefined): string | null {
  return params?.namedCurve ?? null;
}

function readEc(der: ArrayBuffer | Uint8Array, outerCurve: string | null): EcScalar {
  const key = AsnConvert.parse(der, ECPrivateKey);
  if (key.parameters !== undefined && key.parameters.namedCurve === undefined) {
    // Explicit curve parameters put field arithmetic of the sender's choosing in OpenSSL.
    throw new KeyLimitError('EC key with explicit curve parameters (only named curves are read)');
  }
  const curveOid = namedCurve(key.parameters) ?? outerCurve;
  if (curveOid === null) throw new MalformedEvidenceError('EC key without a named curve');
  const scalar = new Uint8Array(key.privateKey.buffer);
  // P-521's scalar is the largest of any named curve OpenSSL knows (66 bytes).
  if (scalar.length > 72) throw new KeyLimitError('EC private scalar is larger than any curve');
  return { scalar, curveOid };
}

/** The INTEGER lengths of a DER SEQUENCE of INTEGERs (DSA and DH domain parameters). */
function integerBits(der: ArrayBuffer): number[] {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) {
    throw new MalformedEvidenceError('domain parameters are not a SEQUENCE');
  }
  return parsed.result.valueBlock.value.map((v) =>
    v instanceof asn1js.Integer ? bitLength(v.valueBlock.valueHexView) : 0,
  );
}

function checkFiniteField(info: PrivateKeyInfo): void {
  const params = info.privateKeyAlgorithm.parameters;
  if (params === undefined || params === null) {
    throw new MalformedEvidenceError('DSA/DH key without domain parameters');
  }
  const sizes = integerBits(params);
  const largest = Math.max(0, ...sizes);
  if (largest > MAX_FINITE_FIELD_PRIME_BITS) {
    throw new KeyLimitError(
      `DSA/DH domain parameter of ${largest} bits is above ${MAX_FINITE_FIELD_PRIME_BITS}`,
    );
  }
  // The private value is an INTEGER inside the OCTET STRING; it is below p (or q) when honest.
  const inner = asn1js.fromBER(info.privateKey.buffer);
  if (inner.offset === -1 || !(inner.result instanceof asn1js.Integer)) {
    throw new MalformedEvidenceError('DSA/DH private value is not an INTEGER');
  }
  // DSA's x is below q (its second parameter, FIPS 186-4 4.5); DH's below p.
  const bound = info.privateKeyAlgorithm.algorithm === OID.dsa ? (sizes[1] ?? 0) : largest;
  if (bitLength(inner.result.valueBlock.valueHexView) > bound) {
    throw new KeyLimitError('DSA/DH private value is larger than its domain parameters allow');
  }
}

function readPkcs8(der: Uint8Array): KeyStructure {
  const info = AsnConvert.parse(der, PrivateKeyInfo);
  const oid = info.privateKeyAlgorithm.algorithm;
  const inner = info.privateKey.buffer;
  switch (oid) {
    case OID.rsaEncryption:
    case OID.rsassaPss:
      return { algorithmOid: oid, rsa: readRsa(inner), ec: null };
    case OID.ecPublicKey: {
      const raw = info.privateKeyAlgorithm.parameters;
      let outer: string | null = null;
      if (raw !== undefined && raw !== null) {
        const params = AsnConvert.parse(raw, ECParameters);
        if (params.namedCurve === undefined) {
          throw new KeyLimitError('EC key with explicit curve parameters (only named curves)');
        }
        outer = params.namedCurve;
      }
      return { algorithmOid: oid, rsa: null, ec: readEc(inner, outer) };
    }
    case OID.dsa:
    case OID.dhKeyAgreement:
    case OID.dhPublicNumber:
      checkFiniteField(info);
      return { algorithmOid: oid, rsa: null, ec: null };
    default:
      // Ed25519, X25519, ML-DSA...: fixed sizes set by the algorithm, nothing to cap.
      return { algorithmOid: oid, rsa: null, ec: null };
  }
}

/**
 * Reads what the proof needs and enforces the size caps. Throws KeyLimitError for a key too
 * large to load, MalformedEvidenceError for one that is not of `format` (unless it is small
 * enough to leave to OpenSSL, see MAX_UNINSPECTED_KEY_BYTES).
 */
export function inspectKey(der: Uint8Array, format: DerKeyFormat): KeyStructure {
  try {
    if (format === 'pkcs8') return readPkcs8(der);
    if (format === 'pkcs1') return { algorithmOid: OID.rsaEncryption, rsa: readRsa(der), ec: null };
    return { algorithmOid: OID.ecPublicKey, rsa: null, ec: readEc(der, null) };
  } catch (error) {
    if (error instanceof KeyLimitError) throw error;
    if (der.length <= MAX_UNINSPECTED_KEY_BYTES) return UNINSPECTED;
    throw new MalformedEvidenceError(`not a ${format} private key`);
  }
}

/** A SEC1 key holding only `scalar` and its curve: OpenSSL must derive the public point itself. */
export function scalarOnlySec1(ec: EcScalar): Buffer {
  const key = new ECPrivateKey({
    version: 1,
    parameters: new ECParameters({ namedCurve: ec.curveOid }),
  });
  const scalar = new Uint8Array(ec.scalar.length);
  scalar.set(ec.scalar);
  key.privateKey.buffer = scalar.buffer;
  return Buffer.from(AsnConvert.serialize(key));
}
