/**
 * Stored cases and evidence files outlive the code that wrote them: a field added later is
 * missing from older items. Readers pass what they load through these, so the domain always sees
 * the current shape (with the neutral value for what an older version did not record).
 */
import { EMPTY_EVIDENCE, type Evidence } from '../evidence/types.ts';
import type { CprCase } from './types.ts';

/** Evidence as stored by any version, in the current shape. */
export function upgradeEvidence(stored: Evidence): Evidence {
  return { ...EMPTY_EVIDENCE, ...stored };
}

/** A case item as stored by any version, in the current shape. */
export function upgradeCase(stored: CprCase): CprCase {
  return {
    ...stored,
    classificationSignals: stored.classificationSignals ?? [],
    revocationRequested: stored.revocationRequested ?? false,
    evidence: upgradeEvidence(stored.evidence),
  };
}
