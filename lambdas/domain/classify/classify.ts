/**
 * A first classification of a message, which picks the deadline rules a person starts from
 * (BR 4.9.1.1: 24 hours for key compromise, 5 days for misissuance). It is deliberately simple
 * and errs towards urgency: a person confirms or corrects it, never the other way round. It is
 * explainable: the result lists the signals that decided it (`classificationSignals` on the
 * case), and the phrases it reacts to are data, with their reasons, in `lexicon.ts`.
 *
 * Precedence: keyCompromise > misissuance > other > notACpr.
 *
 * - keyCompromise: a private key in the report that proves possession by signing
 *   (`evidence:privateKey`; a forged key file does not), a CSR whose signature
 *   verifies and that attests a compromise or matches a certificate (`evidence:compromiseCsr`),
 *   or a stated compromise in any language of the lexicon (`text:<id>:<lang>`: "key compromise",
 *   "the server was hacked", "we lost the key", "kompromittiert", "秘密鍵が漏洩"...). Negations
 *   ("this is not a key compromise") are not understood: reading them as compromise only makes
 *   the case more urgent, which is the safe error.
 * - misissuance: a certificate of the report fails an `error` lint (`lint:<code>`), or the text
 *   states a misissuance or a defect (`text:misissued:fr`, `text:underscore:ja`, "I never
 *   requested this certificate"...) and the message names a certificate or speaks of
 *   certificates at all (CPR vocabulary).
 * - other: everything else that is about certificates: evidence, CPR vocabulary, or a request
 *   to revoke. A revocation request with no reason is `other` with `revocationRequested`, never
 *   `notACpr` (from a Subscriber it is a BR 4.9.1.1 (1) request).
 * - notACpr: no evidence, no vocabulary, no request.
 *
 * Two kinds of mail are read with care:
 * - automatic messages (a DSN, an auto-reply, RFC 3464 / RFC 3834, or mail from MAILER-DAEMON,
 *   whose plain-text bounces carry no DSN part; not postmaster@, a person): their text is not read,
 *   only their evidence counts, because bounces and auto-replies quote our own notices, whose
 *   subjects repeat the reporter's words ("Key compromise ...") (`mail:automatic`);
 * - list and bulk mail (List-Id, List-Unsubscribe, Precedence: bulk/list/junk) that names no
 *   certificate of ours (nothing matched the inventory): at most `other`. Newsletters discuss
 *   key compromise in general; that is no reason to page anyone (`mail:bulkNotOurs`). The same
 *   mail naming one of our certificates is classified like any other.
 */
import type { Classification } from '../case/types.ts';
import { type CsrEvidence, type Evidence, keyProvesPossession } from '../evidence/types.ts';
import { isMisissuance } from '../lint/codes.ts';
import type { ParsedMail } from '../mail/types.ts';
import { isAutoSubmitted, isFromMailerDaemon, isListOrBulk } from './acknowledgment.ts';
import { MAX_SIGNAL_TEXT_CHARS, type SignalKind, type TextSignal, textSignals } from './lexicon.ts';

/**
 * Characters of all texts of a message (subject, bodies, forwarded parts) the lexicon reads, in
 * order: with MAX_SIGNAL_TEXT_CHARS per text this bounds the classifier's work per message.
 */
export const MAX_CLASSIFIED_TEXT_CHARS = 300_000;

/** The texts of a message, cut so that together they hold at most MAX_CLASSIFIED_TEXT_CHARS. */
function boundedTexts(texts: readonly { readonly text: string }[]): string[] {
  const out: string[] = [];
  let left = MAX_CLASSIFIED_TEXT_CHARS;
  for (const { text } of texts) {
    if (left <= 0) break;
    out.push(text.slice(0, left));
    left -= Math.min(text.length, MAX_SIGNAL_TEXT_CHARS);
  }
  return out;
}
/** Signals recorded per case: enough to explain, bounded for the case item. */
export const MAX_CLASSIFICATION_SIGNALS = 40;

/** A classification with the signals that decided it. */
export interface ClassificationResult {
  readonly classification: Classification;
  /** e.g. `evidence:privateKey`, `lint:dnsNameUnderscore`, `text:serverHacked:de`, `mail:bulkNotOurs`. */
  readonly signals: readonly string[];
  /** Someone asked for revocation (BR 4.9.1.1 (1) when it is the Subscriber). */
  readonly revocationRequested: boolean;
}

