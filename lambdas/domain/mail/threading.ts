/**
 * How a message finds the case it belongs to: a case id of ours in brackets in the subject, or a
 * Message-ID of ours in In-Reply-To/References (RFC 5322 3.6.4). Both are only hints: intake
 * checks that the case or Message-ID really exists before joining a message to it.
 */
import { CASE_ID_PATTERN } from '../case/case-id.ts';
import type { ParsedMail } from './types.ts';

/** A case id inside `[...]`, the way our acknowledgment subject carries it. */
const BRACKETED_CASE_ID = new RegExp(`\\[\\s*(${CASE_ID_PATTERN.source})\\s*\\]`, 'g');

/** Case ids read from one subject; a subject quoting more than this is not a reply to us. */
export const MAX_SUBJECT_CASE_IDS = 5;

/** Message-IDs `referencedMessageIds` returns; each one costs intake a lookup. */
export const MAX_REFERENCED_IDS = 50;

/**
 * The bracketed case ids in a subject (`Re: [CPR-20240409-7K3Q4M] ...`), in order, without
 * duplicates, at most `MAX_SUBJECT_CASE_IDS`.
 */
export function caseIdsInSubject(subject: string | null): string[] {
  if (!subject) return [];
  const ids: string[] = [];
  for (const match of subject.matchAll(BRACKETED_CASE_ID)) {
    const id = match[1];
    if (id !== undefined && !ids.includes(id)) ids.push(id);
    if (ids.length >= MAX_SUBJECT_CASE_IDS) break;
  }
  return ids;
}

/**
 * The Message-IDs this message answers, most telling first: In-Reply-To (the direct parent),
 * then References from the newest (last, RFC 5322 3.6.4) to the oldest. Deduplicated, at most
 * `MAX_REFERENCED_IDS`.
 */
export function referencedMessageIds(mail: ParsedMail): string[] {
  const seen = new Set<string>();
  const add = (id: string): boolean => {
    if (id) seen.add(id);
    return seen.size >= MAX_REFERENCED_IDS;
  };
  for (const id of mail.inReplyTo) if (add(id)) return [...seen];
  for (let i = mail.references.length - 1; i >= 0; i--) {
    if (add(mail.references[i] ?? '')) return [...seen];
  }
  return [...seen];
}
