/**
 * Archives reporters put evidence in (.zip, .tar, .tar.gz/.tgz, .tar.xz, bare .gz/.xz), opened
 * under bomb limits shared by the whole mail. Formats are recognised by magic bytes; a file
 * name only helps for old tars without the `ustar` magic.
 *
 * Decompression is streamed in small input slices and stops as soon as the output would break
 * a limit, so a bomb costs at most one slice of wasted work beyond the limit.
 */
import { Gunzip, Inflate } from 'fflate';
// A webpack UMD bundle: node sees only `module.exports`, so named ESM imports fail at runtime.
import xzDecompress from 'xz-decompress';
import { ArchiveFormatError, ArchiveLimitError } from './errors.ts';
import type { EvidenceLimits } from './limits.ts';
import { isTar, listTar } from './tar.ts';
import { isZip, listZip } from './zip.ts';

export type ArchiveKind = 'zip' | 'tar' | 'gzip' | 'xz';

export interface ArchiveMember {
  readonly name: string;
  readonly content: Uint8Array;
}

export interface OpenedArchive {
  readonly members: ArchiveMember[];
  /** Members skipped or limits hit, as human-readable notes (without the archive's source). */
  readonly problems: string[];
  /** True when a mail-wide limit was exhausted: no further archive will be opened. */
  readonly exhausted: boolean;
}

/** Input slice per decompression step: deflate peaks near 1032:1, so ~16 MB output at most. */
export const INPUT_SLICE = 16 * 1024;
const { XzReadableStream } = xzDecompress;
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Recognises an archive by its magic bytes (tar: `ustar` magic, or header checksum + name). */
export function sniffArchive(bytes: Uint8Array, filename: string | null): ArchiveKind | null {
  if (isZip(bytes)) return 'zip';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (startsWith(bytes, XZ_MAGIC)) return 'xz';
  if (bytes.length >= 512) {
    const ustar = new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar';
    if (ustar || (/\.tar$/i.test(filename ?? '') && isTar(bytes))) return 'tar';
  }
  return null;
}

/** Mail-wide expansion budget: every archive in one mail draws from the same totals. */
export class ExpansionBudget {
  private bytesLeft: number;
  private entriesLeft: number;

  constructor(private readonly limits: EvidenceLimits) {
    this.bytesLeft = limits.maxExpandedBytes;
    this.entriesLeft = limits.maxArchiveEntries;
  }

  get exhausted(): boolean {
    return this.bytesLeft <= 0 || this.entriesLeft <= 0;
  }

  get entries(): number {
    return this.entriesLeft;
  }

  takeEntries(n: number): void {
    this.entriesLeft -= n;
  }

  /** Output allowed for one compressed stream of `inputLength` bytes, and which limit binds. */
  capFor(inputLength: number): { readonly cap: number; readonly ratioBinds: boolean } {
    const ratioCap = Math.max(
      this.limits.ratioCheckMinBytes,
      inputLength * this.limits.maxCompressionRatio,
    );
    return ratioCap < this.bytesLeft
      ? { cap: ratioCap, ratioBinds: true }
      : { cap: this.bytesLeft, ratioBinds: false };
  }

  spend(bytes: number): void {
    this.bytesLeft -= bytes;
  }

  /**
   * Charges bytes handed on without decompression (a stored zip member, a tar member): they are
   * scanned like any other output, so they count against the same total. Throws when over.
   */
  takeStored(bytes: number): void {
    if (bytes > this.bytesLeft) {
      this.bytesLeft = 0;
      throw this.limitError(false);
    }
    this.bytesLeft -= bytes;
  }

  limitError(ratioBinds: boolean): ArchiveLimitError {
    return new ArchiveLimitError(
      ratioBinds
        ? `compression ratio above ${this.limits.maxCompressionRatio}:1`
        : `archives expand to more than ${this.limits.maxExpandedBytes} bytes in total`,
    );
  }
}

/** Collects stream output up to `cap` bytes; beyond it, remembers the overflow. */
class BoundedSink {
  readonly chunks: Uint8Array[] = [];
  total = 0;
  overflow = false;

  constructor(private readonly cap: number) {}

  push(chunk: Uint8Array): void {
    if (this.overflow) return;
    this.total += chunk.length;
    if (this.total > this.cap) this.overflow = true;
    else this.chunks.push(chunk);
  }

