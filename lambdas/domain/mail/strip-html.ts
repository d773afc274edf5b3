/**
 * HTML to searchable text in one linear pass: what evidence extraction uses for HTML attachments,
 * and what `parseMail` falls back to when mailparser's converter fails. Nothing is rendered: tags
 * are dropped, line-ending tags become line breaks (a PEM block split by `<br>` stays a PEM block),
 * link targets are kept (crt.sh links are evidence), and the entities that occur in PEM, base64
 * and URLs are decoded.
 */

/**
 * A tag cannot contain `<`, so a match never runs past the next `<`: one pass over the text, even
 * with thousands of unclosed tags (`<[^>]*>` would rescan to the end for every one of them).
 */
const TAG = /<[^<>]*>/g;
const TAG_NAME = /^<(\/?)([a-z0-9]+)/i;
const LINE_ENDING_TAGS = new Set(['br', 'p', 'div', 'pre', 'li', 'tr', 'table']);
const LINK = /\s(?:href|src)\s*=\s*["']?([^"'\s>]+)/i;

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: ' ',
  '#43': '+',
  plus: '+',
  '#x2f': '/',
  '#47': '/',
  sol: '/',
  '#61': '=',
  equals: '=',
};
const ENTITY = new RegExp(`&(${Object.keys(ENTITIES).join('|')});`, 'gi');

export function stripHtml(html: string): string {
  return html
    .replace(TAG, (tag) => {
      const [, closing, name = ''] = TAG_NAME.exec(tag) ?? [];
      const lower = name.toLowerCase();
      if (lower === 'br' || (closing && LINE_ENDING_TAGS.has(lower))) return '\n';
      const link = LINK.exec(tag)?.[1];
      return link ? ` ${link} ` : ' ';
    })
    .replace(ENTITY, (_, e: string) => ENTITIES[e.toLowerCase()] ?? '');
}
