/**
 * Text from mail shown to people: subjects, names, bounce diagnostics. A sender controls every
 * byte of it, so before it reaches a notice, a page or a Markdown timeline it is made one line
 * (no control characters: no header or line injection), stripped of Unicode bidirectional
 * controls (a right-to-left override makes `moc.elpmaxe@evil` read as another address; the
 * "Trojan Source" trick, CVE-2021-42574), and, for Markdown, escaped so it stays text.
 */

/** C0/C1 controls and the Unicode line and paragraph separators. */
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * Unicode's explicit bidirectional formatting characters (UAX #9): embeddings and overrides
 * (U+202A-U+202E), isolates (U+2066-U+2069) and the implicit marks (U+200E, U+200F, U+061C).
 */
export const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;

/** One line, no controls, no bidi formatting; runs of them become one space. */
export function displayLine(text: string): string {
  return text.replace(BIDI_CONTROLS, '').replace(LINE_BREAKING, ' ').trim();
}

/**
 * What can start markup in the middle of a line (CommonMark and GitHub's extensions): emphasis
 * and strikethrough, code spans, links and images (`[`, `!`), raw HTML and autolinks (`<`),
 * entities (`&`), table cells (`|`), the backslash itself, and `:` (GFM links bare `https://...`).
 * Line-start markup (`#`, `-`, `1.`) cannot occur: the text is never at the start of a line.
 */
const MARKDOWN_INLINE = /[\\`*_[\]<>!|~&:]/g;
/** GFM also links bare `www.` names; an escaped dot keeps them text. */
const WWW = /\b(www)\./gi;

/**
 * `displayLine`, then every character that could start inline Markdown escaped with a
 * backslash: no link, image, HTML tag, emphasis or autolink can come from the text, and it
 * renders as itself.
 */
export function markdownText(text: string): string {
  return displayLine(text)
    .replace(MARKDOWN_INLINE, (c) => `\\${c}`)
    .replace(WWW, '$1\\.');
}

/** Inline code: Markdown is not interpreted inside; backticks cannot close it early. */
export function markdownCode(text: string): string {
  return `\`${displayLine(text).replaceAll('`', "'")}\``;
}
