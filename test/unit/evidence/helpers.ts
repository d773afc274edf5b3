/**
 * Test helpers for evidence extraction: fixture access and small MailContent builders. Facts
 * come from `facts.json`, computed by openssl when the fixtures were made, never by the code
 * under test.
 */
import { readFileSync } from 'node:fs';
import type { ContentPart, MailContent } from '../../../lambdas/domain/evidence/types.ts';
import type { CertFacts, CsrFacts, KeyFacts, PkiFacts } from '../../../scripts/fixtures/pki.ts';

const PKI_DIR = new URL('../../fixtures/pki/', import.meta.url);

export function pkiBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, PKI_DIR)));
}

export function pkiText(name: string): string {
  return readFileSync(new URL(name, PKI_DIR), 'utf8');
}

export const facts: PkiFacts = JSON.parse(pkiText('facts.json')) as PkiFacts;

function required<T>(map: Record<string, T>, name: string): T {
  const value = map[name];
  if (value === undefined) throw new Error(`facts.json has no entry for ${name}`);
  return value;
}

export const certFacts = (name: string): CertFacts => required(facts.certificates, name);
export const keyFacts = (name: string): KeyFacts => required(facts.keys, name);
export const csrFacts = (name: string): CsrFacts => required(facts.csrs, name);

/** A part as the mail parser hands it over. */
export function part(
  content: Uint8Array | string,
  filename: string | null,
  contentType = 'application/octet-stream',
  source = `attachment:${filename ?? 'unnamed'}`,
): ContentPart {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { source, filename, contentType, content: bytes };
}

/** A fixture file attached under its own name. */
export function attach(name: string, contentType?: string): ContentPart {
  return part(pkiBytes(name), name, contentType);
}

export function mail(texts: readonly string[], parts: readonly ContentPart[] = []): MailContent {
  return {
    texts: texts.map((text, i) => ({ source: i === 0 ? 'body' : `text:${i}`, text })),
    parts,
  };
}

/** Re-wraps a PEM's base64 at `width` columns with `eol` line ends, as mail clients do. */
export function rewrap(pem: string, width: number, eol = '\n'): string {
  const lines = pem.trim().split('\n');
  const begin = lines[0] ?? '';
  const end = lines[lines.length - 1] ?? '';
  const body = lines.slice(1, -1).join('');
  const wrapped = body.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
  return [begin, ...wrapped, end].join(eol);
}

/** Quotes every line like a mail reply (`> `). */
export function quote(text: string, prefix = '> '): string {
  return text
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}
