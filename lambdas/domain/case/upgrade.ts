/**
 * Stored evidence files outlive the code that wrote them: a field added later is missing from
 * older files. The evidence store passes what it loads through this, so the domain always sees
 * the current shape (with the neutral value for what an older version did not record). Case
 * items get the same defaults from their schema (`adapters/dynamo/case-item.ts`).
 */
import { EMPTY_EVIDENCE, type Evidence } from '../evidence/types.ts';

/** Evidence as stored by any version, in the current shape. */
export function upgradeEvidence(stored: Evidence): Evidence {
  return { ...EMPTY_EVIDENCE, ...stored };
}
