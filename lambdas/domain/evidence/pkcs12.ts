/**
 * PKCS#12 / PFX files (`.p12`, `.pfx`, RFC 7292), read with @peculiar/asn1-pfx: the certificate
 * bags and the key bags inside. Their bags are often encrypted: with PBES2 (RFC 8018, what
 * OpenSSL 3 writes, also for an empty password) or the older PKCS#12 PBEs. We try the empty
 * password and the ones the mail states; a file none of them opens is a problem that says a
 * password is needed. A password is used only here, in memory, and never stored or logged.
 *
 * Password-based encryption lets the file choose its own iteration count, so each is capped
 * before any key derivation runs (a crafted file could otherwise ask for billions).
 */
import { createDecipheriv, createHash, createPrivateKey, pbkdf2Sync } from 'node:crypto';
import { type ContentInfo, EncryptedContentInfo } from '@peculiar/asn1-cms';
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  PFX,
  SafeContents,
} from '@peculiar/asn1-pfx';
import { EncryptedPrivateKeyInfo } from '@peculiar/asn1-pkcs8';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import type { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { MalformedEvidenceError } from './errors.ts';

/** OpenSSL writes 2,048 iterations; 100,000 covers stronger exports and bounds a crafted one. */
export const MAX_PBE_ITERATIONS = 100_000;
/** Passwords tried per file: the empty one and a few stated in the mail. */
export const MAX_PASSWORD_ATTEMPTS = 4;
/** Bags read per file: a real export has a key and its chain. */
export const MAX_PKCS12_BAGS = 1_000;

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const ID_PBES2 = '1.2.840.113549.1.5.13';
const ID_PBKDF2 = '1.2.840.113549.1.5.12';
/** PBKDF2's PRF (RFC 8018 B.1.2); HMAC-SHA1 is the default when absent. */
const PRF_DIGESTS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};
const AES_CBC: Readonly<Record<string, { cipher: string; keyLength: number }>> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32 },
};

/**
 * The PKCS#12 PBEs (RFC 7292 Appendix C), which OpenSSL 1.x wrote and `-legacy` still writes:
 * the cipher node:crypto names, and its key length. RC2 and RC4 (the 40- and 128-bit ones) are
 * absent: OpenSSL 3 keeps them in its legacy provider, which Node does not load.
 */
const PKCS12_PBES: Readonly<
  Record<string, { cipher: string | null; keyLength: number; name: string }>
> = {
  '1.2.840.113549.1.12.1.1': { cipher: null, keyLength: 16, name: 'pbeWithSHAAnd128BitRC4' },
  '1.2.840.113549.1.12.1.2': { cipher: null, keyLength: 5, name: 'pbeWithSHAAnd40BitRC4' },
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24, name: '3-key triple DES' },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLength: 16, name: '2-key triple DES' },
  '1.2.840.113549.1.12.1.5': { cipher: null, keyLength: 16, name: 'pbeWithSHAAnd128BitRC2-CBC' },
  '1.2.840.113549.1.12.1.6': { cipher: null, keyLength: 5, name: 'pbeWithSHAAnd40BitRC2-CBC' },
};
/** Salts of real exports are 8 to 20 bytes; a longer one only makes the KDF's input larger. */
const MAX_PKCS12_SALT_BYTES = 64;
/** The block size of the triple DES ciphers, and so of their IV. */
const DES_BLOCK_BYTES = 8;

/** A bag's content could not be decrypted with any password we had. */
export class PasswordNeededError extends MalformedEvidenceError {
  override readonly name: string = 'PasswordNeededError';
}

/** Encrypted with a cipher node:crypto does not provide (RC2, RC4): no password would help. */
export class UnsupportedPbeError extends MalformedEvidenceError {
  override readonly name: string = 'UnsupportedPbeError';
}

/** The file asks for more key-derivation work than any honest export. */
export class PbeLimitError extends MalformedEvidenceError {
  override readonly name: string = 'PbeLimitError';
}

export interface Pkcs12Contents {
  /** DER certificates from the certificate bags. */
  readonly certificates: Uint8Array[];
  /** Unencrypted PKCS#8 DER keys (key bags, and shrouded ones we could open). */
  readonly keys: Buffer[];
  /** Parts that stayed closed: `password needed`, or a limit. */
  readonly problems: string[];
  /** True when a password stated in the mail opened something (the password itself is not kept). */
  readonly usedStatedPassword: boolean;
}

/** True when `der` parses as a PFX (cheap enough to use as the sniff). */
export function isPkcs12(der: Uint8Array): boolean {
  try {
    const pfx = AsnConvert.parse(der, PFX);
    return pfx.version === 3;
  } catch {
    return false;
  }
}

