/**
 * Evidence extraction: from the decoded texts and parts of one mail to the certificates, keys,
 * CSRs and references a CA acts on. Mail is hostile input, so everything here is bounded by
 * `limits.ts` and nothing throws on bad input: what cannot be read becomes a `problems` note.
 *
 * Order is the order of discovery (texts first, then parts, archive members in archive order),
 * so the same mail always yields the same Evidence.
 */
import type { IssuerCertificate } from '../issuers/config.ts';
import { stripHtml } from '../mail/strip-html.ts';
import { ExpansionBudget, openArchive, sniffArchive } from './archive.ts';
import { EvidenceCollector } from './collector.ts';
import { isCsvCandidate, scanCsv } from './csv.ts';
import { KeyLimitError } from './errors.ts';
import { DEFAULT_EVIDENCE_LIMITS, type EvidenceLimits } from './limits.ts';
import { type PemBlock, scanPem } from './pem.ts';
import { isPkcs12, readPkcs12, statedPasswords } from './pkcs12.ts';
import { isEncryptedPkcs8, PRIVATE_KEY_LABELS, sniffPrivateKey } from './private-key.ts';
import { scanCrtshLinks, scanTextRefs } from './refs.ts';
import type { Evidence, EvidenceSource, MailContent } from './types.ts';

const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA']);
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
/** Key formats node:crypto cannot read; worth a human look, since they may hold a real key. */
const UNSUPPORTED_KEY_LABELS = new Set(['DSA PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']);
/**
 * Key labels as named in problem notes. The PEM label itself is kept out of notes so that
 * `PRIVATE KEY` never appears in Evidence: downstream leak checks can then treat it as a red flag.
 */
const KEY_LABEL_NAMES: Readonly<Record<string, string>> = {
  'PRIVATE KEY': 'PKCS#8 private key',
  'RSA PRIVATE KEY': 'PKCS#1 RSA private key',
  'EC PRIVATE KEY': 'SEC1 EC private key',
  'OPENSSH PRIVATE KEY': 'OpenSSH private key',
  'DSA PRIVATE KEY': 'DSA private key',
  'PGP PRIVATE KEY BLOCK': 'PGP private key',
};
/** openssh-key-v1 (OpenSSH's PROTOCOL.key), read by `openssh-key.ts`. */
const OPENSSH_LABEL = 'OPENSSH PRIVATE KEY';
/** S/MIME signatures carry the reporter's own certificate chain, which is not evidence. */
const SMIME_SIGNATURE_TYPES = /^application\/(x-)?pkcs7-signature\b/i;
/** Extensions that promise evidence: an unreadable one deserves a note, a stray binary not. */
const EVIDENCE_EXTENSIONS = /\.(cer|crt|der|pem|p7b|p7c|p7|key|csr|req|p10|p12|pfx)$/i;
/** Bytes looked at to tell text from binary. */
export const TEXT_SNIFF_BYTES = 8192;

/**
 * Wall-clock budget for one extraction, on an injected clock (milliseconds). Intake derives the
 * deadline from the Lambda's remaining time, so that a crafted mail can slow extraction down
 * but never push the whole invocation past its timeout: the case must still be written.
 */
export interface TimeBudget {
  readonly now: () => number;
  /** Extraction starts no new unit of work (a text, part, member, PEM block) at or after this. */
  readonly deadline: number;
}

/** The note a case gets when extraction stopped on its time budget; it starts with `truncated`. */
export const TIME_BUDGET_PROBLEM =
  'truncated: evidence extraction ran out of its time budget; the rest of the message was not read';

type Ctx = {
  readonly collector: EvidenceCollector;
  /** Passwords the mail states (for PKCS#12), read once when a PKCS#12 file needs them. */
  readonly passwords: () => readonly string[];
  readonly budget: ExpansionBudget;
  readonly limits: EvidenceLimits;
  readonly time: TimeBudget | null;
  /** Set once the time budget is spent: every loop stops at its next step. */
  stopped: boolean;
};

/** True when the time budget is spent; the first time, the case gets the `truncated` note. */
function overrun(ctx: Ctx): boolean {
  if (ctx.stopped) return true;
  if (ctx.time === null || ctx.time.now() < ctx.time.deadline) return false;
  ctx.stopped = true;
  ctx.collector.problem(TIME_BUDGET_PROBLEM);
  return true;
}

export interface ExtractOptions {
  /** The CA's issuer certificates: certificates they signed are marked `signedBy`. */
  readonly issuers?: readonly IssuerCertificate[];
}

/**
 * Extracts all evidence from one mail's content. Deterministic (within its time budget),
 * deduplicated, bounded by `limits` and `time`; never throws on malformed input, and never puts
 * key material in its result.
 */
