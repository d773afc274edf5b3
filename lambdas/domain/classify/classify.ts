/**
 * A first classification of a message, which picks the deadline rules a person starts from
 * (BR 4.9.1.1: 24 hours for key compromise, 5 days for misissuance). It is deliberately simple
 * and errs towards urgency: a person confirms or corrects it, never the other way round.
 *
 * Precedence: keyCompromise > misissuance > other > notACpr.
 *
 * - keyCompromise: a private key in the report that proves possession by signing, a CSR whose signature verifies and that attests
 *   a compromise or matches a certificate, or a stated compromise in the text. Negations ("this
 *   is not a key compromise") are not understood: reading them as compromise only makes the
 *   case more urgent, which is the safe error.
 * - misissuance: the text says so ("misissued", "not compliant", "violates the Baseline
 *   Requirements", "CAA", "invalid SAN", "incorrect", "zlint"...) and the message names a
 *   certificate (evidence) or speaks of certificates at all (CPR vocabulary).
 * - notACpr: no evidence at all and no CPR vocabulary; or an automatic message (a DSN or an
 *   auto-reply, RFC 3464 / RFC 3834) with no evidence.
 * - other: everything else, e.g. a revocation request naming certificates.
 *
 * The text of automatic messages is not read: bounces and auto-replies quote our own notices,
 * whose subjects repeat the reporter's words ("Key compromise ..."). Only evidence counts there.
 */
import type { Classification } from '../case/types.ts';
import { type CsrEvidence, type Evidence, keyProvesPossession } from '../evidence/types.ts';
import type { ParsedMail } from '../mail/types.ts';
import { isAutoSubmitted } from './acknowledgment.ts';

const COMPROMISE_PATTERNS: readonly RegExp[] = [
  // "key compromise", "keyCompromise" (RFC 5280 CRLReason), "Key Compromise Attestation"
  /\bkey[\s_-]*compromise/i,
  /\bcompromised\s+(?:private\s+|signing\s+)?keys?\b/i,
  // "private key(s) [for example.com] was/has been leaked|exposed|published|..."
  /\bprivate\s+keys?\b(?:\s+\S+){0,6}?\s+(?:was|were|is|are|got|has\s+been|have\s+been)\s+(?:leaked|exposed|published|compromised|disclosed|stolen)\b/i,
  /\b(?:leaked|exposed|published|stolen)\s+private\s+keys?\b/i,
];

const MISISSUANCE_PATTERNS: readonly RegExp[] = [
  /\bmis-?issu/i,
  /\b(?:non-?|not\s+)compliant\b/i,
  /\bviolat\w*\s+(?:of\s+)?(?:the\s+)?(?:CA\/B(?:rowser)?\s+Forum(?:'s)?\s+)?(?:baseline\s+requirements|BRs?\b)/i,
  /\bBRs?\s+violation/i,
  /\bCAA\b/,
  /\binvalid\s+(?:SANs?|domains?|validation|subject|encoding|extensions?)\b/i,
  /\bincorrect(?:ly)?\b/i,
  /\b(?:z|pki|cert)?lint(?:ing|er|s)?\b/i,
  /\b(?:wrongly|improperly|erroneously)\s+issued\b/i,
  /\bshould\s+not\s+have\s+been\s+issued\b/i,
];

/** Words of the trade: a message with none of them and no evidence is not a CPR. */
const CPR_VOCABULARY =
  /\b(?:certificates?|certs?|revoked?|revokes|revoking|revocation|CPR|problem\s+report|TLS|SSL|X\.?509|compromis\w*|mis-?issu\w*|private\s+keys?|CSRs?|crt\.sh|OCSP|CRL|baseline\s+requirements)\b/i;

/** Does the text state a key compromise? (See the module comment on negations.) */
export function statedCompromise(text: string): boolean {
  return COMPROMISE_PATTERNS.some((pattern) => pattern.test(text));
}

/** Does the text state a misissuance or non-compliance? */
export function statedMisissuance(text: string): boolean {
  return MISISSUANCE_PATTERNS.some((pattern) => pattern.test(text));
}

/** Does the text speak about certificates, revocation or CPRs at all? */
export function hasCprVocabulary(text: string): boolean {
  return CPR_VOCABULARY.test(text);
}

/** A CSR proves possession of its key only once its signature verifies. */
function provesCompromise(csr: CsrEvidence): boolean {
  return csr.signatureValid && (csr.attestation || csr.matches.length > 0);
}

function namesCertificates(evidence: Evidence): boolean {
  return (
    evidence.certificates.length > 0 ||
    evidence.serials.length > 0 ||
    evidence.sha256Fingerprints.length > 0 ||
    evidence.crtshIds.length > 0
  );
}

function hasEvidence(evidence: Evidence): boolean {
  return namesCertificates(evidence) || evidence.keys.length > 0 || evidence.csrs.length > 0;
}

/** Classifies a parsed message given the evidence extracted from it (precedence above). */
export function classify(input: { evidence: Evidence; mail: ParsedMail }): Classification {
  const { evidence, mail } = input;
  // Not a From of postmaster@: hosting postmasters do file real CPRs.
  const automatic = mail.isDsn || isAutoSubmitted(mail.headers);
  const texts = automatic ? [] : mail.content.texts.map((t) => t.text);

  if (
    evidence.keys.some(keyProvesPossession) ||
    evidence.csrs.some(provesCompromise) ||
    texts.some(statedCompromise)
  ) {
    return 'keyCompromise';
  }
  const vocabulary = texts.some(hasCprVocabulary);
  if (texts.some(statedMisissuance) && (namesCertificates(evidence) || vocabulary)) {
    return 'misissuance';
  }
  if (hasEvidence(evidence) || vocabulary) return 'other';
  return 'notACpr';
}
