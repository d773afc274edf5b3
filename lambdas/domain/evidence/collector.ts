/**
 * Accumulates evidence for one mail: deduplicates (first sighting wins, so the order is the
 * order of discovery), enforces the per-category limits, and at the end matches keys and CSRs
 * to certificates by SPKI hash.
 */
import type { IssuerCertificate } from '../issuers/config.ts';
import type { CertificateLint } from '../lint/codes.ts';
import { lintCertificate } from '../lint/lint-certificate.ts';
import { type CertificateFacts, parseCertificate } from './certificate.ts';
import { type CsrFacts, parseCsr } from './csr.ts';
import { KeyLimitError } from './errors.ts';
import { sha256Hex } from './hash.ts';
import type { EvidenceLimits } from './limits.ts';
import { EncryptedOpenSshKeyError } from './openssh-key.ts';
import { certificatesInPkcs7 } from './pkcs7.ts';
import { parseOpenSshPrivateKeys, parsePrivateKey } from './private-key.ts';
import type { RefSink } from './refs.ts';
import type {
  AmbiguousSerial,
  CertificateEvidence,
  CsrEvidence,
  DerKeyFormat,
  Evidence,
  EvidenceSource,
  KeyFormat,
  PrivateKeyEvidence,
  UnparsedCertificateEvidence,
} from './types.ts';
import {
  reencodedCertificate,
  type UnparsedCertificateFacts,
  unparsedCertificate,
} from './unparsed-certificate.ts';

type Category =
  | 'certificates'
  | 'unparsedCertificates'
  | 'keys'
  | 'csrs'
  | 'serials'
  | 'fingerprints'
  | 'crtshIds';

/**
 * What to do with bytes offered as a certificate that the parser refuses: a CERTIFICATE PEM
 * block is recorded whatever it holds (`always`); a DER attachment or a container member only
 * when it is shaped like a certificate (`ifShaped`), since it may be a key or a CSR.
 */
export type UnparsedMode = 'always' | 'ifShaped';

/** `parsed`, recorded as an unparsed certificate, or not a certificate at all. */
export type CertificateOutcome = 'parsed' | 'unparsed' | 'no';

interface KeyEntry {
  readonly spkiSha256: string;
  readonly format: KeyFormat;
  readonly algorithm: string;
  readonly proof: boolean;
  readonly proofFailure: string | null;
  readonly source: EvidenceSource;
}

export class EvidenceCollector implements RefSink {
  private readonly certs = new Map<string, CertificateFacts & { source: EvidenceSource }>();
  private readonly unparsed = new Map<string, UnparsedCertificateEvidence>();
  /** Hashes of certificate inputs already parsed: a repeated PEM is not parsed twice. */
  private readonly seenCertInputs = new Set<string>();
  private readonly keys = new Map<string, KeyEntry>();
  /**
   * Hashes of inputs already looked at, tagged by kind: identical blocks and attachments are
   * handled once, before any parsing (a key or bundle pasted 1,000 times costs one load).
   */
  private readonly seenInputs = new Set<string>();
  private readonly csrs = new Map<string, CsrFacts & { source: EvidenceSource }>();
  private readonly serials = new Set<string>();
  private readonly ambiguous = new Map<string, AmbiguousSerial>();
  private readonly fingerprints = new Set<string>();
  private readonly crtshIds = new Set<string>();
  private readonly problems: string[] = [];
  private readonly lints: CertificateLint[] = [];
  private linted = 0;
  private problemsDropped = 0;
  private readonly full = new Set<Category>();
  private pemBlocksLeft: number;
  private pemLimitNoted = false;

  constructor(
    private readonly limits: EvidenceLimits,
    /** The CA's issuers: each certificate records which of them signed it. */
    private readonly issuers: readonly IssuerCertificate[] = [],
  ) {
    this.pemBlocksLeft = limits.maxPemBlocks;
  }

  /** Records a human-readable note; past `maxProblems` they are only counted. */
  problem(note: string): void {
    if (this.problems.length < this.limits.maxProblems) this.problems.push(note);
    else this.problemsDropped++;
  }

  /** PEM blocks the scanner may still look at, mail-wide. */
  get pemBudget(): number {
    return this.pemBlocksLeft;
  }