export interface ClassifyInput {
  readonly evidence: Evidence;
  readonly mail: ParsedMail;
  /**
   * True when the inventory matched something the report names (a certificate of ours).
   * Defaults to true: without an inventory answer, a list mail is not given the benefit of the
   * doubt (the safe error is the urgent one).
   */
  readonly namesOurCertificate?: boolean;
}

function signalsOfKind(signals: readonly TextSignal[], kind: SignalKind): string[] {
  return signals.filter((s) => s.kind === kind).map((s) => `text:${s.id}:${s.language}`);
}

/** Does the text state a key compromise, in any language of the lexicon? */
export function statedCompromise(text: string): boolean {
  return textSignals(text).some((s) => s.kind === 'compromise');
}

/** Does the text state a misissuance or a defect? */
export function statedMisissuance(text: string): boolean {
  return textSignals(text).some((s) => s.kind === 'misissuance');
}

/** Does the text speak about certificates, revocation or CPRs at all? */
export function hasCprVocabulary(text: string): boolean {
  return textSignals(text).some((s) => s.kind === 'vocabulary' || s.kind === 'revocationRequest');
}

/** A CSR proves possession of its key only once its signature verifies. */
function provesCompromise(csr: CsrEvidence): boolean {
  return csr.signatureValid && (csr.attestation || csr.matches.length > 0);
}

function namesCertificates(evidence: Evidence): boolean {
  return (
    evidence.certificates.length > 0 ||
    evidence.unparsedCertificates.length > 0 ||
    evidence.serials.length > 0 ||
    evidence.sha256Fingerprints.length > 0 ||
    evidence.crtshIds.length > 0
  );
}

function hasEvidence(evidence: Evidence): boolean {
  return namesCertificates(evidence) || evidence.keys.length > 0 || evidence.csrs.length > 0;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].slice(0, MAX_CLASSIFICATION_SIGNALS);
}

/** Classifies a parsed message given its evidence (rules in the module comment). */
export function classify(input: ClassifyInput): ClassificationResult {
  const { evidence, mail } = input;
  // Not a From of postmaster@: hosting postmasters do file real CPRs.
  const automatic = mail.isDsn || isAutoSubmitted(mail.headers) || isFromMailerDaemon(mail);
  const bulkNotOurs =
    !automatic && isListOrBulk(mail.headers) && input.namesOurCertificate === false;
  const found = automatic ? [] : boundedTexts(mail.content.texts).flatMap((t) => textSignals(t));
  const mailSignals = [
    ...(automatic ? ['mail:automatic'] : []),
    ...(bulkNotOurs ? ['mail:bulkNotOurs'] : []),
  ];
  const request = signalsOfKind(found, 'revocationRequest');
  // A list mail that names nothing of ours asks nothing of us, whatever its articles say.
  const revocationRequested = request.length > 0 && !bulkNotOurs;
  const result = (classification: Classification, decided: readonly string[]) => ({
    classification,
    signals: unique([...decided, ...(revocationRequested ? request : []), ...mailSignals]),
    revocationRequested,
  });

  const compromise = [
    ...(evidence.keys.some(keyProvesPossession) ? ['evidence:privateKey'] : []),
    ...(evidence.csrs.some(provesCompromise) ? ['evidence:compromiseCsr'] : []),
    ...signalsOfKind(found, 'compromise'),
  ];
  const vocabulary = found.some((s) => s.kind === 'vocabulary');
  const stated = signalsOfKind(found, 'misissuance');
  const misissuance = [
    // A certificate that breaks a MUST of the BRs is misissued (BR 4.9.1.1 (12)), whatever the
    // text says: reporters often just paste it.
    ...evidence.lints.filter(isMisissuance).map((l) => `lint:${l.code}`),
    ...(stated.length > 0 && (namesCertificates(evidence) || vocabulary) ? stated : []),
  ];
  const relevance = [
    ...(hasEvidence(evidence) ? ['evidence:names'] : []),
    ...(vocabulary ? signalsOfKind(found, 'vocabulary') : []),
  ];

  if (!bulkNotOurs) {
    if (compromise.length > 0) return result('keyCompromise', compromise);
    if (misissuance.length > 0) return result('misissuance', misissuance);
  }
  if (relevance.length > 0 || revocationRequested || (bulkNotOurs && compromise.length > 0)) {
    // A list mail's keys and defects are still shown as what they are, for a person to judge.
    return result('other', [...relevance, ...(bulkNotOurs ? [...compromise, ...misissuance] : [])]);
  }
  return result('notACpr', []);
}
