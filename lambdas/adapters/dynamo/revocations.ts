/**
 * Revocation obligations (`CASE#id` / `REV#sha256`) and the compromised-key blocklist
 * (`BLOCKLIST` / `SPKI#hash`) in the cases table. Writes are guarded: an obligation is created
 * only if absent, and changed only at the version it was read (optimistic locking).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BlockedKey, Blocklist, RevocationStore } from '../../domain/revocation/ports.ts';
import { RevocationConflictError } from '../../domain/revocation/ports.ts';
import type { Revocation } from '../../domain/revocation/types.ts';
import { keys } from './keys.ts';
import { TableItems } from './table-items.ts';

/** Optimistic-lock retries before giving up with a named error. */
export const MAX_REVOCATION_UPDATE_ATTEMPTS = 8;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}

function toRevocation(item: Record<string, unknown>): Revocation {
  const { pk: _pk, sk: _sk, itemType: _t, ...rest } = item;
  return rest as unknown as Revocation;
}

export class DynamoRevocationStore extends TableItems implements RevocationStore {
  async list(caseId: string): Promise<readonly Revocation[]> {
    const items = await this.queryPrefix(keys.case(caseId).pk, 'REV#');
    return items.map(toRevocation).sort((a, b) => a.certificate.localeCompare(b.certificate));
  }

  async addMissing(revocations: readonly Revocation[]): Promise<readonly Revocation[]> {
    const created: Revocation[] = [];
    for (const r of revocations) {
      const stored = { ...r, version: 1 };
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: {
              ...keys.revocation(r.caseId, r.certificate),
              itemType: 'revocation',
              ...stored,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        created.push(stored);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return created;
  }

  async update(
    caseId: string,
    certificate: string,
    change: (current: Revocation) => Revocation | null,
  ): Promise<Revocation> {
    for (let attempt = 0; attempt < MAX_REVOCATION_UPDATE_ATTEMPTS; attempt += 1) {
      const item = await this.getItem(keys.revocation(caseId, certificate));
      if (!item) {
        throw new RevocationConflictError(
          `case ${caseId} has no revocation obligation for ${certificate}`,
        );
      }
      const current = toRevocation(item);
      const next = change(current);
      if (next === null) return current;
      const written = { ...next, version: current.version + 1 };
      const stored = {
        ...keys.revocation(caseId, certificate),
        itemType: 'revocation',
        ...written,
      };
      if (await this.putAtVersion(stored, current.version)) return written;
    }
    throw new RevocationConflictError(
      `revocation ${caseId}/${certificate}: ${MAX_REVOCATION_UPDATE_ATTEMPTS} concurrent updates in a row`,
    );
  }
}

export class DynamoBlocklist extends TableItems implements Blocklist {
  async add(blocked: readonly BlockedKey[]): Promise<readonly BlockedKey[]> {
    const added: BlockedKey[] = [];
    for (const k of blocked) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...keys.blockedKey(k.spkiSha256), itemType: 'blockedKey', ...k },
            // The first case that proved the key keeps it: the blocklist is append-only.
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        added.push(k);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    return added;
  }

  async list(): Promise<readonly BlockedKey[]> {
    const items = await this.queryPrefix('BLOCKLIST', 'SPKI#');
    return items.map((i) => ({
      spkiSha256: String(i.spkiSha256),
      caseId: String(i.caseId),
      at: String(i.at),
      proof: String(i.proof),
    }));
  }
}
