/**
 * OpenSSH private keys (`-----BEGIN OPENSSH PRIVATE KEY-----`, the openssh-key-v1 format of
 * OpenSSH's PROTOCOL.key), reduced to what node:crypto can load: a private key, the public key
 * the file claims, and what the proof of possession checks (key-proof.ts). The file is read
 * with bounded reads: every length is checked against what is left before anything is sliced,
 * integers are capped like those of other keys, and nothing here throws anything but
 * MalformedEvidenceError or KeyLimitError, neither of which carries input bytes.
 *
 * Wire forms (RFC 4251 5): `string` is a uint32 length and that many bytes; `mpint` a string
 * holding a two's complement big-endian integer. Keys: ssh-ed25519 (RFC 8709), ecdsa-sha2-nistp256,
 * -nistp384, -nistp521 (RFC 5656) and ssh-rsa (RFC 4253 6.6).
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KeyLimitError, MalformedEvidenceError } from './errors.ts';
import { type KeyStructure, MAX_RSA_MODULUS_BITS, OID } from './key-structure.ts';

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
/** OpenSSH writes one key per file; a few more are read, the rest is a dump for a person. */
export const MAX_OPENSSH_KEYS = 8;
/** Longest name (key type, cipher, kdf, curve) worth reading; real ones are under 40 bytes. */
const MAX_NAME_BYTES = 64;

/** The passphrase-protected form: the private part is encrypted, only the public one readable. */
export class EncryptedOpenSshKeyError extends MalformedEvidenceError {
  override readonly name: string = 'EncryptedOpenSshKeyError';
  constructor(
    readonly cipher: string,
    readonly kdf: string,
  ) {
    super(`encrypted OpenSSH private key (cipher ${cipher}, kdf ${kdf})`);
  }

  /** The cipher's name as a note may show it (printable, as OpenSSH names are). */
  get cipherName(): string {
    return this.cipher.replace(/[^A-Za-z0-9@._-]/g, '?');
  }
}

/** One key of an OpenSSH file, loaded into node:crypto. */
export interface OpenSshKey {
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ... */
  readonly type: string;
  readonly key: KeyObject;
  /** The public key the file states in its private section, whose SPKI is matched. */
  readonly claimed: KeyObject;
  readonly structure: KeyStructure;
}

/** A bounded cursor over the wire encoding. */
class Reader {
  private at = 0;
  private readonly bytes: Buffer;
  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get left(): number {
    return this.bytes.length - this.at;
  }

  uint32(): number {
    if (this.left < 4) throw new MalformedEvidenceError('OpenSSH key ends inside a length');
    const n = this.bytes.readUInt32BE(this.at);
    this.at += 4;
    return n;
  }

