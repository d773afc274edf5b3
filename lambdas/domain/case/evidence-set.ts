/**
 * Merging evidence from several messages of one case, and cutting it to the bounded sample the
 * case item keeps (DynamoDB items stop at 400 KB; the full sets live in S3).
 */
import {
  type CertificateEvidence,
  type CsrEvidence,
  type Evidence,
  keyProvesPossession,
  type PrivateKeyEvidence,
  provenSpkiHashes,
} from '../evidence/types.ts';
import { CASE_ITEM_BUDGET, itemBytes } from './item-budget.ts';

/** What the case item keeps of each evidence list; the rest is in the evidence JSON in S3. */
export const CASE_ITEM_SAMPLE = {
  /** About 700 bytes each: 100 certificates stay under 70 KB. */
  certificates: 100,
  /** A hash, a reason and a serial: about 300 bytes each. */
  unparsedCertificates: 50,
  /** Each keeps up to `matches` certificate hashes: about 750 bytes apiece. */
  keys: 20,
  csrs: 20,
  /** Certificate hashes kept per key or CSR in the item; the evidence file has them all. */
  matches: 10,
  /** 40-byte serials: 500 keep the item under 25 KB for this list. */
  serials: 500,
  /** Three short strings each: 200 stay under 25 KB. */
  ambiguousSerials: 200,
  sha256Fingerprints: 300,
  crtshIds: 500,
  /** 64-byte hashes: 500 affected certificates take 33 KB. */
  affected: 500,
  /** About 250 bytes each; at most 20 per certificate, so 200 cover the first 10 in full. */
  lints: 200,
  problems: 50,
  /** A notice is about 250 bytes; past this the remaining subscribers share one bulk notice. */
  subscriberNotices: 200,
} as const;

function unionBy<T>(
  a: readonly T[],
  b: readonly T[],
  key: (t: T) => string,
  merge?: (x: T, y: T) => T,
): T[] {
  const out = new Map<string, T>();
  for (const item of a) out.set(key(item), item);
  for (const item of b) {
    const k = key(item);
    const existing = out.get(k);
    out.set(k, existing && merge ? merge(existing, item) : (existing ?? item));
  }
  return [...out.values()];
}