export async function extractEvidence(
  content: MailContent,
  limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS,
  time: TimeBudget | null = null,
  options: ExtractOptions = {},
): Promise<Evidence> {
  const ctx: Ctx = {
    collector: new EvidenceCollector(limits, options.issuers),
    budget: new ExpansionBudget(limits),
    limits,
    time,
    stopped: false,
    passwords: once(() => statedPasswords(content.texts.map((t) => t.text))),
  };
  for (const { text, source } of content.texts) {
    if (overrun(ctx)) break;
    await guarded(ctx, source, () => scanText(ctx, text, source, 'all'));
  }
  for (const part of content.parts) {
    if (overrun(ctx)) break;
    if (SMIME_SIGNATURE_TYPES.test(part.contentType) || /^smime\.p7s$/i.test(part.filename ?? '')) {
      continue;
    }
    await guarded(ctx, part.source, () =>
      scanBytes(ctx, part.content, part.filename, part.contentType, part.source, 0),
    );
  }
  return ctx.collector.finish();
}

function once<T>(f: () => T): () => T {
  let value: { v: T } | null = null;
  return () => {
    value ??= { v: f() };
    return value.v;
  };
}

/** The last line of defence: a bug on one part must not lose the evidence of the others. */
async function guarded(ctx: Ctx, source: EvidenceSource, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    ctx.collector.problem(`${source}: could not be read (${name})`);
  }
}

type RefMode = 'all' | 'crtsh-only';

async function scanText(ctx: Ctx, text: string, source: EvidenceSource, refs: RefMode) {
  const c = ctx.collector;
  if (text.includes('-----BEGIN ') && c.pemBudget > 0) {
    const scan = scanPem(text, c.pemBudget);
    c.spendPemBlocks(scan.blocks.length + scan.malformed, scan.truncated);
    if (scan.malformed > 0) c.problem(`${source}: ${scan.malformed} malformed PEM block(s)`);
    for (const block of scan.blocks) {
      if (overrun(ctx)) {
        block.der.fill(0);
        continue; // Zero the rest too: key bytes should not outlive the scan.
      }
      await handlePemBlock(ctx, block, source);
    }
  }
  if (c.refsFull || overrun(ctx)) return;
  // Base64 inside PEM blocks holds no serial or fingerprint a person wrote; skipping it saves a
  // scan of megabytes in a mass report and avoids hex-looking runs of base64 as false hits.
  const prose = text.includes('-----BEGIN ') ? outsidePemBlocks(text) : text;
  if (refs === 'all') scanTextRefs(prose, c);
  else scanCrtshLinks(prose, c);
}

