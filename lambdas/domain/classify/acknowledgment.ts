/**
 * Whether intake sends the automatic "we received your report" acknowledgment, and to whom.
 *
 * The acknowledgment is an automatic response in the sense of RFC 3834, so it follows its rules
 * (section 2: never answer automatic mail, bounces, a null Return-Path or list traffic) and adds
 * loop safety of our own. It is not the BR 4.9.5 preliminary report: suppressing it never
 * silences the reporter's clock, and spam or virus verdicts are never a reason to suppress it
 * (NETLOCK, certSIGN and GlobalSign lost CPRs to such verdicts; a person decides, not a filter).
 *
 * Precedence, first match wins (the reason recorded is the most fundamental one):
 *  1. missingFrom     no From header: nobody to answer.
 *  2. invalidFrom     a From header without a valid addr-spec.
 *  3. ownAddress      From or Reply-To is one of our addresses (plus-addressing included): a loop.
 *  4. autoSubmitted   RFC 3834 5.1 `Auto-Submitted` other than `no`; the de-facto `X-Autoreply`
 *                     and `X-Autorespond` markers; Microsoft's `X-Auto-Response-Suppress`
 *                     (MS-OXCMAIL 2.2.3.2.14) with `All` or `AutoReply`: the sender asked for no
 *                     auto-replies, and only automated senders set it. Its other values (DR,
 *                     NDR, RN, NRN, OOF) are about receipts and out-of-office notes, not us.
 *  5. bounce          a DSN (RFC 3464 multipart/report or delivery-status part), or From
 *                     `mailer-daemon@` / `postmaster@` (RFC 5321 4.5.1).
 *  6. nullReturnPath  Return-Path `<>` (RFC 3834 2, RFC 5321 4.5.5).
 *  7. bulkPrecedence  `Precedence: bulk | list | junk` (RFC 3834 2, RFC 2076).
 *  8. mailingList     `List-Id` (RFC 2919) or `List-Unsubscribe` (RFC 2369).
 *  9. multipleFrom    From holds more than one mailbox (or there are several From headers):
 *                     nobody can tell which one wrote it, and an answer to the first would let
 *                     anyone name a victim next to themselves.
 * 10. dmarcFail       DMARC failed, under any policy (`none` and `quarantine` too): the From is
 *                     likely forged, and an answer would be backscatter to an innocent address.
 * 11. spfFail         SPF failed and no aligned DKIM signature passed. A passing DMARC with a
 *                     failing SPF means an aligned DKIM signature passed (RFC 7489 4.2). Without a
 *                     DMARC verdict, SES's DKIM PASS counts only when every DKIM-Signature is
 *                     aligned with the From domain (relaxed: the same domain, or one a subdomain
 *                     of the other): SES's verdict does not say which signature passed.
 *
 * Past these rules the acknowledgment still faces the per-recipient rate limit at send time
 * (`rateLimited`, recorded by the clock), so forged reports cannot mail-bomb a third party.
 */
import type { AcknowledgmentDecision, SuppressionReason, Verdicts } from '../case/types.ts';
import type { ParsedMail } from '../mail/types.ts';

/** Local parts that only machines send from (RFC 5321 4.5.1, RFC 3834 2). */
const BOUNCE_LOCAL_PARTS = new Set(['mailer-daemon', 'postmaster']);

/** `Precedence` values of bulk traffic (RFC 2076 3.9). */
const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);

/** `X-Auto-Response-Suppress` values that cover an acknowledgment. */
const SUPPRESS_AUTO_REPLY = new Set(['all', 'autoreply']);

const SEND: AcknowledgmentDecision = { decision: 'send', reason: null };

function suppress(reason: SuppressionReason): AcknowledgmentDecision {
  return { decision: 'suppress', reason };
}