function unionStrings(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

const mergeCert = (x: CertificateEvidence, y: CertificateEvidence): CertificateEvidence => ({
  ...x,
  keyCompromised: x.keyCompromised || y.keyCompromised,
});
/** A later message that brings the real key for an SPKI proves it, even after a forgery. */
const mergeKey = (x: PrivateKeyEvidence, y: PrivateKeyEvidence): PrivateKeyEvidence => {
  const proven = keyProvesPossession(x) ? x : keyProvesPossession(y) ? y : x;
  return { ...proven, matches: unionStrings(x.matches, y.matches) };
};
const mergeCsr = (x: CsrEvidence, y: CsrEvidence): CsrEvidence => ({
  ...x,
  signatureValid: x.signatureValid || y.signatureValid,
  attestation: x.attestation || y.attestation,
  matches: unionStrings(x.matches, y.matches),
});

/** Union of two evidence sets, deduplicated by hash; flags and matches are or-ed together. */
export function mergeEvidence(a: Evidence, b: Evidence): Evidence {
  return {
    certificates: unionBy(a.certificates, b.certificates, (c) => c.sha256, mergeCert),
    unparsedCertificates: unionBy(a.unparsedCertificates, b.unparsedCertificates, (u) => u.sha256),
    keys: unionBy(a.keys, b.keys, (k) => k.spkiSha256, mergeKey),
    csrs: unionBy(a.csrs, b.csrs, (c) => c.spkiSha256, mergeCsr),
    serials: unionStrings(a.serials, b.serials),
    // A pair one message left open may be settled by another's serials: it is shown once.
    ambiguousSerials: unionBy(
      a.ambiguousSerials,
      b.ambiguousSerials,
      (x) => `${x.asHex} ${x.asDecimal}`,
    ),
    sha256Fingerprints: unionStrings(a.sha256Fingerprints, b.sha256Fingerprints),
    crtshIds: unionStrings(a.crtshIds, b.crtshIds),
    lints: unionBy(a.lints, b.lints, (l) => `${l.certificate} ${l.code} ${l.detail}`),
    problems: unionStrings(a.problems, b.problems),
  };
}

/** Marks certificates whose key is proven compromised (by a key or a valid CSR) and lists matches. */
export function linkKeysToCertificates(
  evidence: Evidence,
  extraCompromised: ReadonlySet<string> = new Set(),
): Evidence {
  const bySpki = new Map<string, string[]>();
  for (const cert of evidence.certificates) {
    const list = bySpki.get(cert.spkiSha256) ?? [];
    list.push(cert.sha256);
    bySpki.set(cert.spkiSha256, list);
  }
  const provenSpki = new Set<string>(provenSpkiHashes(evidence));
  return {
    ...evidence,
    certificates: evidence.certificates.map((c) => ({
      ...c,
      keyCompromised:
        c.keyCompromised || provenSpki.has(c.spkiSha256) || extraCompromised.has(c.sha256),
    })),
    keys: evidence.keys.map((k) => ({
      ...k,
      matches: keyProvesPossession(k)
        ? unionStrings(k.matches, bySpki.get(k.spkiSha256) ?? [])
        : k.matches,
    })),
    csrs: evidence.csrs.map((c) => ({
      ...c,
      matches: c.signatureValid
        ? unionStrings(c.matches, bySpki.get(c.spkiSha256) ?? [])
        : c.matches,
    })),
  };
}

/** The bounded sample of `evidence` the case item keeps; keys' and CSRs' match lists are capped too. */
export function sampleEvidence(evidence: Evidence): Evidence {
  return fitEvidenceSample(countSample(evidence));
}

function countSample(evidence: Evidence): Evidence {
  const capMatches = <T extends { matches: readonly string[] }>(x: T): T => ({
    ...x,
    matches: x.matches.slice(0, CASE_ITEM_SAMPLE.matches),
  });
  return {
    certificates: evidence.certificates.slice(0, CASE_ITEM_SAMPLE.certificates),
    unparsedCertificates: evidence.unparsedCertificates.slice(
      0,
      CASE_ITEM_SAMPLE.unparsedCertificates,
    ),
    keys: evidence.keys.slice(0, CASE_ITEM_SAMPLE.keys).map(capMatches),
    csrs: evidence.csrs.slice(0, CASE_ITEM_SAMPLE.csrs).map(capMatches),
    serials: evidence.serials.slice(0, CASE_ITEM_SAMPLE.serials),
    ambiguousSerials: evidence.ambiguousSerials.slice(0, CASE_ITEM_SAMPLE.ambiguousSerials),
    sha256Fingerprints: evidence.sha256Fingerprints.slice(0, CASE_ITEM_SAMPLE.sha256Fingerprints),
    crtshIds: evidence.crtshIds.slice(0, CASE_ITEM_SAMPLE.crtshIds),
    lints: evidence.lints.slice(0, CASE_ITEM_SAMPLE.lints),
    problems: evidence.problems.slice(0, CASE_ITEM_SAMPLE.problems),
  };
}

// biome-ignore format: a long list of names, packed to read as one block
const LIST_NAMES = [
  'certificates', 'unparsedCertificates', 'keys', 'csrs', 'serials', 'ambiguousSerials',
  'sha256Fingerprints', 'crtshIds', 'lints', 'problems',
] as const;

/**
 * Cuts a count-bounded sample to the item's evidence byte budget: counts alone let 100
 * certificates with 100 SANs each fill the whole item. SANs are cut first (the certificate
 * stays listed), then the longest list is halved until the sample fits.
 */
function fitEvidenceSample(sample: Evidence): Evidence {
  const budget = CASE_ITEM_BUDGET.evidenceBytes;
  if (itemBytes(sample) <= budget) return sample;
  let fitted: Evidence = {
    ...sample,
    certificates: sample.certificates.map((c) =>
      c.sans.length > CASE_ITEM_BUDGET.sansPerCertificate
        ? { ...c, sans: c.sans.slice(0, CASE_ITEM_BUDGET.sansPerCertificate) }
        : c,
    ),
  };
  while (itemBytes(fitted) > budget) {
    const largest = LIST_NAMES.reduce((a, b) =>
      itemBytes(fitted[a]) >= itemBytes(fitted[b]) ? a : b,
    );
    const list = fitted[largest] as readonly unknown[];
    if (list.length === 0) break;
    fitted = { ...fitted, [largest]: list.slice(0, Math.floor(list.length / 2)) };
  }
  return fitted;
}

/** True when the sample the item keeps is not all of `full` (a count, a list or a SAN list cut). */
export function sampleIsPartial(full: Evidence, sample: Evidence): boolean {
  if (LIST_NAMES.some((name) => full[name].length !== sample[name].length)) return true;
  return sample.certificates.some((c, i) => c.sans.length !== full.certificates[i]?.sans.length);
}