/** The text with the inside of every `-----BEGIN ...----- ... -----END ...-----` block removed. */
export function outsidePemBlocks(text: string): string {
  const parts: string[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf('-----BEGIN ', from);
    if (begin === -1) break;
    const end = text.indexOf('-----END ', begin);
    if (end === -1) break;
    const close = text.indexOf('-----', end + 9);
    if (close === -1) break;
    parts.push(text.slice(from, begin), '\n');
    from = close + 5;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

async function handlePemBlock(ctx: Ctx, block: PemBlock, source: EvidenceSource): Promise<void> {
  const c = ctx.collector;
  const { label, der } = block;
  if (!c.firstSighting(label, der)) {
    der.fill(0);
    return;
  }
  if (CERTIFICATE_LABELS.has(label)) {
    if (c.addCertificate(der, source, 'always') !== 'parsed') {
      c.problem(`${source}: unreadable ${label} PEM block`);
    }
  } else if (PKCS7_LABELS.has(label)) {
    if (!c.addPkcs7(der, source)) c.problem(`${source}: unreadable ${label} PEM block`);
  } else if (CSR_LABELS.has(label)) {
    if (!(await c.addCsr(der, source))) c.problem(`${source}: unreadable ${label} PEM block`);
  } else if (label === 'ENCRYPTED PRIVATE KEY' || (block.encrypted && isKeyLabel(label))) {
    der.fill(0);
    c.problem(`${source}: encrypted private key (no passphrase), public key not derived`);
  } else if (isKeyLabel(label)) {
    const format = PRIVATE_KEY_LABELS[label];
    if (format === undefined || !c.addKey(der, format, source)) {
      c.problem(`${source}: unreadable ${KEY_LABEL_NAMES[label]} PEM block`);
    }
  } else if (label === OPENSSH_LABEL) {
    if (!c.addOpenSshKeys(der, source)) {
      c.problem(`${source}: unreadable ${KEY_LABEL_NAMES[label]} PEM block`);
    }
  } else if (UNSUPPORTED_KEY_LABELS.has(label)) {
    der.fill(0);
    c.problem(`${source}: ${KEY_LABEL_NAMES[label]} format not supported, needs a manual check`);
  }
  // Other labels (PUBLIC KEY, X509 CRL, ...) carry nothing a CPR acts on.
}

function isKeyLabel(label: string): boolean {
  return Object.hasOwn(PRIVATE_KEY_LABELS, label);
}

function looksLikeDer(bytes: Uint8Array): boolean {
  // A SEQUENCE with a long-form length (every certificate, key, CSR, bundle is > 127 bytes),
  // or a short one spanning exactly the input. Text starting with '0' fails the second byte.
  const len = bytes[1] ?? 0;
  return bytes[0] === 0x30 && ((len >= 0x81 && len <= 0x84) || len + 2 === bytes.length);
}

function looksLikeText(bytes: Uint8Array): boolean {
  return !bytes.subarray(0, TEXT_SNIFF_BYTES).includes(0);
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

async function scanBytes(
  ctx: Ctx,
  bytes: Uint8Array,
  filename: string | null,
  contentType: string,
  source: EvidenceSource,
  depth: number,
): Promise<void> {
  const c = ctx.collector;
  if (overrun(ctx)) return;
  // The same attachment or archive member sent again adds nothing; skip it before any work.
  if (!c.firstSighting('part', bytes)) return;
  const kind = sniffArchive(bytes, filename);
  if (kind !== null) {
    if (depth >= ctx.limits.maxArchiveDepth) {
      c.problem(`${source}: archive nested deeper than ${ctx.limits.maxArchiveDepth}, not opened`);
      return;
    }
    const opened = await openArchive(kind, bytes, filename ?? baseName(source), ctx.budget);
    for (const p of opened.problems) c.problem(`${source}: ${p}`);
    for (const member of opened.members) {
      if (overrun(ctx)) break;
      const memberSource = `${source}/${member.name}`;
      await guarded(ctx, memberSource, () =>
        scanBytes(ctx, member.content, baseName(member.name), '', memberSource, depth + 1),
      );
    }
    return;
  }
  if (looksLikeDer(bytes)) {
    await scanDer(ctx, bytes, filename, source);
    return;
  }
  if (!looksLikeText(bytes)) {
    if (EVIDENCE_EXTENSIONS.test(filename ?? '')) {
      c.problem(`${source}: binary file of an unrecognised format`);
    }
    return;
  }
  let text = new TextDecoder('utf-8').decode(bytes);
  if (/html/i.test(contentType) || /\.html?$/i.test(filename ?? '')) text = stripHtml(text);
  if (isCsvCandidate(filename, contentType) && scanCsv(text, c)) {
    await scanText(ctx, text, source, 'crtsh-only');
  } else {
    await scanText(ctx, text, source, 'all');
  }
}

/**
 * A binary DER object: tried as certificate, private key, CSR and PKCS#7, cheapest first, with
 * the file extension only choosing which to try first.
 */
async function scanDer(
  ctx: Ctx,
  bytes: Uint8Array,
  filename: string | null,
  source: EvidenceSource,
): Promise<void> {
  const c = ctx.collector;
  const name = filename ?? '';
  const asCertificate = async () => c.addCertificate(bytes, source) !== 'no';
  const asPkcs7 = async () => c.addPkcs7(bytes, source);
  const asCsr = () => c.addCsr(bytes, source);
  const asKey = async () => {
    const buf = Buffer.from(bytes);
    try {
      const key = sniffPrivateKey(buf);
      if (key === null) return false;
      c.addParsedKey({ ...key, source });
      return true;
    } catch (error) {
      if (!(error instanceof KeyLimitError)) throw error;
      c.keyRefused(error, source);
      return true;
    } finally {
      buf.fill(0);
    }
  };
  const asPkcs12 = async () => {
    if (!isPkcs12(bytes)) return false;
    const opened = readPkcs12(bytes, ctx.passwords());
    for (const cert of opened.certificates) {
      if (c.addCertificate(cert, source) === 'no') {
        c.problem(`${source}: unreadable certificate in PKCS#12`);
      }
    }
    for (const key of opened.keys) {
      if (!c.addKey(key, 'pkcs8', source)) c.problem(`${source}: unreadable key in PKCS#12`);
    }
    for (const p of opened.problems) c.problem(`${source}: ${p}`);
    // Never the password itself: only that one from the mail was needed.
    if (opened.usedStatedPassword)
      c.problem(`${source}: opened with a password stated in the mail`);
    return true;
  };
  const order = /\.(p12|pfx)$/i.test(name)
    ? [asPkcs12, asCertificate, asKey, asPkcs7, asCsr]
    : /\.(p7b|p7c|p7)$/i.test(name)
      ? [asPkcs7, asCertificate, asCsr, asKey, asPkcs12]
      : /\.(csr|req|p10)$/i.test(name)
        ? [asCsr, asCertificate, asKey, asPkcs7, asPkcs12]
        : /\.key$/i.test(name)
          ? [asKey, asCertificate, asCsr, asPkcs7, asPkcs12]
          : [asCertificate, asKey, asCsr, asPkcs7, asPkcs12];
  for (const attempt of order) if (await attempt()) return;
  c.problem(
    isEncryptedPkcs8(bytes)
      ? `${source}: encrypted private key (no passphrase), public key not derived`
      : `${source}: DER object of an unrecognised type`,
  );
}
