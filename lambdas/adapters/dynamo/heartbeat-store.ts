import type { Heartbeat } from '../../domain/canary/token.ts';
import type { CanaryNonceClaim, HeartbeatStore } from '../../domain/ports/heartbeat-store.ts';
import { keys } from './keys.ts';
import { itemToHeartbeat } from './stored-items.ts';
import { TableItems } from './table-items.ts';

/**
 * The one `HEARTBEAT#canary` item, only ever replaced by a newer heartbeat, and the canary nonces
 * used (`CANARY#nonce`), each written once.
 */
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
      { ...keys.canaryNonce(claim.nonce), itemType: 'canaryNonce', ...claim },
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