function integerValue(node: asn1js.AsnType | undefined): number {
  if (!(node instanceof asn1js.Integer)) throw new MalformedEvidenceError('expected an INTEGER');
  const view = node.valueBlock.valueHexView;
  if (view.length > 6) throw new PbeLimitError('iteration count is absurdly large');
  return view.reduce((n, b) => n * 256 + b, 0);
}

function sequence(der: ArrayBuffer): asn1js.AsnType[] {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) {
    throw new MalformedEvidenceError('expected a SEQUENCE');
  }
  return parsed.result.valueBlock.value;
}

/** The iteration count a PBE algorithm asks for (PBES2/PBKDF2, or pkcs-12PbeParams). */
export function pbeIterations(algorithm: AlgorithmIdentifier): number {
  const params = algorithm.parameters;
  if (params === undefined || params === null) throw new MalformedEvidenceError('no PBE params');
  if (algorithm.algorithm === ID_PBES2) {
    const [kdf] = sequence(params);
    if (!(kdf instanceof asn1js.Sequence)) throw new MalformedEvidenceError('no PBKDF2');
    const [oid, kdfParams] = kdf.valueBlock.value;
    if (!(oid instanceof asn1js.ObjectIdentifier) || oid.getValue() !== ID_PBKDF2) {
      throw new MalformedEvidenceError('PBES2 without PBKDF2');
    }
    if (!(kdfParams instanceof asn1js.Sequence)) throw new MalformedEvidenceError('no PBKDF2');
    return integerValue(kdfParams.valueBlock.value[1]);
  }
  return integerValue(sequence(params)[1]);
}

function checkIterations(algorithm: AlgorithmIdentifier): void {
  const n = pbeIterations(algorithm);
  if (n > MAX_PBE_ITERATIONS) {
    throw new PbeLimitError(
      `asks for ${n} key derivation iterations (above ${MAX_PBE_ITERATIONS})`,
    );
  }
}

/** PBES2 with PBKDF2 and AES-CBC (RFC 8018 6.2): what OpenSSL 3 writes for bags. */
function pbes2Decrypt(algorithm: AlgorithmIdentifier, data: Uint8Array, password: string): Buffer {
  const params = algorithm.parameters;
  if (algorithm.algorithm !== ID_PBES2 || !params) {
    throw new PasswordNeededError('an encryption of PKCS#12 content we do not read');
  }
  const [kdf, scheme] = sequence(params);
  if (!(kdf instanceof asn1js.Sequence) || !(scheme instanceof asn1js.Sequence)) {
    throw new MalformedEvidenceError('bad PBES2 parameters');
  }
  const kdfParams = kdf.valueBlock.value[1];
  if (!(kdfParams instanceof asn1js.Sequence)) throw new MalformedEvidenceError('bad PBKDF2');
  const [salt, iterations, ...rest] = kdfParams.valueBlock.value;
  if (!(salt instanceof asn1js.OctetString)) throw new MalformedEvidenceError('PBKDF2 salt');
  const prf = rest.find((x): x is asn1js.Sequence => x instanceof asn1js.Sequence);
  const prfOid = prf?.valueBlock.value[0];
  const digest =
    prfOid instanceof asn1js.ObjectIdentifier ? PRF_DIGESTS[prfOid.getValue()] : 'sha1';
  const [cipherOid, iv] = scheme.valueBlock.value;
  const cipher =
    cipherOid instanceof asn1js.ObjectIdentifier ? AES_CBC[cipherOid.getValue()] : undefined;
  if (digest === undefined || cipher === undefined || !(iv instanceof asn1js.OctetString)) {
    throw new PasswordNeededError('PBES2 with a cipher or PRF we do not read');
  }
  const key = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    salt.valueBlock.valueHexView,
    integerValue(iterations),
    cipher.keyLength,
    digest,
  );
  try {
    const decipher = createDecipheriv(cipher.cipher, key, iv.valueBlock.valueHexView);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new PasswordNeededError('wrong password');
  } finally {
    key.fill(0);
  }
}

/** RFC 7292 B.1: the password as a BMPString with its two-byte terminator. */
function bmpPassword(password: string): Buffer {
  const utf16be = Buffer.from(password, 'utf16le').swap16();
  return Buffer.concat([utf16be, Buffer.alloc(2)]);
}

/** `x` repeated to fill whole `v`-byte blocks (RFC 7292 B.2 step 2 and 3). */
function repeatToBlocks(x: Uint8Array, v: number): Buffer {
  const out = Buffer.alloc(v * Math.ceil(x.length / v));
  for (let i = 0; i < out.length; i++) out[i] = x[i % x.length] ?? 0;
  return out;
}

/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) with SHA-1 (u = 20, v = 64), the one the
 * PKCS#12 PBEs use: `id` 1 derives the key, 2 the IV. node:crypto has no such KDF; everything
 * else here (hashing, the ciphers) is node:crypto's.
 */
