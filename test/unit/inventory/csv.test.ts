import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { normaliseSerialHex } from '../../../lambdas/domain/evidence/serial.ts';
import {
  InventoryCsvError,
  MAX_INVENTORY_ROW_CHARS,
  normaliseSerial,
  parseInventoryText,
} from '../../../lambdas/domain/inventory/csv.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const pki = (name: string) =>
  readFileSync(new URL(`../../fixtures/pki/${name}`, import.meta.url), 'utf-8');
const RSA = (
  JSON.parse(pki('facts.json')) as {
    certificates: Record<string, { sha256: string; serial: string; spkiSha256: string }>;
  }
).certificates['leaf-rsa.pem']!;
const ISSUER_4514 = 'CN=CPR Intake Test Issuing CA 1,O=CPR Intake Test,C=XX';
const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;

describe('inventory CSV', () => {
  test('reads the fixture inventory, ignoring extra columns', async () => {
    const { records, rejected } = await parseInventoryText(pki('inventory.csv'));
    expect(rejected).toEqual([]);
    expect(records.length).toBeGreaterThanOrEqual(4);
    for (const r of records) expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a missing required column fails the whole file and names it', async () => {
    await expect(parseInventoryText('sha256,serial,subscriber,email\n')).rejects.toThrow(
      InventoryCsvError,
    );
    await expect(parseInventoryText('sha256,serial,subscriber,email\n')).rejects.toThrow(
      /spki_sha256/,
    );
    await expect(parseInventoryText('')).rejects.toThrow(/empty/);
  });

  test('bad rows are rejected with their line number, good rows kept', async () => {
    const csv = [
      'Serial,SHA256,spki_sha256,subscriber,email',
      `04:A3,${A.toUpperCase()},${B},"Example, Inc.",Admin@Example.COM`,
      `zz,${A},${B},X,x@example.com`,
      `01,${A.slice(1)},${B},X,x@example.com`,
      `01,${A},${B},,x@example.com`,
      `01,${A},${B},X,not-an-address`,
      '',
    ].join('\r\n');
    const { records, rejected } = await parseInventoryText(csv);
    expect(records).toEqual([
      {
        sha256: A,
        serial: '04a3',
        spkiSha256: B,
        subscriber: 'Example, Inc.',
        email: 'admin@example.com',
      },
    ]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(rejected[0]?.reason).toMatch(/serial/);
  });

  test('serials take the evidence normal form: whole bytes, no leading zero bytes', () => {
    expect(normaliseSerial('00:8F:01')).toBe('8f01');
    expect(normaliseSerial('0x00AB')).toBe('ab');
    // An odd number of digits used to stay as written and never matched a certificate's serial.
    expect(normaliseSerial('4A3')).toBe(normaliseSerialHex('04:a3'));
    expect(normaliseSerial('00')).toBe('00');
  });

  test('quoted fields keep commas, escaped quotes and line breaks', async () => {
    const csv = `sha256,serial,spki_sha256,subscriber,email\n${A},01,${B},"say ""hi"", A\nB",x@example.com\n`;
    const { records } = await parseInventoryText(csv);
    expect(records[0]?.subscriber).toBe('say "hi", A\nB');
  });

  test('a quote that never closes costs its own row only; later rows and line numbers stay right', async () => {
    const row = (n: number) => `${A.slice(0, 63)}${n},01,${B},S${n},x@example.com`;
    const csv = [
      'sha256,serial,spki_sha256,subscriber,email',
      row(1),
      `${A},"unclosed,${B},X,x@example.com`,
      row(2),
      '',
      row(3),
      `"${A}",02,${B},"Quoted ""Name""",y@example.com`,
      `${A},03,"ba"d,X,x@example.com`,
      `${A},04,${B},X,"never closed`,
    ].join('\n');
    const { records, rejected } = await parseInventoryText(csv);
    expect(records.map((r) => r.subscriber)).toEqual(['S1', 'S2', 'S3', 'Quoted "Name"']);
    expect(rejected.map((r) => r.line)).toEqual([3, 8, 9]);
    expect(rejected[0]?.reason).toMatch(/quote never closed/);
    expect(rejected[1]?.reason).toMatch(/spki_sha256/);
  });

  test('a runaway row is cut at the row limit, and reading goes on after it', async () => {
    const filler = Array.from({ length: 40 }, () => 'x'.repeat(2_000)).join('\n');
    const csv = [
      'sha256,serial,spki_sha256,subscriber,email',
      `${A},01,${B},"open ${filler}`,
      `${A},02,${B},After,x@example.com`,
    ].join('\n');
    expect(filler.length).toBeGreaterThan(MAX_INVENTORY_ROW_CHARS);
    const { records, rejected } = await parseInventoryText(csv);
    expect(rejected[0]).toEqual({ line: 2, reason: expect.stringMatching(/longer than/) });
    expect(records.map((r) => r.subscriber)).toEqual(['After']);
  });

  test('optional columns: issuer, dates with a zone, a CRLReason by name or code', async () => {
    const header =
      'sha256,serial,spki_sha256,subscriber,email,issuer,not_before,not_after,revoked_at,revocation_reason';
    const csv = [
      header,
      `${A},01,${B},X,x@example.com,${quoted(ISSUER_4514)},2025-01-01T00:00:00Z,2025-04-01,2025-02-01T10:00:00+01:00,keycompromise`,
      `${A},02,${B},X,x@example.com,,,,2025-02-01T10:00:00Z,4`,
      `${A},03,${B},X,x@example.com,,2025-01-01T00:00:00,,,`,
      `${A},04,${B},X,x@example.com,,,,,superseded`,
      `${A},05,${B},X,x@example.com,,,,2025-02-01T10:00:00Z,rotten`,
      `${A},06,${B},X,x@example.com,"CN=ok,bogus",,,,`,
    ].join('\n');
    const { records, rejected, columns } = await parseInventoryText(csv);
    expect(records[0]).toMatchObject({
      issuer: ISSUER_4514,
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2025-04-01T00:00:00.000Z',
      revokedAt: '2025-02-01T09:00:00.000Z',
      revocationReason: 'keyCompromise',
    });
    expect(records[1]).toMatchObject({ revocationReason: 'superseded' });
    expect(rejected).toEqual([
      { line: 4, reason: 'not_before is not an ISO 8601 date with a time zone' },
      { line: 5, reason: 'revocation_reason without revoked_at' },
      { line: 6, reason: 'revocation_reason is not an RFC 5280 CRLReason' },
      { line: 7, reason: expect.stringMatching(/issuer is not an RFC 4514 DN/) },
    ]);
    expect(columns.keep).toEqual(['pem']);
  });

  test('pem: the certificate fills the derivable columns and must agree with the others', async () => {
    const pem = pki('leaf-rsa.pem');
    const header = 'sha256,serial,spki_sha256,subscriber,email,issuer,not_after,pem';
    const csv = [
      header,
      `,,,RSA,r@example.com,,,${quoted(pem)}`,
      `${RSA.sha256.toUpperCase()},${RSA.serial},${RSA.spkiSha256},RSA,r@example.com,"C=XX, O=CPR Intake Test, CN=CPR Intake Test Issuing CA 1",2126-11-03T11:34:44Z,${quoted(pem)}`,
      `${A},,,RSA,r@example.com,,,${quoted(pem)}`,
      `,01,,RSA,r@example.com,,,${quoted(pem)}`,
      `,,${B},RSA,r@example.com,,,${quoted(pem)}`,
      `,,,RSA,r@example.com,"CN=Someone Else,C=XX",,${quoted(pem)}`,
      `,,,RSA,r@example.com,,2030-01-01T00:00:00Z,${quoted(pem)}`,
      `,,,RSA,r@example.com,,,"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"`,
      `,,,RSA,r@example.com,,,${quoted(pem + pem)}`,
    ].join('\n');
    const { records, rejected, columns } = await parseInventoryText(csv);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      sha256: RSA.sha256,
      serial: RSA.serial,
      spkiSha256: RSA.spkiSha256,
      issuer: ISSUER_4514,
      notAfter: '2126-11-03T11:34:44.000Z',
      pem: expect.stringMatching(/^-----BEGIN CERTIFICATE-----\n/),
    });
    expect(records[1]?.issuer).toBe('C=XX, O=CPR Intake Test, CN=CPR Intake Test Issuing CA 1');
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [expect.any(Number), 'sha256 contradicts the pem certificate'],
      [expect.any(Number), 'serial contradicts the pem certificate'],
      [expect.any(Number), 'spki_sha256 contradicts the pem certificate'],
      [expect.any(Number), 'issuer contradicts the pem certificate'],
      [expect.any(Number), 'not_after contradicts the pem certificate'],
      [expect.any(Number), 'pem is not a readable certificate'],
      [expect.any(Number), 'pem does not hold exactly one CERTIFICATE block'],
    ]);
    // Line numbers count the PEM's own lines: each row above spans the same number of lines.
    const span = pem.split('\n').length;
    expect(rejected[0]?.line).toBe(2 + 2 * span);
    // The issuer and dates come from the PEM, so a delta without them keeps only the rest.
    expect(columns.keep).toEqual(['revokedAt', 'revocationReason']);
  });

  test('with a pem column, the derivable columns may be left out of the header', async () => {
    const { records } = await parseInventoryText(
      `subscriber,email,pem\nRSA,r@example.com,${quoted(pki('leaf-rsa.pem'))}\n`,
    );
    expect(records[0]?.sha256).toBe(RSA.sha256);
  });
});