  result(): Uint8Array {
    if (this.chunks.length === 1 && this.chunks[0] !== undefined) return this.chunks[0];
    const out = new Uint8Array(this.total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

type SyncStream = { ondata: (chunk: Uint8Array, final: boolean) => void } & {
  push(chunk: Uint8Array, final?: boolean): void;
};

function runSync(stream: SyncStream, input: Uint8Array, budget: ExpansionBudget): Uint8Array {
  const { cap, ratioBinds } = budget.capFor(input.length);
  const sink = new BoundedSink(cap);
  stream.ondata = (chunk) => sink.push(chunk);
  try {
    for (let off = 0; off < input.length && !sink.overflow; off += INPUT_SLICE) {
      const end = Math.min(off + INPUT_SLICE, input.length);
      stream.push(input.subarray(off, end), end === input.length);
    }
    if (input.length === 0) stream.push(input, true);
  } catch (cause) {
    throw new ArchiveFormatError('corrupt compressed data', { cause });
  }
  if (sink.overflow) {
    budget.spend(cap);
    throw budget.limitError(ratioBinds);
  }
  budget.spend(sink.total);
  return sink.result();
}

/** Inflates raw DEFLATE (a ZIP member) under the budget. */
export function inflateBounded(input: Uint8Array, budget: ExpansionBudget): Uint8Array {
  return runSync(new Inflate() as unknown as SyncStream, input, budget);
}

/** Gunzips under the budget. */
export function gunzipBounded(input: Uint8Array, budget: ExpansionBudget): Uint8Array {
  return runSync(new Gunzip() as unknown as SyncStream, input, budget);
}

/** Decompresses XZ (WebAssembly, streamed) under the budget. */
export async function unxzBounded(input: Uint8Array, budget: ExpansionBudget): Promise<Uint8Array> {
  const { cap, ratioBinds } = budget.capFor(input.length);
  const sink = new BoundedSink(cap);
  const source = new Blob([new Uint8Array(input)]).stream();
  const reader = new XzReadableStream(source).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sink.push(value);
      if (sink.overflow) {
        await reader.cancel();
        break;
      }
    }
  } catch (cause) {
    throw new ArchiveFormatError('corrupt xz data', { cause });
  }
  if (sink.overflow) {
    budget.spend(cap);
    throw budget.limitError(ratioBinds);
  }
  budget.spend(sink.total);
  return sink.result();
}

/** Member names end up in sources and problem notes: no control characters, bounded length. */
export const MAX_MEMBER_NAME_LENGTH = 255;

function cleanName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > MAX_MEMBER_NAME_LENGTH
    ? `${clean.slice(0, MAX_MEMBER_NAME_LENGTH)}...`
    : clean;
}

function stripSuffix(name: string, re: RegExp, fallback: string): string {
  const stripped = name.replace(re, '');
  return stripped.length > 0 && stripped !== name ? stripped : fallback;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : 'unreadable';
}

/**
 * Opens one archive layer. A compressed tar (.tar.gz, .tar.xz) is one layer, as users see it;
 * a bare .gz/.xz yields its single file. Never throws: failures become `problems`.
 */
export async function openArchive(
  kind: ArchiveKind,
  bytes: Uint8Array,
  filename: string,
  budget: ExpansionBudget,
): Promise<OpenedArchive> {
  const problems: string[] = [];
  const members: ArchiveMember[] = [];
  if (budget.exhausted) {
    return { members, problems: ['not opened: archive limits already reached'], exhausted: true };
  }
  try {
    if (kind === 'zip') {
      const listing = listZip(bytes, budget.entries);
      budget.takeEntries(listing.members.length);
      if (listing.truncated) problems.push('archive entry limit reached; rest skipped');
      problems.push(...listing.skipped);
      if (listing.refused > 0) {
        problems.push(
          `${listing.refused} zip entries overlap other entries or lie outside the data area; refused (a crafted archive)`,
        );
      }
      for (const m of listing.members) {
        if (m.encrypted) {
          problems.push(`${m.name}: encrypted zip member (no password), not read`);
        } else if (m.method === 0) {
          try {
            budget.takeStored(m.data.length);
          } catch (error) {
            problems.push(`${m.name}: ${describe(error)}`);
            break;
          }
          members.push({ name: m.name, content: m.data });
        } else if (m.method === 8) {
          try {
            const content = inflateBounded(m.data, budget);
            if (content.length !== m.declaredSize) {
              problems.push(`${m.name}: size differs from the zip directory; read what was there`);
            }
            members.push({ name: m.name, content });
          } catch (error) {
            problems.push(`${m.name}: ${describe(error)}`);
            if (budget.exhausted) break;
          }
        } else {
          problems.push(`${m.name}: unsupported zip compression method ${m.method}`);
        }
      }
    } else if (kind === 'tar') {
      members.push(...readTar(bytes, budget, problems, true));
    } else {
      const inner =
        kind === 'gzip' ? gunzipBounded(bytes, budget) : await unxzBounded(bytes, budget);
      // fflate's streaming gunzip returns what it has on a truncated stream; the trailer's
      // ISIZE (RFC 1952: length mod 2^32) tells. The partial data is still worth scanning.
      if (kind === 'gzip' && gzipTrailerSize(bytes) !== inner.length % 2 ** 32) {
        problems.push('gzip data is truncated or corrupt; read what was there');
      }
      if (sniffArchive(inner, null) === 'tar') {
        // Decompressed bytes were charged as they came out; the members are views into them.
        members.push(...readTar(inner, budget, problems, false));
      } else {
        budget.takeEntries(1);
        const re = kind === 'gzip' ? /\.(gz|gzip)$/i : /\.xz$/i;
        members.push({ name: stripSuffix(filename, re, 'decompressed'), content: inner });
      }
    }
  } catch (error) {
    problems.push(describe(error));
  }
  return {
    members: members.map((m) => ({ name: cleanName(m.name), content: m.content })),
    problems: problems.map(cleanName),
    exhausted: budget.exhausted,
  };
}

function gzipTrailerSize(bytes: Uint8Array): number {
  if (bytes.length < 18) return -1;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    bytes.length - 4,
    true,
  );
}

function readTar(
  bytes: Uint8Array,
  budget: ExpansionBudget,
  problems: string[],
  chargeMembers: boolean,
): ArchiveMember[] {
  const listing = listTar(bytes, budget.entries);
  budget.takeEntries(listing.members.length);
  if (listing.truncated) problems.push('archive entry limit reached; rest skipped');
  if (listing.corrupt !== null) problems.push(listing.corrupt);
  if (!chargeMembers) return listing.members;
  const kept: ArchiveMember[] = [];
  for (const member of listing.members) {
    try {
      budget.takeStored(member.content.length);
    } catch (error) {
      problems.push(`${member.name}: ${describe(error)}`);
      break;
    }
    kept.push(member);
  }
  return kept;
}