export function pkcs12Kdf(
  password: Buffer,
  salt: Uint8Array,
  id: 1 | 2,
  iterations: number,
  length: number,
): Buffer {
  const u = 20;
  const v = 64;
  const d = Buffer.alloc(v, id);
  const i = Buffer.concat([repeatToBlocks(salt, v), repeatToBlocks(password, v)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash('sha1').update(d).update(i).digest();
    for (let r = 1; r < iterations; r++) a = createHash('sha1').update(a).digest();
    out.push(a);
    if (produced + u >= length) break;
    // Step 6C: each v-byte block of I becomes (I_j + B + 1) mod 2^(8v), B being A repeated.
    const b = repeatToBlocks(a, v);
    for (let j = 0; j < i.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = (i[j + k] ?? 0) + (b[k] ?? 0) + carry;
        i[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

/** True for the PKCS#12 PBEs of RFC 7292 Appendix C. */
function isPkcs12Pbe(algorithm: AlgorithmIdentifier): boolean {
  return Object.hasOwn(PKCS12_PBES, algorithm.algorithm);
}

/**
 * A PKCS#12 PBE (pkcs-12PbeParams: salt and iterations, checked before): triple DES through
 * node:crypto with the key and IV from the PKCS#12 KDF; RC2 and RC4 are refused as unsupported.
 */
function pkcs12PbeDecrypt(
  algorithm: AlgorithmIdentifier,
  data: Uint8Array,
  password: string,
): Buffer {
  const pbe = PKCS12_PBES[algorithm.algorithm];
  const params = algorithm.parameters;
  if (pbe === undefined || !params) throw new MalformedEvidenceError('not a PKCS#12 PBE');
  if (pbe.cipher === null) {
    throw new UnsupportedPbeError(
      `encrypted with ${pbe.name}, a cipher node:crypto does not provide`,
    );
  }
  const [salt, iterations] = sequence(params);
  if (!(salt instanceof asn1js.OctetString)) throw new MalformedEvidenceError('PBE salt');
  const saltBytes = salt.valueBlock.valueHexView;
  if (saltBytes.length > MAX_PKCS12_SALT_BYTES) throw new PbeLimitError('has an oversized salt');
  const count = integerValue(iterations);
  const pass = bmpPassword(password);
  const key = pkcs12Kdf(pass, saltBytes, 1, count, pbe.keyLength);
  const iv = pkcs12Kdf(pass, saltBytes, 2, count, DES_BLOCK_BYTES);
  try {
    const decipher = createDecipheriv(pbe.cipher, key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new PasswordNeededError('wrong password');
  } finally {
    key.fill(0);
    pass.fill(0);
  }
}

/** Decrypts a bag's content with PBES2 or a PKCS#12 PBE. */
function decryptContent(
  algorithm: AlgorithmIdentifier,
  data: Uint8Array,
  password: string,
): Buffer {
  return isPkcs12Pbe(algorithm)
    ? pkcs12PbeDecrypt(algorithm, data, password)
    : pbes2Decrypt(algorithm, data, password);
}

function octets(content: ArrayBuffer): ArrayBuffer {
  return AsnConvert.parse(content, OctetString).buffer;
}

/** EncryptedData ::= SEQUENCE { version, EncryptedContentInfo } (RFC 5652 8). */
function encryptedContent(content: ArrayBuffer): {
  algorithm: AlgorithmIdentifier;
  data: Uint8Array;
} {
  const [, info] = sequence(content);
  if (info === undefined) throw new MalformedEvidenceError('EncryptedData without content');
  const eci = AsnConvert.parse(info.toBER(), EncryptedContentInfo);
  const value = eci.encryptedContent;
  const parts = value?.value
    ? [value.value.buffer]
    : (value?.constructedValue ?? []).map((o) => o.buffer);
  const data = Buffer.concat(parts.map((p) => new Uint8Array(p)));
  return { algorithm: eci.contentEncryptionAlgorithm, data };
}

/**
 * Reads a PFX's certificates and keys, trying `passwords` (the empty one first) on each
 * encrypted part. Throws MalformedEvidenceError when `der` is not a PFX; parts that stay closed
 * are problems, not errors.
 */
export function readPkcs12(der: Uint8Array, statedPasswords: readonly string[]): Pkcs12Contents {
  let safes: ContentInfo[];
  try {
    const pfx = AsnConvert.parse(der, PFX);
    if (pfx.authSafe.contentType !== ID_DATA) throw new Error('authSafe is not data');
    safes = [...AsnConvert.parse(octets(pfx.authSafe.content), AuthenticatedSafe)];
  } catch (cause) {
    throw new MalformedEvidenceError('not a PKCS#12 file', { cause });
  }
  const passwords = ['', ...statedPasswords].slice(0, MAX_PASSWORD_ATTEMPTS);
  const certificates: Uint8Array[] = [];
  const keys: Buffer[] = [];
  const problems = new Set<string>();
  let usedStatedPassword = false;
  let bags = 0;

  /** Decrypts with the first password that works; remembers a stated one worked. */
  const open = (decrypt: (password: string) => Buffer): Buffer | null => {
    for (const [i, password] of passwords.entries()) {
      try {
        const plain = decrypt(password);
        if (i > 0) usedStatedPassword = true;
        return plain;
      } catch (error) {
        if (error instanceof PbeLimitError || error instanceof UnsupportedPbeError) throw error;
      }
    }
    problems.add(
      statedPasswords.length > 0
        ? 'encrypted PKCS#12 content: none of the passwords stated in the mail opens it; a password is needed'
        : 'encrypted PKCS#12 content: a password is needed (none is stated in the mail)',
    );
    return null;
  };

  for (const safe of safes) {
    try {
      let contents: ArrayBuffer;
      if (safe.contentType === ID_DATA) {
        contents = octets(safe.content);
      } else if (safe.contentType === ID_ENCRYPTED_DATA) {
        const { algorithm, data } = encryptedContent(safe.content);
        checkIterations(algorithm);
        const plain = open((pw) => decryptContent(algorithm, data, pw));
        if (plain === null) continue;
        contents = new Uint8Array(plain).buffer;
      } else {
        problems.add('PKCS#12 content of an unknown type (public-key encrypted?), not read');
        continue;
      }
      for (const bag of AsnConvert.parse(contents, SafeContents)) {
        if (++bags > MAX_PKCS12_BAGS) {
          problems.add(`more than ${MAX_PKCS12_BAGS} PKCS#12 bags; the rest skipped`);
          break;
        }
        if (bag.bagId === id_certBag) {
          const cert = AsnConvert.parse(bag.bagValue, CertBag);
          if (cert.certId === id_x509Certificate) {
            certificates.push(new Uint8Array(octets(cert.certValue)));
          }
        } else if (bag.bagId === id_keyBag) {
          keys.push(Buffer.from(bag.bagValue));
        } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
          const shrouded = AsnConvert.parse(bag.bagValue, EncryptedPrivateKeyInfo);
          checkIterations(shrouded.encryptionAlgorithm);
          const encrypted = Buffer.from(bag.bagValue);
          const plain = open((pw) => decryptKey(encrypted, pw));
          if (plain !== null) keys.push(plain);
        }
      }
    } catch (error) {
      problems.add(
        error instanceof PbeLimitError || error instanceof UnsupportedPbeError
          ? `PKCS#12 content ${error.message}; not read`
          : 'unreadable PKCS#12 content',
      );
    }
  }
  return { certificates, keys, problems: [...problems], usedStatedPassword };
}

/**
 * A shrouded key bag is an EncryptedPrivateKeyInfo: OpenSSL reads every PBE PKCS#12 uses (its
 * iteration count was checked before). The key comes back as unencrypted PKCS#8 DER, which the
 * caller loads and zeroes like any other key.
 */
function decryptKey(encrypted: Buffer, password: string): Buffer {
  try {
    const key = createPrivateKey({
      key: encrypted,
      format: 'der',
      type: 'pkcs8',
      passphrase: password,
    });
    return key.export({ type: 'pkcs8', format: 'der' });
  } catch {
    throw new PasswordNeededError('wrong password');
  }
}

/** Labels reporters put before a password, in the languages they write in. */
const PASSWORD_LABEL =
  /(?:password|passphrase|pass phrase|passwort|kennwort|mot de passe|contraseña|contrasena|clave|senha|wachtwoord|hasło|haslo|parola|パスワード|密码|密碼)[ \t]*(?:[:：=]|\b(?:is|ist|est|es|è|lautet)\b:?)[ \t]*(?:["'«“„][ \t]*)?([^\s"'»”“]{1,128})/giu;
/** Passwords looked for per text: enough for one or two files. */
const MAX_STATED_PASSWORDS = MAX_PASSWORD_ATTEMPTS - 1;

/**
 * Passwords a mail states in common forms ("password: ...", "Passwort: ...", "le mot de passe
 * est ...", "contraseña: ..."), in order, without trailing punctuation. Used only to open a
 * PKCS#12 file; never stored or logged.
 */
export function statedPasswords(texts: readonly string[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(PASSWORD_LABEL)) {
      const candidate = (match[1] ?? '').replace(/[.,;!?)]+$/u, '');
      if (candidate.length > 0 && !found.includes(candidate)) found.push(candidate);
      if (found.length >= MAX_STATED_PASSWORDS) return found;
    }
  }
  return found;
}