  /** Counts scanned blocks; `truncated` says the scanner stopped at the budget (noted once). */
  spendPemBlocks(n: number, truncated: boolean): void {
    this.pemBlocksLeft -= n;
    if (truncated && !this.pemLimitNoted) {
      this.pemLimitNoted = true;
      this.problem(`PEM block limit (${this.limits.maxPemBlocks}) reached; later blocks ignored`);
    }
  }

  /** True when text references can no longer be added, so scanning text for them is wasted. */
  get refsFull(): boolean {
    return this.full.has('serials') && this.full.has('fingerprints') && this.full.has('crtshIds');
  }

  /** Admits one more item of `category` unless its limit is reached (noted once). */
  private admit(category: Category, size: number, limit: number): boolean {
    if (size < limit) return true;
    if (!this.full.has(category)) {
      this.full.add(category);
      this.problem(`${category} limit (${limit}) reached; further ${category} ignored`);
    }
    return false;
  }

  /**
   * Adds a DER certificate. One the parser refuses is recorded as unparsed per `mode`; one it
   * reads only by re-encoding (non-DER lengths) is recorded both ways, so that the fingerprint
   * of the bytes as sent is looked up too.
   */
  addCertificate(
    der: Uint8Array,
    source: EvidenceSource,
    mode: UnparsedMode = 'ifShaped',
  ): CertificateOutcome {
    // Past the limit, parsing is wasted work (and the cost a hostile mass mail aims at).
    if (this.full.has('certificates')) return 'parsed';
    const inputHash = sha256Hex(der);
    if (this.seenCertInputs.has(inputHash)) return 'parsed';
    let facts: CertificateFacts;
    try {
      facts = parseCertificate(der, this.issuers);
    } catch {
      const unparsed = unparsedCertificate(der, mode === 'ifShaped');
      if (unparsed === null) return 'no';
      this.addUnparsed(unparsed, source);
      return 'unparsed';
    }
    this.seenCertInputs.add(inputHash);
    // The input hash differs from the fingerprint only for a trailer (TRUSTED CERTIFICATE) or
    // a re-encoding; only then is the walk worth its cost.
    if (inputHash !== facts.sha256) {
      const reencoded = reencodedCertificate(der, facts.sha256);
      if (reencoded !== null) this.addUnparsed(reencoded, source);
    }
    if (this.certs.has(facts.sha256)) return 'parsed';
    if (!this.admit('certificates', this.certs.size, this.limits.maxCertificates)) return 'parsed';
    this.certs.set(facts.sha256, { ...facts, source });
    this.lint(der, facts.sha256);
    return 'parsed';
  }

  private addUnparsed(facts: UnparsedCertificateFacts, source: EvidenceSource): void {
    if (this.unparsed.has(facts.sha256)) return;
    const limit = this.limits.maxUnparsedCertificates;
    if (!this.admit('unparsedCertificates', this.unparsed.size, limit)) return;
    this.unparsed.set(facts.sha256, { ...facts, source });
  }

  /** Lints the first `maxLintedCertificates` distinct certificates (noted once past that). */
  private lint(der: Uint8Array, sha256: string): void {
    if (this.linted >= this.limits.maxLintedCertificates) {
      if (this.linted === this.limits.maxLintedCertificates) {
        this.linted++;
        this.problem(
          `lint limit (${this.limits.maxLintedCertificates} certificates) reached; later certificates not linted`,
        );
      }
      return;
    }
    this.linted++;
    // The finding names the certificate as the evidence does (`raw`, without a trailer).
    for (const l of lintCertificate(der)) this.lints.push({ ...l, certificate: sha256 });
  }

  /** Adds the certificates of a PKCS#7 bundle; false when `der` is not PKCS#7. */
  addPkcs7(der: Uint8Array, source: EvidenceSource): boolean {
    // Counted before decoding: past the certificate limit, a bundle's members are not touched.
    const room = Math.max(0, this.limits.maxCertificates - this.certs.size);
    let members: Uint8Array[];
    try {
      const bundle = certificatesInPkcs7(der, room);
      members = bundle.certificates;
      if (bundle.total > members.length) {
        this.problem(
          `${source}: PKCS#7 bundle holds ${bundle.total} certificates; ${members.length} read (certificate limit ${this.limits.maxCertificates})`,
        );
      }
    } catch {
      return false;
    }
    for (const member of members) {
      if (this.addCertificate(member, source) === 'no') {
        this.problem(`${source}: unreadable certificate in PKCS#7 bundle`);
      }
    }
    return true;
  }

