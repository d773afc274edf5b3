/**
 * Lints of the inventory's own copies of the certificates a report concerns, within the same
 * per-report cap as the mail's certificates. Fingerprints come from openssl.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { EMPTY_EVIDENCE, type Evidence } from '../../../lambdas/domain/evidence/types.ts';
import type { InventoryRecord } from '../../../lambdas/domain/inventory/types.ts';
import { withInventoryLints } from '../../../lambdas/domain/lint/lint-inventory.ts';

const file = (name: string) => `test/fixtures/lint/${name}.pem`;
function record(name: string, pem = readFileSync(file(name), 'utf8')): InventoryRecord {
  const der = execFileSync('/usr/bin/openssl', ['x509', '-in', file(name), '-outform', 'DER']);
  const sha256 = execFileSync('/usr/bin/openssl', ['dgst', '-sha256', '-r'], { input: der })
    .toString('utf8')
    .split(' ')[0]!;
  return { sha256, serial: '01', spkiSha256: '00', subscriber: 'S', email: 's@s.example', pem };
}

const codes = (e: Evidence) => e.lints.map((l) => [l.certificate, l.code]);

describe('inventory certificates are linted', () => {
  test('an affected record’s PEM gives findings on that record', () => {
    const ou = record('ou');
    const out = withInventoryLints(EMPTY_EVIDENCE, [ou, record('good-rsa')], [ou.sha256], 25);
    expect(codes(out)).toEqual([[ou.sha256, 'organizationalUnitPresent']]);
    expect(out.problems).toEqual([]);
  });

  test('records not affected, without a PEM, or already in the mail are not linted again', () => {
    const ou = record('ou');
    const noPem = { ...record('underscore-san'), pem: undefined };
    const inMail: Evidence = {
      ...EMPTY_EVIDENCE,
      certificates: [{ sha256: ou.sha256 } as Evidence['certificates'][number]],
    };
    const out = withInventoryLints(inMail, [ou, noPem], [ou.sha256, noPem.sha256], 25);
    expect(out.lints).toEqual([]);
  });

  test('findings of another certificate in the PEM column are not put on the record', () => {
    const ou = record('ou');
    const chained = { ...ou, pem: `${readFileSync(file('underscore-san'), 'utf8')}\n${ou.pem}` };
    const out = withInventoryLints(EMPTY_EVIDENCE, [chained], [ou.sha256], 25);
    expect(codes(out)).toEqual([[ou.sha256, 'organizationalUnitPresent']]);
  });

  test('the mail’s certificates and the inventory’s share one cap per report, noted when hit', () => {
    const rows = ['ou', 'underscore-san', 'some-state'].map((n) => record(n));
    const oneInMail: Evidence = {
      ...EMPTY_EVIDENCE,
      certificates: [{ sha256: 'ff'.repeat(32) } as Evidence['certificates'][number]],
    };
    const out = withInventoryLints(
      oneInMail,
      rows,
      rows.map((r) => r.sha256),
      2,
    );
    const first = [...rows].sort((a, b) => a.sha256.localeCompare(b.sha256))[0]!;
    expect(new Set(out.lints.map((l) => l.certificate))).toEqual(new Set([first.sha256]));
    expect(out.problems).toEqual([
      'lint limit (2 certificates) reached; 2 inventory certificates not linted',
    ]);
  });
});