  /** A `string`, at most `max` bytes: a hostile length is refused before anything is sliced. */
  string(max: number = this.left): Uint8Array {
    const n = this.uint32();
    if (n > this.left) throw new MalformedEvidenceError('OpenSSH key field runs past its end');
    if (n > max) throw new KeyLimitError(`OpenSSH key field of ${n} bytes is above ${max}`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  name(): string {
    return Buffer.from(this.string(MAX_NAME_BYTES)).toString('latin1');
  }

  /** An mpint as unsigned big-endian bytes (a leading sign byte dropped); negatives refused. */
  mpint(maxBytes: number): Uint8Array {
    const raw = this.string(maxBytes + 1);
    if (raw.length > 0 && (raw[0] ?? 0) >= 0x80) {
      throw new MalformedEvidenceError('negative integer in an OpenSSH key');
    }
    let i = 0;
    while (i < raw.length && raw[i] === 0) i++;
    return raw.subarray(i);
  }
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** Curves by OpenSSH name: JWK curve, coordinate size, and the named curve's OID. */
const CURVES: Readonly<Record<string, { crv: string; size: number; oid: string }>> = {
  nistp256: { crv: 'P-256', size: 32, oid: '1.2.840.10045.3.1.7' },
  nistp384: { crv: 'P-384', size: 48, oid: '1.3.132.0.34' },
  nistp521: { crv: 'P-521', size: 66, oid: '1.3.132.0.35' },
};

/** Left-pads to `size` bytes; longer is not an integer of that curve. */
function fixed(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length > size) throw new MalformedEvidenceError('EC value larger than its curve');
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function fromBigInt(n: bigint): Uint8Array {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
}

function load(jwk: JsonWebKey, publicJwk: JsonWebKey): { key: KeyObject; claimed: KeyObject } {
  try {
    return {
      key: createPrivateKey({ key: jwk, format: 'jwk' }),
      claimed: createPublicKey({ key: publicJwk, format: 'jwk' }),
    };
  } catch {
    // OpenSSL's message is generic and the JWK holds key material: neither is passed on.
    throw new MalformedEvidenceError('OpenSSH key that node:crypto does not load');
  }
}

function readEd25519(r: Reader): Omit<OpenSshKey, 'type'> {
  const pub = r.string(64);
  const priv = r.string(128);
  // RFC 8709: a 32-byte public key; OpenSSH stores the 32-byte seed followed by the public key.
  if (pub.length !== 32 || priv.length !== 64) {
    throw new MalformedEvidenceError('ssh-ed25519 key of the wrong size');
  }
  const x = b64url(pub);
  return {
    ...load(
      { kty: 'OKP', crv: 'Ed25519', d: b64url(priv.subarray(0, 32)), x },
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x,
      },
    ),
    structure: { algorithmOid: null, rsa: null, ec: null },
  };
}

function readEcdsa(r: Reader, type: string): Omit<OpenSshKey, 'type'> {
  const curveName = r.name();
  const curve = CURVES[curveName];
  if (curve === undefined || type !== `ecdsa-sha2-${curveName}`) {
    throw new MalformedEvidenceError('OpenSSH ECDSA key on an unknown curve');
  }
  const q = r.string(1 + 2 * curve.size);
  // SEC 1 2.3.3: an uncompressed point, 0x04 || X || Y.
  if (q.length !== 1 + 2 * curve.size || q[0] !== 0x04) {
    throw new MalformedEvidenceError('OpenSSH ECDSA public point is not uncompressed');
  }
  const scalar = fixed(r.mpint(curve.size), curve.size);
  const x = b64url(q.subarray(1, 1 + curve.size));
  const y = b64url(q.subarray(1 + curve.size));
  return {
    ...load(
      { kty: 'EC', crv: curve.crv, x, y, d: b64url(scalar) },
      { kty: 'EC', crv: curve.crv, x, y },
    ),
    // The point is then derived from the scalar and compared with the claimed one.
    structure: { algorithmOid: OID.ecPublicKey, rsa: null, ec: { scalar, curveOid: curve.oid } },
  };
}

function readRsa(r: Reader): Omit<OpenSshKey, 'type'> {
  const cap = MAX_RSA_MODULUS_BITS / 8;
  const n = r.mpint(cap);
  const e = r.mpint(cap);
  const d = r.mpint(cap);
  const iqmp = r.mpint(cap);
  const p = r.mpint(cap);
  const q = r.mpint(cap);
  const [N, E, D, P, Q] = [n, e, d, p, q].map(toBigInt) as [bigint, bigint, bigint, bigint, bigint];
  if (P < 2n || Q < 2n) throw new MalformedEvidenceError('OpenSSH RSA key without its primes');
  const publicJwk: JsonWebKey = { kty: 'RSA', n: b64url(n), e: b64url(e) };
  return {
    ...load(
      {
        ...publicJwk,
        d: b64url(d),
        p: b64url(p),
        q: b64url(q),
        dp: b64url(fromBigInt(D % (P - 1n))),
        dq: b64url(fromBigInt(D % (Q - 1n))),
        qi: b64url(iqmp),
      },
      publicJwk,
    ),
    structure: {
      algorithmOid: OID.rsaEncryption,
      rsa: { n: N, e: E, d: D, primes: [P, Q] },
      ec: null,
    },
  };
}

function readKey(r: Reader): OpenSshKey {
  const type = r.name();
  let read: Omit<OpenSshKey, 'type'>;
  if (type === 'ssh-ed25519') read = readEd25519(r);
  else if (type.startsWith('ecdsa-sha2-')) read = readEcdsa(r, type);
  else if (type === 'ssh-rsa') read = readRsa(r);
  else
    throw new MalformedEvidenceError(
      `OpenSSH key type ${type.replace(/[^\x20-\x7e]/g, '?')} not read`,
    );
  r.string(); // The comment, which is not evidence.
  return { type, ...read };
}

/** True for the openssh-key-v1 magic. */
export function isOpenSshKey(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, MAGIC.length)).equals(MAGIC);
}

/**
 * Reads an unencrypted openssh-key-v1 file (the base64-decoded PEM body). Throws
 * EncryptedOpenSshKeyError for one protected by a passphrase, KeyLimitError for fields larger
 * than any honest key, MalformedEvidenceError for the rest.
 */
export function readOpenSshKeys(bytes: Uint8Array): OpenSshKey[] {
  if (!isOpenSshKey(bytes)) throw new MalformedEvidenceError('not an openssh-key-v1 file');
  const r = new Reader(bytes.subarray(MAGIC.length));
  const cipher = r.name();
  const kdf = r.name();
  r.string(); // kdf options
  const count = r.uint32();
  if (count === 0) throw new MalformedEvidenceError('OpenSSH file without keys');
  if (count > MAX_OPENSSH_KEYS) {
    throw new KeyLimitError(`OpenSSH file with ${count} keys (at most ${MAX_OPENSSH_KEYS} read)`);
  }
  for (let i = 0; i < count; i++) r.string(); // The public keys: the private section repeats them.
  const section = r.string();
  if (cipher !== 'none' || kdf !== 'none') throw new EncryptedOpenSshKeyError(cipher, kdf);
  const s = new Reader(section);
  // Two equal random words: a wrong passphrase shows as a mismatch (PROTOCOL.key).
  const [check1, check2] = [s.uint32(), s.uint32()];
  if (check1 !== check2) throw new MalformedEvidenceError('OpenSSH check words differ');
  const keys: OpenSshKey[] = [];
  for (let i = 0; i < count; i++) keys.push(readKey(s));
  return keys;
}
