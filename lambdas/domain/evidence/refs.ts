/**
 * References to certificates written in prose: crt.sh links, SHA-256 fingerprints and serial
 * numbers. Hex words are everywhere in mail (message ids, hashes, key dumps), so serials are
 * only taken where the text says they are serials. The rules, in order of trust:
 *
 * 1. crt.sh links: `crt.sh/?id=N`, `?d=N` and numeric `?q=N` give ids; `?sha256=H` and a 64-hex
 *    `?q=H` give fingerprints; `?serial=H` gives a serial.
 * 2. Fingerprints: exactly 64 hex digits, or 32 colon-separated hex bytes, not part of a longer
 *    hex run. Any case.
 * 3. Labelled serials: a serial label in any language reporters use (`Serial`, `Serial Number:`,
 *    `serial no.`, `Seriennummer`, `numéro de série`, `número de serie`, `numero di serie`,
 *    `serienummer`, `numer seryjny`, `シリアル番号`, `序列号`; `serial (hex):`) followed on the
 *    same line by one or more values: `0x04a3`, bytes separated by colons or dashes
 *    (`04:a3:..`, `04-A3-..`), Windows-style `04 a3 b2 ..`, or a bare value, which must contain a
 *    digit, so words like `added` or `decade` are never serials. Digits alone are ambiguous:
 *    openssl and crt.sh print serials in hex, some CA portals in decimal. Unless the label says
 *    (`serial (decimal): N`, `decimal serial N`, `serial (hex): N`), both readings are recorded
 *    as an ambiguous pair and the inventory decides (`inventory/serial-readings.ts`);
 *    openssl's `Serial Number: 4660 (0x1234)` takes the hex in brackets.
 *    A label alone on its line starts a list: the following lines that each hold exactly one
 *    value are serials, until a line that is not one.
 * 4. Unlabelled colon-separated serials: a line that holds only 8 to 20 colon-separated hex
 *    bytes (BR 7.1 serials carry at least 64 random bits; RFC 5280 caps them at 20 octets),
 *    unless the line above marks it as part of a key, signature, key identifier or fingerprint
 *    dump (as in `openssl x509 -text` output) or is itself a wrapped hex dump line.
 * 5. `serialNumber=` in a distinguished name is a subject attribute, never a certificate
 *    serial, and is skipped.
 */
import { MAX_SERIAL_CANDIDATES } from './limits.ts';
import {
  MAX_SERIAL_BYTES,
  normaliseSerialHex,
  type SerialBase,
  type SerialCandidate,
  serialCandidate,
} from './serial.ts';
import type { AmbiguousSerial } from './types.ts';

/** Where found references go; each method returns false once its category is full. */
export interface RefSink {
  serial(hex: string): boolean;
  /** A digit-only serial with no stated base: both readings, for the inventory to decide. */
  ambiguousSerial(candidate: AmbiguousSerial): boolean;
  fingerprint(hex: string): boolean;
  crtshId(id: string): boolean;
}

/** Characters after a serial label read for values; bounds per-label work on long lines. */
export const MAX_LABEL_REST = 1024;
/** crt.sh ids are database row numbers; 20 digits is far beyond any that exist. */
export const MAX_CRTSH_ID_DIGITS = 20;

const CRTSH_RE = /crt\.sh\/?\?([a-z0-9]{1,10})=([0-9a-f:]{1,200})/gi;
const FP_PLAIN_RE = /(?<![0-9a-z])[0-9a-f]{64}(?![0-9a-z])/gi;
const FP_COLON_RE = /(?<![0-9a-z:])(?:[0-9a-f]{2}:){31}[0-9a-f]{2}(?![0-9a-z:])/gi;
/**
 * Serial labels in the languages reporters write in: English `serial (number|no.|#)`, German
 * `Seriennummer`/`Serien-Nr.`, French `numéro de série`/`n° de série`, Spanish and Portuguese
 * `número de serie`/`número de série`, Italian `numero di serie`/`numero seriale`, Dutch
 * `serienummer`, Polish `numer seryjny` (any case ending), Japanese `シリアル番号`, Chinese
 * `序列号`/`序列號`. Group 1: a `decimal` prefix; group 2: a `(hex)` or `(dec)` suffix.
 */