  /**
   * Adds a private key, then zeroes `der`: the key bytes are not needed past this point and a
   * heap dump should hold as few copies as possible. False when `der` is not a key in `format`.
   */
  addKey(der: Buffer, format: DerKeyFormat, source: EvidenceSource): boolean {
    return this.addLoadedKeys(der, source, () => [{ ...parsePrivateKey(der, format), format }]);
  }

  /**
   * Adds the keys of an OpenSSH private key file (the decoded PEM body), then zeroes it. One
   * protected by a passphrase is a problem that says so. False when it is not such a file.
   */
  addOpenSshKeys(bytes: Buffer, source: EvidenceSource): boolean {
    return this.addLoadedKeys(bytes, source, () =>
      parseOpenSshPrivateKeys(bytes).map((facts) => ({ ...facts, format: 'openssh' as const })),
    );
  }

  /** Adds what `load` reads from `bytes`, then zeroes them; false when they are no key. */
  private addLoadedKeys(
    bytes: Buffer,
    source: EvidenceSource,
    load: () => Omit<KeyEntry, 'source'>[],
  ): boolean {
    try {
      if (this.full.has('keys')) return true;
      for (const facts of load()) this.addParsedKey({ ...facts, source });
      return true;
    } catch (error) {
      if (error instanceof EncryptedOpenSshKeyError) {
        this.problem(
          `${source}: encrypted OpenSSH private key (cipher ${error.cipherName}): a passphrase is needed, public key not derived`,
        );
        return true;
      }
      if (error instanceof KeyLimitError) {
        this.keyRefused(error, source);
        return true;
      }
      return false;
    } finally {
      bytes.fill(0);
    }
  }

  /** Notes a key refused before loading because it is larger than any honest key. */
  keyRefused(error: KeyLimitError, source: EvidenceSource): void {
    this.problem(`${source}: private key not loaded: ${error.message}`);
  }

  /** True the first time these bytes are seen under `tag` (a PEM label, `der`, `part`). */
  firstSighting(tag: string, bytes: Uint8Array): boolean {
    const key = `${tag}:${sha256Hex(bytes)}`;
    if (this.seenInputs.has(key)) return false;
    this.seenInputs.add(key);
    return true;
  }

  /**
   * Adds a key already parsed elsewhere (DER sniffing tries several formats). A key that proves
   * possession replaces an earlier one with the same SPKI that did not (a forgery sent next to
   * the real key must not hide it); a failed proof is noted for a person.
   */
  addParsedKey(entry: KeyEntry): void {
    if (!entry.proof) {
      this.problem(
        `${entry.source}: private key does not prove possession (${entry.proofFailure ?? 'unknown'})`,
      );
    }
    const existing = this.keys.get(entry.spkiSha256);
    if (existing !== undefined) {
      if (!existing.proof && entry.proof) this.keys.set(entry.spkiSha256, entry);
      return;
    }
    if (!this.admit('keys', this.keys.size, this.limits.maxKeys)) return;
    this.keys.set(entry.spkiSha256, entry);
  }

  /** Adds and verifies a CSR; false when `der` is not one. */
  async addCsr(der: Uint8Array, source: EvidenceSource): Promise<boolean> {
    const hash = sha256Hex(der);
    if (this.csrs.has(hash)) return true;
    if (this.full.has('csrs')) return true;
    let facts: CsrFacts;
    try {
      facts = await parseCsr(der);
    } catch {
      return false;
    }
    if (!this.admit('csrs', this.csrs.size, this.limits.maxCsrs)) return true;
    if (facts.verifyProblem !== null) {
      this.problem(`${source}: CSR signature could not be checked (${facts.verifyProblem})`);
    }
    this.csrs.set(hash, { ...facts, source });
    return true;
  }

