import { describe, expect, test } from 'vitest';
import { caseIdFor, isCaseId } from '../../../lambdas/domain/case/case-id.ts';

describe('case id', () => {
  const at = new Date('2024-04-09T23:59:59.000Z');

  test('carries the UTC receipt date and six Crockford base32 characters', () => {
    const id = caseIdFor(at, '0100018ec3b2a5f1-abc');
    expect(id).toMatch(/^CPR-20240409-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(isCaseId(id)).toBe(true);
  });

  test('is stable for the same message, so a retry computes the same id', () => {
    expect(caseIdFor(at, 'm-1')).toBe(caseIdFor(new Date(at), 'm-1'));
  });

  test('differs between messages and between attempts', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i += 1) ids.add(caseIdFor(at, `message-${i}`));
    expect(ids.size).toBe(5000);
    expect(caseIdFor(at, 'm-1', 1)).not.toBe(caseIdFor(at, 'm-1', 0));
  });

  test('never contains the ambiguous letters I, L, O, U', () => {
    for (let i = 0; i < 2000; i += 1) {
      expect(caseIdFor(at, `x${i}`).slice(13)).not.toMatch(/[ILOU]/);
    }
  });

  test('rejects ids we could not have issued', () => {
    expect(isCaseId('CPR-2024-XYZ')).toBe(false);
    expect(isCaseId('CPR-20240409-7K3Q4M; DROP')).toBe(false);
  });
});
