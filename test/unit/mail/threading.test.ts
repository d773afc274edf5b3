import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CASE_ID_PATTERN, caseIdFor, isCaseId } from '../../../lambdas/domain/case/case-id.ts';
import { parseMail } from '../../../lambdas/domain/mail/parse.ts';
// biome-ignore format: one line, as the other imports
import { caseIdsInSubject, MAX_REFERENCED_IDS, MAX_SUBJECT_CASE_IDS, referencedMessageIds } from '../../../lambdas/domain/mail/threading.ts';
import { parsedMail } from '../../support/mail-builders.ts';

describe('caseIdsInSubject', () => {
  it('finds the bracketed case id of a reply to our acknowledgment', () => {
    expect(caseIdsInSubject('Re: [CPR-20240409-7K3Q4M] Key compromise')).toEqual([
      'CPR-20240409-7K3Q4M',
    ]);
    expect(caseIdsInSubject('AW: RE: Fwd: [ CPR-20260101-ABCD ] x')).toEqual(['CPR-20260101-ABCD']);
  });

  it('ignores ids outside brackets, malformed ids and letters Crockford base32 leaves out', () => {
    expect(caseIdsInSubject('CPR-20240409-7K3Q4M without brackets')).toEqual([]);
    expect(caseIdsInSubject('[CPR-2024049-7K3Q4M]')).toEqual([]);
    expect(caseIdsInSubject('[CPR-20240409-7K3]')).toEqual([]);
    expect(caseIdsInSubject('[CPR-20240409-7K3Q4M7K3Q4M7]')).toEqual([]);
    expect(caseIdsInSubject('[CPR-20240409-ILOU]')).toEqual([]);
    expect(caseIdsInSubject('[cpr-20240409-7k3q4m]')).toEqual([]);
    expect(caseIdsInSubject(null)).toEqual([]);
    expect(caseIdsInSubject('')).toEqual([]);
  });

  it('returns several ids in order, deduplicated and bounded', () => {
    expect(caseIdsInSubject('[CPR-20240409-AAAA] [CPR-20240410-BBBB] [CPR-20240409-AAAA]')).toEqual(
      ['CPR-20240409-AAAA', 'CPR-20240410-BBBB'],
    );
    const many = Array.from({ length: 20 }, (_, i) => `[CPR-202404${String(10 + i)}-AAAA]`).join(
      ' ',
    );
    expect(caseIdsInSubject(many)).toHaveLength(MAX_SUBJECT_CASE_IDS);
  });

  it('recognises every id the case id generator makes', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const id = caseIdFor(new Date('2026-11-27T09:00:00Z'), `ses-message-${attempt}`, attempt);
      expect(isCaseId(id)).toBe(true);
      expect(CASE_ID_PATTERN.test(id)).toBe(true);
      expect(caseIdsInSubject(`Re: [${id}] report`)).toEqual([id]);
    }
  });

  it('reads the id from the reply fixture', async () => {
    const mail = await parseMail(readFileSync('test/fixtures/mail/reply-to-ack.eml'));
    expect(caseIdsInSubject(mail.subject)).toEqual(['CPR-20260101-ABCD']);
  });
});

describe('referencedMessageIds', () => {
  it('lists In-Reply-To first, then References from the newest, without duplicates', () => {
    const mail = parsedMail({
      inReplyTo: ['parent@x'],
      references: ['root@x', 'middle@x', 'parent@x'],
    });
    expect(referencedMessageIds(mail)).toEqual(['parent@x', 'middle@x', 'root@x']);
  });

  it('returns nothing for a message that answers nothing', () => {
    expect(referencedMessageIds(parsedMail())).toEqual([]);
  });

  it('is bounded', () => {
    const references = Array.from({ length: 500 }, (_, i) => `ref-${i}@x`);
    const ids = referencedMessageIds(parsedMail({ references }));
    expect(ids).toHaveLength(MAX_REFERENCED_IDS);
    expect(ids[0]).toBe('ref-499@x');
  });

  it('finds our acknowledgment in the reply fixture', async () => {
    const mail = await parseMail(readFileSync('test/fixtures/mail/reply-to-ack.eml'));
    expect(referencedMessageIds(mail)).toEqual([
      'ack.CPR-20260101-ABCD@ca.example',
      'cpr-inline-pem@fixtures.example',
    ]);
  });
});