const SERIAL_LABEL_RE =
  /(?:\b(?:(dec(?:imal)?)[ \t]+)?(?:serial(?:s|[ \t_-]?(?:numbers?|nos?\.?|nrs?\.?|#))?|serien-?(?:nummer|nr\.?)|seriennr\.?|serienummers?|num[ée]ro[ \t]+de[ \t]+s[ée]rie|n[°º][ \t]*(?:de[ \t]+)?s[ée]rie|n[uú]mero[ \t]+de[ \t]+s[ée]rie|numero[ \t]+(?:di[ \t]+serie|seriale)|numer(?:u|em|ze)?[ \t]+seryjn\w{0,3})|シリアル(?:番号|ナンバー)|序列[号號])[ \t]*(?:\([ \t]*(hex(?:adecimal)?|dec(?:imal)?)[ \t]*\))?[ \t]*[:=#：]?[ \t]*(?:为|為|是|は)?/gi;
const COLON_LINE_RE = /^[ \t>|*-]*((?:[0-9a-f]{2}:){7,19}[0-9a-f]{2})[ \t,;\r]*$/gim;
/** A wrapped hex dump line (`openssl -text` ends all but the last with a colon). */
const HEXDUMP_LINE_RE = /^[ \t>|]*(?:[0-9a-f]{2}:)+[ \t\r]*$/i;
/** Labels of the hex dumps in certificate and key printouts that look like serials. */
const HEXDUMP_LABEL_RE =
  /identifier|keyid|fingerprint|thumbprint|sha-?1|sha-?256|md5|modulus|signature|pub:|priv:|prime|exponent|coefficient/i;
const OPENSSL_DEC_HEX_RE = /^(\d+)[ \t]*\(0x([0-9a-f]+)\)/i;
const SPACED_BYTES_RE = /^[0-9a-f]{2}(?: [0-9a-f]{2}){3,19}$/i;
const LIST_PREFIX_RE = /^[\s>|*•-]+/;
const LABEL_TAIL_RE = /^[\s):\]=#：]+/;
const CRTSH_ID_RE = new RegExp(`^\\d{1,${MAX_CRTSH_ID_DIGITS}}$`);
const TOKEN_LEAD = new Set(['"', "'", '(', '[', '<']);
const TOKEN_TAIL = new Set(['"', "'", ')', ']', '.', ',', ';', ':', '>']);
const LINE_TAIL = new Set([' ', '\t', '\r', '\n', ',', ';']);
const NONE: ReadonlySet<string> = new Set();

/**
 * Strips characters in `lead` from the start and `tail` from the end. A loop, not a regex:
 * `[...]+$` backtracks quadratically on long runs of those characters.
 */
function strip(s: string, lead: ReadonlySet<string>, tail: ReadonlySet<string>): string {
  let a = 0;
  let b = s.length;
  while (a < b && lead.has(s.charAt(a))) a++;
  while (b > a && tail.has(s.charAt(b - 1))) b--;
  return s.slice(a, b);
}

/** Reads one serial value token; null when it is not one. */
function serialToken(token: string, base: SerialBase): SerialCandidate | null {
  return serialCandidate(strip(token, TOKEN_LEAD, TOKEN_TAIL), base);
}

function hexOnly(hex: string | null): SerialCandidate[] {
  return hex === null ? [] : [{ kind: 'hex', hex }];
}

/** Hands a candidate to the sink; false once the sink is full. */
function emit(sink: RefSink, candidate: SerialCandidate): boolean {
  return candidate.kind === 'hex' ? sink.serial(candidate.hex) : sink.ambiguousSerial(candidate);
}

/** Values on one line after a label: the openssl form, Windows byte pairs, or a token list. */
function serialsOnLine(rest: string, base: SerialBase): SerialCandidate[] {
  const trimmed = rest.trim();
  const openssl = OPENSSL_DEC_HEX_RE.exec(trimmed);
  if (openssl?.[2] !== undefined) return hexOnly(normaliseSerialHex(openssl[2]));
  // Bytes separated by spaces are hex, whatever their digits (Windows shows serials so).
  if (base !== 'decimal' && SPACED_BYTES_RE.test(trimmed)) {
    return hexOnly(normaliseSerialHex(trimmed.replaceAll(' ', '')));
  }
  // Tokens are read lazily: the first one that is not a serial ends the list, so a long line
  // costs only as much as its leading values.
  const out: SerialCandidate[] = [];
  const tokens = /[^\s,;]+/g;
  for (let m = tokens.exec(trimmed); m !== null; m = tokens.exec(trimmed)) {
    const candidate = serialToken(m[0], base);
    if (candidate === null) break;
    out.push(candidate);
  }
  return out;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

/** The line before the one starting at `lineStart`, skipping blank lines (at most a few). */
function previousLine(text: string, lineStart: number): string {
  let end = lineStart - 1;
  for (let tries = 0; tries < 4 && end > 0; tries++) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(Math.max(start, end - 200), end);
    if (line.trim().length > 0) return line;
    end = start - 1;
  }
  return '';
}

function scanCrtsh(text: string, sink: RefSink): void {
  for (const m of text.matchAll(CRTSH_RE)) {
    const param = (m[1] ?? '').toLowerCase();
    const value = (m[2] ?? '').toLowerCase();
    const after = text[(m.index ?? 0) + m[0].length] ?? '';
    if (/[0-9a-z]/i.test(after)) continue;
    const isId = CRTSH_ID_RE.test(value);
    const hex = value.replaceAll(':', '');
    if ((param === 'id' || param === 'd' || param === 'q') && isId) {
      if (!sink.crtshId(value.replace(/^0+(?=\d)/, ''))) return;
    } else if ((param === 'sha256' || param === 'q') && /^[0-9a-f]{64}$/.test(hex)) {
      if (!sink.fingerprint(hex)) return;
    } else if (param === 'serial') {
      const serial = normaliseSerialHex(value);
      if (serial !== null && !sink.serial(serial)) return;
    }
  }
}

function scanFingerprints(text: string, sink: RefSink): void {
  for (const re of [FP_PLAIN_RE, FP_COLON_RE]) {
    for (const m of text.matchAll(re)) {
      if (!sink.fingerprint(m[0].replaceAll(':', '').toLowerCase())) return;
    }
  }
}

/** Rule 3: labelled serials on the label's line, or a list under a label line. */
function scanLabelledSerials(text: string, sink: RefSink): void {
  let candidates = 0;
  // End of the line the previous label was on: labels on one long line share one search, so
  // a line packed with labels costs one pass, not one pass per label.
  let cachedLineEnd = -1;
  for (const m of text.matchAll(SERIAL_LABEL_RE)) {
    if (++candidates > MAX_SERIAL_CANDIDATES) return;
    const at = m.index ?? 0;
    // Rule 5: `serialNumber=` is the DN attribute (EV subjects), not a certificate serial.
    if (/^serialnumber[ \t]*=/i.test(m[0])) continue;
    const base: SerialBase =
      m[1] !== undefined || /^dec/i.test(m[2] ?? '')
        ? 'decimal'
        : /^hex/i.test(m[2] ?? '')
          ? 'hex'
          : 'unstated';
    const restStart = at + m[0].length;
    if (cachedLineEnd < restStart) cachedLineEnd = lineEnd(text, restStart);
    const restEnd = cachedLineEnd;
    // Values follow the label closely; a window bounds the work per label on long lines.
    const rest = text
      .slice(restStart, Math.min(restEnd, restStart + MAX_LABEL_REST))
      .replace(LABEL_TAIL_RE, '');
    if (/\S/.test(rest)) {
      for (const candidate of serialsOnLine(rest, base)) if (!emit(sink, candidate)) return;
      continue;
    }
    // A label alone on its line: read the list below it, one value per line.
    let p = restEnd + 1;
    let seen = 0;
    while (p < text.length) {
      if (++candidates > MAX_SERIAL_CANDIDATES) return;
      const end = lineEnd(text, p);
      if (end - p > MAX_LABEL_REST) break;
      const line = strip(text.slice(p, end).replace(LIST_PREFIX_RE, ''), NONE, LINE_TAIL);
      p = end + 1;
      if (line.length === 0) {
        if (seen === 0) continue;
        break;
      }
      const single =
        !/[\s,;]/.test(line) || SPACED_BYTES_RE.test(line) || OPENSSL_DEC_HEX_RE.test(line);
      const [candidate, ...more] = single ? serialsOnLine(line, base) : [];
      if (candidate === undefined || more.length > 0) break;
      if (!emit(sink, candidate)) return;
      seen++;
    }
  }
}

/** Rule 4: whole-line colon-separated serials outside hex dumps. */
function scanColonSerials(text: string, sink: RefSink): void {
  let candidates = 0;
  for (const m of text.matchAll(COLON_LINE_RE)) {
    if (++candidates > MAX_SERIAL_CANDIDATES) return;
    const value = m[1];
    if (value === undefined) continue;
    const above = previousLine(text, m.index ?? 0);
    if (HEXDUMP_LINE_RE.test(above) || HEXDUMP_LABEL_RE.test(above)) continue;
    const hex = normaliseSerialHex(value, MAX_SERIAL_BYTES);
    if (hex !== null && !sink.serial(hex)) return;
  }
}

/** Scans free text for crt.sh links, fingerprints and serials (rules in the module comment). */
export function scanTextRefs(text: string, sink: RefSink): void {
  scanCrtsh(text, sink);
  scanFingerprints(text, sink);
  scanLabelledSerials(text, sink);
  scanColonSerials(text, sink);
}

/** Only crt.sh links: for CSV parts, whose columns are read by header instead of by guessing. */
export function scanCrtshLinks(text: string, sink: RefSink): void {
  scanCrtsh(text, sink);
}
