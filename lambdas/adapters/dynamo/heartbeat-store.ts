import { CANARY_MAX_AGE_MS, type Heartbeat } from '../../domain/canary/token.ts';
import type { CanaryNonceClaim, HeartbeatStore } from '../../domain/ports/heartbeat-store.ts';
import { keys } from './keys.ts';
import { CASES_TABLE_SCHEMA } from './schema.ts';
import { itemToHeartbeat } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/**
 * The one `HEARTBEAT#canary` item, only ever replaced by a newer heartbeat, and the canary nonces
 * used (`CANARY#nonce`), each written once.
 */
/**
 * How long a used nonce is kept: a token is accepted up to CANARY_MAX_AGE_MS either side of its
 * time, so one received now can be replayed for up to twice that; a day is well past it.
 */
export const CANARY_NONCE_KEEP_MS = Math.max(24 * 3_600_000, 2 * CANARY_MAX_AGE_MS);

/** The TTL of a nonce received at `receivedAt`; none (kept for good) if that is not a time. */
function nonceExpiry(receivedAt: string): Record<string, number> {
  const at = Date.parse(receivedAt);
  if (!Number.isFinite(at)) return {};
  return { [CASES_TABLE_SCHEMA.ttlAttribute]: Math.ceil((at + CANARY_NONCE_KEEP_MS) / 1000) };
}

export class DynamoHeartbeatStore extends TableItems implements HeartbeatStore {
  async record(h: Heartbeat): Promise<void> {
    // Refused when a newer heartbeat is already recorded: keeping it is the point.
    await this.putIf(
      { ...keys.heartbeat(), itemType: 'heartbeat', ...h },
      { expression: 'attribute_not_exists(pk) OR receivedAt < :r', values: { ':r': h.receivedAt } },
    );
  }

  claimNonce(claim: CanaryNonceClaim): Promise<boolean> {
    // Once per nonce; the same SES message again (a retry, `cpr replay`) keeps its claim.
    return this.putIf(
      {
        ...keys.canaryNonce(claim.nonce),
        itemType: 'canaryNonce',
        ...claim,
        ...nonceExpiry(claim.receivedAt),
      },
      {
        expression: 'attribute_not_exists(pk) OR sesMessageId = :m',
        values: { ':m': claim.sesMessageId },
      },
    );
  }

  async latest(): Promise<Heartbeat | null> {
    const item = await this.getItem(keys.heartbeat());
    if (!item) return null;
    const { receivedAt, sentAt, sesMessageId, latencyMs } = itemToHeartbeat(item);
    return { receivedAt, sentAt, sesMessageId, latencyMs };
  }
}