  /** A digit-only serial read both ways; it counts against the serial limit like one serial. */
  ambiguousSerial(candidate: AmbiguousSerial): boolean {
    const key = `${candidate.asHex} ${candidate.asDecimal}`;
    if (this.ambiguous.has(key)) return true;
    const size = this.serials.size + this.ambiguous.size;
    if (!this.admit('serials', size, this.limits.maxSerials)) return false;
    // Only the readings are evidence; the candidate's tag stays in extraction.
    this.ambiguous.set(key, {
      text: candidate.text,
      asHex: candidate.asHex,
      asDecimal: candidate.asDecimal,
    });
    return true;
  }

  serial(hex: string): boolean {
    if (this.serials.has(hex)) return true;
    const size = this.serials.size + this.ambiguous.size;
    if (!this.admit('serials', size, this.limits.maxSerials)) return false;
    this.serials.add(hex);
    return true;
  }

  fingerprint(hex: string): boolean {
    if (this.fingerprints.has(hex)) return true;
    if (!this.admit('fingerprints', this.fingerprints.size, this.limits.maxFingerprints)) {
      return false;
    }
    this.fingerprints.add(hex);
    return true;
  }

  crtshId(id: string): boolean {
    if (this.crtshIds.has(id)) return true;
    if (!this.admit('crtshIds', this.crtshIds.size, this.limits.maxCrtshIds)) return false;
    this.crtshIds.add(id);
    return true;
  }

  /**
   * The final Evidence. A key, or a CSR whose signature verifies, proves control of its SPKI;
   * every certificate in this report with that SPKI is marked compromised. Certificates of the
   * same key that are not in the report are found later, against the inventory.
   */
  finish(): Evidence {
    const bySpki = new Map<string, string[]>();
    for (const cert of this.certs.values()) {
      const list = bySpki.get(cert.spkiSha256);
      if (list) list.push(cert.sha256);
      else bySpki.set(cert.spkiSha256, [cert.sha256]);
    }
    const proven = new Set<string>();
    for (const key of this.keys.values()) if (key.proof) proven.add(key.spkiSha256);
    for (const csr of this.csrs.values()) if (csr.signatureValid) proven.add(csr.spkiSha256);

    const certificates: CertificateEvidence[] = [...this.certs.values()].map((c) => ({
      sha256: c.sha256,
      serial: c.serial,
      issuer: c.issuer,
      subject: c.subject,
      sans: c.sans,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      spkiSha256: c.spkiSha256,
      ...(c.precertificate ? { precertificate: c.precertificate } : {}),
      ...(c.signedBy ? { signedBy: c.signedBy } : {}),
      keyCompromised: proven.has(c.spkiSha256),
      source: c.source,
    }));
    const keys: PrivateKeyEvidence[] = [...this.keys.values()].map((k) => ({
      spkiSha256: k.spkiSha256,
      format: k.format,
      algorithm: k.algorithm,
      matches: k.proof ? (bySpki.get(k.spkiSha256) ?? []) : [],
      source: k.source,
      proof: k.proof,
      proofFailure: k.proofFailure,
    }));
    const csrs: CsrEvidence[] = [...this.csrs.values()].map((c) => ({
      spkiSha256: c.spkiSha256,
      subject: c.subject,
      signatureValid: c.signatureValid,
      attestation: c.attestation,
      matches: c.signatureValid ? (bySpki.get(c.spkiSha256) ?? []) : [],
      source: c.source,
    }));
    // Per the Evidence contract, fingerprints of certificates found in the mail are left out:
    // the certificate entry already carries them.
    const sha256Fingerprints = [...this.fingerprints].filter((f) => !this.certs.has(f));
    const problems =
      this.problemsDropped > 0
        ? [...this.problems, `${this.problemsDropped} more problems not listed`]
        : [...this.problems];
    return {
      certificates,
      unparsedCertificates: [...this.unparsed.values()],
      keys,
      csrs,
      serials: [...this.serials],
      ambiguousSerials: [...this.ambiguous.values()],
      sha256Fingerprints,
      crtshIds: [...this.crtshIds],
      lints: [...this.lints],
      problems,
    };
  }
}
