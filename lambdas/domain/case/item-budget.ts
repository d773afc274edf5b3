/**
 * The case item is bounded by bytes, not by counts (DynamoDB refuses items over 400 KB, names and
 * values included). Messages, escalations and audit events have their own items; the case item
 * keeps samples of them. When a case still does not fit, it falls back to a minimal case that
 * keeps everything the clock needs (status, deadlines, checkpoints and every notice, that is
 * every obligation), so that no escalation, notice or closing is ever refused for size.
 */
import { EMPTY_EVIDENCE } from '../evidence/types.ts';
import type { CaseMessage, CprCase, Escalation, Notice } from './types.ts';

/** Under DynamoDB's 400 KB with room for attribute names and the index keys. */
export const MAX_CASE_ITEM_BYTES = 350_000;

export const CASE_ITEM_BUDGET = {
  /** The evidence sample: a mass report's certificates with their SANs stop here. */
  evidenceBytes: 120_000,
  /** SANs kept per certificate in the sample when it is over budget; the file has all. */
  sansPerCertificate: 5,
  /** Messages listed in the item: the report and the latest replies; all are in MESSAGE# items. */
  messagesBytes: 40_000,
  /** Open obligations listed per escalation when trimmed; the audit event lists them all. */
  obligationsPerEscalation: 10,
  /** Status changes kept per notice when trimmed (the first and the latest). */
  historyPerNotice: 5,
  /** Affected certificates kept by the minimal case. */
  minimalAffected: 50,
} as const;

/** The size DynamoDB will count, approximated by the JSON text (an overestimate for numbers). */
export function itemBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The report (first message) and as many of the latest messages as fit in `budget` bytes. */
export function recentMessages(
  messages: readonly CaseMessage[],
  budget: number = CASE_ITEM_BUDGET.messagesBytes,
): CaseMessage[] {
  const [first, ...rest] = messages;
  if (!first) return [];
  const kept: CaseMessage[] = [];
  let used = itemBytes(first);
  for (let i = rest.length - 1; i >= 0; i -= 1) {
    const size = itemBytes(rest[i]);
    if (used + size > budget) break;
    used += size;
    kept.unshift(rest[i]!);
  }
  return [first, ...kept];
}

function trimEscalations(escalations: readonly Escalation[], keep: number): Escalation[] {
  return escalations.map((e) =>
    e.openObligations.length > keep
      ? { ...e, openObligations: e.openObligations.slice(0, keep) }
      : e,
  );
}

function trimHistory(notices: readonly Notice[], keep: number): Notice[] {
  return notices.map((n) =>
    n.history.length > keep
      ? { ...n, history: [n.history[0]!, ...n.history.slice(-(keep - 1))] }
      : n,
  );
}

/** Why a case was cut to fit, recorded on its evidence problems so a person sees it. */
const MINIMAL_NOTE =
  'the case record was cut to its deadlines and obligations to stay within the storage item limit; the full evidence is in the evidence files';

/**
 * `c` as it can be stored: unchanged when it fits, else cut step by step (escalation details,
 * older messages, notice histories, then the evidence and affected samples). Deadlines,
 * checkpoints, notices and the status are never cut. Returns null when even the minimal case
 * is too large (it cannot be with the bounded notice list, but the caller must say so).
 */
export function fitCaseItem(c: CprCase, max: number = MAX_CASE_ITEM_BYTES): CprCase | null {
  if (itemBytes(c) <= max) return c;
  const steps: ((x: CprCase) => CprCase)[] = [
    (x) => ({
      ...x,
      escalations: trimEscalations(x.escalations, CASE_ITEM_BUDGET.obligationsPerEscalation),
    }),
    (x) => ({ ...x, messages: recentMessages(x.messages, CASE_ITEM_BUDGET.messagesBytes / 4) }),
    (x) => ({ ...x, notices: trimHistory(x.notices, CASE_ITEM_BUDGET.historyPerNotice) }),
    (x) => ({
      ...x,
      evidence: { ...EMPTY_EVIDENCE, problems: [MINIMAL_NOTE] },
      evidenceTruncated: true,
      affected: x.affected.slice(0, CASE_ITEM_BUDGET.minimalAffected),
      subscribers: [],
      messages: x.messages.slice(0, 1),
      escalations: trimEscalations(x.escalations, 0),
      notices: trimHistory(x.notices, 2),
    }),
  ];
  let fitted = c;
  for (const step of steps) {
    fitted = step(fitted);
    if (itemBytes(fitted) <= max) return fitted;
  }
  return null;
}
