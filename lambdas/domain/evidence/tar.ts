/**
 * A tar reader for ustar, GNU and pax archives (POSIX.1-2001 "pax" format): regular files only.
 * Members are views into the input, so reading a tar costs no extra memory.
 */
export interface TarMember {
  readonly name: string;
  readonly content: Uint8Array;
}

export interface TarListing {
  readonly members: TarMember[];
  readonly truncated: boolean;
  /** Why reading stopped early (corrupt header, truncated data); members before it are kept. */
  readonly corrupt: string | null;
}

const BLOCK = 512;
const UTF8 = new TextDecoder('utf-8');
const LATIN1 = new TextDecoder('latin1');

function field(header: Uint8Array, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return UTF8.decode(nul === -1 ? raw : raw.subarray(0, nul));
}

/** Numeric fields are octal text, or big-endian base-256 when the top bit is set (GNU). */
function numeric(header: Uint8Array, offset: number, length: number): number | null {
  const first = header[offset] ?? 0;
  if ((first & 0x80) !== 0) {
    let value = first & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (header[offset + i] ?? 0);
    return Number.isSafeInteger(value) ? value : null;
  }
  const text = field(header, offset, length).trim();
  if (text.length === 0) return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : null;
}

function checksumValid(header: Uint8Array): boolean {
  const stored = numeric(header, 148, 8);
  if (stored === null) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

/** True for `ustar` magic at 257, or a pre-POSIX header whose checksum holds. */
export function isTar(bytes: Uint8Array): boolean {
  if (bytes.length < BLOCK) return false;
  const magic = LATIN1.decode(bytes.subarray(257, 262));
  return magic === 'ustar' || checksumValid(bytes.subarray(0, BLOCK));
}

/** A pax extended header: records `LEN key=value\n`; only `path` matters here. */
function paxPath(data: Uint8Array): string | null {
  const text = UTF8.decode(data);
  for (const record of text.split('\n')) {
    const eq = record.indexOf(' path=');
    if (eq !== -1) return record.slice(eq + ' path='.length);
  }
  return null;
}

/**
 * Lists regular files, at most `maxMembers`. A corrupt header stops the listing but keeps the
 * members before it: a truncated download still carries its first files.
 */
export function listTar(bytes: Uint8Array, maxMembers: number): TarListing {
  const members: TarMember[] = [];
  const stopped = (corrupt: string): TarListing => ({ members, truncated: false, corrupt });
  let p = 0;
  let longName: string | null = null;
  while (p + BLOCK <= bytes.length) {
    const header = bytes.subarray(p, p + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumValid(header)) return stopped('tar: header checksum mismatch');
    const size = numeric(header, 124, 12);
    if (size === null) return stopped('tar: bad size field');
    const start = p + BLOCK;
    if (start + size > bytes.length) return stopped('tar: member data is truncated');
    const data = bytes.subarray(start, start + size);
    p = start + Math.ceil(size / BLOCK) * BLOCK;
    const type = String.fromCharCode(header[156] ?? 0);
    if (type === 'L') {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data);
      continue;
    }
    const name = longName ?? joinUstarName(header);
    longName = null;
    // '0', NUL (old tars) and '7' (contiguous) are regular files; links, dirs, devices are not.
    if (type !== '0' && type !== '\0' && type !== '7') continue;
    if (members.length >= maxMembers) return { members, truncated: true, corrupt: null };
    members.push({ name, content: data });
  }
  return { members, truncated: false, corrupt: null };
}

function joinUstarName(header: Uint8Array): string {
  const name = field(header, 0, 100);
  // Only POSIX ustar (`ustar\0`) has a name prefix; GNU (`ustar `) keeps times there.
  const posix = LATIN1.decode(header.subarray(257, 263)) === 'ustar\0';
  const prefix = posix ? field(header, 345, 155) : '';
  return prefix.length > 0 ? `${prefix}/${name}` : name;
}
