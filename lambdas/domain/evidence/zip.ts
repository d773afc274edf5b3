/**
 * A ZIP central-directory reader (APPNOTE.TXT 4.3). It only locates members; inflating is left
 * to the caller so every byte of output passes through the bomb limits. The central directory
 * is used, not local headers, because it holds the real sizes even when a data descriptor
 * follows the data (bit 3), and because it is what unzip tools trust.
 *
 * Honest archives lay their members out one after another before the central directory. A
 * crafted one points many directory entries at the same bytes (1.3 MB listing 5,000 members of
 * 1 MB each: 5.2 GB to scan) or past the data area. Such entries are refused: each member's
 * local header and data must lie before the central directory and overlap no other member's.
 */
import { ArchiveFormatError } from './errors.ts';

export interface ZipMember {
  readonly name: string;
  /** 0 stored, 8 deflate; anything else is reported as unsupported. */
  readonly method: number;
  readonly encrypted: boolean;
  /** Uncompressed size the central directory claims; a check, never an allocation size. */
  readonly declaredSize: number;
  /** The member's compressed bytes, a view into the archive. */
  readonly data: Uint8Array;
}

export interface ZipListing {
  readonly members: ZipMember[];
  /** More members than `maxMembers` were present. */
  readonly truncated: boolean;
  /** Members whose data could not be located, with why. */
  readonly skipped: string[];
  /** Entries refused because their bytes overlap another entry's or lie outside the data area. */
  readonly refused: number;
}

interface Located extends ZipMember {
  /** Offset of the local header: a member's bytes are [from, to). */
  readonly from: number;
  readonly to: number;
}

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const EOCD_MIN = 22;
/** The EOCD comment is at most 65535 bytes, so the record starts within this of the end. */
const EOCD_SEARCH = EOCD_MIN + 0xffff;

/** `PK\x03\x04` (a member) or `PK\x05\x06` (an empty archive). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))
  );
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Lists the members of a ZIP archive, at most `maxMembers`. Throws ArchiveFormatError. */
export function listZip(bytes: Uint8Array, maxMembers: number): ZipListing {
  const dv = view(bytes);
  let eocd = -1;
  const stop = Math.max(0, bytes.length - EOCD_SEARCH);
  for (let i = bytes.length - EOCD_MIN; i >= stop; i--) {
    if (dv.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw new ArchiveFormatError('zip: no end of central directory record');
  const count = dv.getUint16(eocd + 10, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    throw new ArchiveFormatError('zip: ZIP64 archives are not supported');
  }
  const located: Located[] = [];
  const skipped: string[] = [];
  let refused = 0;
  let truncated = false;
  // The data area ends where the central directory starts; nothing may reach past it.
  const dataEnd = Math.min(cdOffset, eocd);
  let p = cdOffset;
  const decoderUtf8 = new TextDecoder('utf-8');
  const decoderLatin1 = new TextDecoder('latin1');
  for (let n = 0; n < count; n++) {
    if (located.length >= maxMembers) {
      truncated = true;
      break;
    }
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== CDH_SIG) {
      throw new ArchiveFormatError('zip: central directory is truncated or corrupt');
    }
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const compressedSize = dv.getUint32(p + 20, true);
    const declaredSize = dv.getUint32(p + 24, true);
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    const localOffset = dv.getUint32(p + 42, true);
    const rawName = bytes.subarray(p + 46, p + 46 + nameLength);
    // Bit 11: the name is UTF-8; otherwise CP437, which latin1 approximates well enough here.
    const name = ((flags & 0x800) !== 0 ? decoderUtf8 : decoderLatin1).decode(rawName);
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (localOffset + 30 > dataEnd || dv.getUint32(localOffset, true) !== LFH_SIG) {
      if (localOffset + 30 > dataEnd && localOffset + 30 <= bytes.length) refused++;
      else skipped.push(`${name}: local header missing`);
      continue;
    }
    const start =
      localOffset +
      30 +
      dv.getUint16(localOffset + 26, true) +
      dv.getUint16(localOffset + 28, true);
    if (start + compressedSize > bytes.length) {
      skipped.push(`${name}: data truncated`);
      continue;
    }
    if (start + compressedSize > dataEnd) {
      refused++;
      continue;
    }
    located.push({
      name,
      method,
      encrypted: (flags & 0x1) !== 0,
      declaredSize,
      data: bytes.subarray(start, start + compressedSize),
      from: localOffset,
      to: start + compressedSize,
    });
  }
  const members = withoutOverlaps(located);
  refused += located.length - members.length;
  return { members, truncated, skipped, refused };
}

/**
 * Keeps the members whose byte ranges overlap no other member's, in directory order. Sorted by
 * offset, a member overlaps an earlier one exactly when it starts before the furthest end so
 * far, and a later one exactly when the next member starts before its own end: O(n log n).
 */
function withoutOverlaps(located: readonly Located[]): ZipMember[] {
  const sorted = [...located].sort((a, b) => a.from - b.from);
  const overlapping = new Set<Located>();
  let furthest = -1;
  sorted.forEach((m, i) => {
    const next = sorted[i + 1];
    if (m.from < furthest || (next !== undefined && next.from < m.to)) overlapping.add(m);
    furthest = Math.max(furthest, m.to);
  });
  return located
    .filter((m) => !overlapping.has(m))
    .map(({ name, method, encrypted, declaredSize, data }) => ({
      name,
      method,
      encrypted,
      declaredSize,
      data,
    }));
}