/** `local+tag@domain` to `local@domain`, lowercased: plus-addressing reaches the same mailbox. */
function canonical(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return lower;
  const local = lower.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}${lower.slice(at)}`;
}

/** The first token of a header value, lowercased (drops parameters and comments). */
function keyword(value: string | undefined): string | undefined {
  return value
    ?.trim()
    .split(/[\s;(]/)[0]
    ?.toLowerCase();
}

/**
 * Did a machine write this as a response or notification? `Auto-Submitted` other than `no`
 * (RFC 3834 5.1), or the de-facto `X-Autoreply` / `X-Autorespond` markers.
 */
export function isAutoSubmitted(headers: Readonly<Record<string, string>>): boolean {
  const autoSubmitted = keyword(headers['auto-submitted']);
  if (autoSubmitted !== undefined && autoSubmitted !== 'no') return true;
  return headers['x-autoreply'] !== undefined || headers['x-autorespond'] !== undefined;
}

/** `X-Auto-Response-Suppress: All` or `AutoReply`: the sender asked us not to auto-reply. */
function asksForNoAutoReply(headers: Readonly<Record<string, string>>): boolean {
  const values = headers['x-auto-response-suppress']?.split(/[\s,]+/) ?? [];
  return values.some((value) => SUPPRESS_AUTO_REPLY.has(value.toLowerCase()));
}

/** `Precedence: bulk | list | junk` (RFC 3834 2, RFC 2076). */
function isBulkPrecedence(headers: Readonly<Record<string, string>>): boolean {
  const precedence = keyword(headers.precedence);
  return precedence !== undefined && BULK_PRECEDENCE.has(precedence);
}

/** `List-Id` (RFC 2919) or `List-Unsubscribe` (RFC 2369). */
function isMailingList(headers: Readonly<Record<string, string>>): boolean {
  return headers['list-id'] !== undefined || headers['list-unsubscribe'] !== undefined;
}

/** List or bulk mail: a mailing list, a newsletter, a campaign. */
export function isListOrBulk(headers: Readonly<Record<string, string>>): boolean {
  return isBulkPrecedence(headers) || isMailingList(headers);
}

/** Mail from `mailer-daemon@`: only mail software writes as that (qmail, Exim bounces). */
export function isFromMailerDaemon(mail: ParsedMail): boolean {
  const address = mail.from?.address ?? '';
  return address.slice(0, Math.max(0, address.lastIndexOf('@'))).toLowerCase() === 'mailer-daemon';
}

/** A DSN (RFC 3464) or mail from a bounce address (RFC 5321 4.5.1). */
export function isBounce(mail: ParsedMail): boolean {
  if (mail.isDsn) return true;
  const address = mail.from?.address ?? '';
  const local = address.slice(0, Math.max(0, address.lastIndexOf('@'))).toLowerCase();
  return BOUNCE_LOCAL_PARTS.has(local);
}

/**
 * Send or suppress the acknowledgment, with the first matching reason in the order documented
 * above. `ownAddresses` are our CPR and notice addresses.
 */
export function decideAcknowledgment(input: {
  mail: ParsedMail;
  verdicts: Verdicts;
  ownAddresses: readonly string[];
}): AcknowledgmentDecision {
  const { mail, verdicts, ownAddresses } = input;
  const headers = mail.headers;
  if (mail.from === null) return suppress('missingFrom');
  if (mail.fromInvalid || reporterAddress(mail) === null) return suppress('invalidFrom');

  const own = new Set(ownAddresses.map(canonical));
  const targets = [mail.from.address, mail.replyTo?.address].filter((a): a is string => !!a);
  if (targets.some((address) => own.has(canonical(address)))) return suppress('ownAddress');

  if (isAutoSubmitted(headers) || asksForNoAutoReply(headers)) return suppress('autoSubmitted');
  if (isBounce(mail)) return suppress('bounce');
  if (mail.returnPath === '<>') return suppress('nullReturnPath');

  if (isBulkPrecedence(headers)) return suppress('bulkPrecedence');
  if (isMailingList(headers)) return suppress('mailingList');

  if (mail.fromMailboxes > 1) return suppress('multipleFrom');
  if (verdicts.dmarc === 'FAIL') return suppress('dmarcFail');
  if (verdicts.spf === 'FAIL' && !alignedDkimPassed(mail, verdicts)) return suppress('spfFail');
  // verdicts.spam and verdicts.virus are deliberately not read: see the module comment.
  return SEND;
}

/** Relaxed alignment (RFC 7489 3.1.1) without a public-suffix list: same domain or a subdomain. */
function aligned(signingDomain: string, fromDomain: string): boolean {
  return (
    signingDomain === fromDomain ||
    fromDomain.endsWith(`.${signingDomain}`) ||
    signingDomain.endsWith(`.${fromDomain}`)
  );
}

/** Did a DKIM signature aligned with the From domain pass? See rule 11 above. */
export function alignedDkimPassed(mail: ParsedMail, verdicts: Verdicts): boolean {
  if (verdicts.dmarc === 'PASS') return true;
  if (verdicts.dkim !== 'PASS' || mail.dkimDomains.length === 0) return false;
  const address = mail.from?.address ?? '';
  const fromDomain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return fromDomain !== '' && mail.dkimDomains.every((d) => aligned(d, fromDomain));
}

/**
 * Who filed the report: the From address when it is a valid addr-spec, else null. Reply-To is
 * never used in its place: anyone can set it, DMARC does not cover it, and an answer sent there
 * could carry case details to a third party. A person can still answer a Reply-To by hand.
 */
export function reporterAddress(mail: ParsedMail): string | null {
  if (mail.from === null || mail.fromInvalid) return null;
  const address = mail.from.address.trim();
  return address.includes('@') ? address : null;
}
