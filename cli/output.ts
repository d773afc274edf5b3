/**
 * How the command prints: aligned plain-text tables for people, JSON for scripts. Mail is hostile
 * input, so every value from it is stripped of control characters before it reaches a terminal
 * (an escape sequence in a subject line must not repaint the screen).
 */
import { minuteUtc as domainMinuteUtc } from '../lambdas/domain/case/timeline.ts';

export interface Io {
  /** One line (or block) on standard output. */
  out(text: string): void;
  /** One line on standard error. */
  err(text: string): void;
}

const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** A value for one cell or line: control and bidi-override characters become spaces. */
export function clean(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return String(value).replace(CONTROL, ' ');
}

/** An aligned table; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(clean));
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** `2026-11-27T09:00:00.000Z` as `2026-11-27 09:00 UTC`; `-` for none. */
export function minuteUtc(iso: string | null | undefined): string {
  return iso ? clean(domainMinuteUtc(iso)) : '-';
}

/** A list in one cell: the first few, then how many more. */
export function few(items: readonly string[], max = 3): string {
  if (items.length === 0) return '-';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} +${items.length - max} more` : shown;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
