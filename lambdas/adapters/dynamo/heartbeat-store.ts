import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Heartbeat } from '../../domain/canary/token.ts';
import type { CanaryNonceClaim, HeartbeatStore } from '../../domain/ports/heartbeat-store.ts';
import { isConditionFailure, putIf } from './conditions.ts';
import { keys } from './keys.ts';
import { itemToHeartbeat } from './stored-items.ts';

/**
 * The one `HEARTBEAT#canary` item, only ever replaced by a newer heartbeat, and the canary nonces
 * used (`CANARY#nonce`), each written once.
 */
export class DynamoHeartbeatStore implements HeartbeatStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(h: Heartbeat): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.heartbeat(), itemType: 'heartbeat', ...h },
          ConditionExpression: 'attribute_not_exists(pk) OR receivedAt < :r',
          ExpressionAttributeValues: { ':r': h.receivedAt },
        }),
      );
    } catch (error) {
      // A newer heartbeat is already recorded: keeping it is the point.
      if (!isConditionFailure(error)) throw error;
    }
  }

  claimNonce(claim: CanaryNonceClaim): Promise<boolean> {
    return putIf(this.db, {
      TableName: this.table,
      Item: { ...keys.canaryNonce(claim.nonce), itemType: 'canaryNonce', ...claim },
      // Once per nonce; the same SES message again (a retry, `cpr replay`) keeps its claim.
      ConditionExpression: 'attribute_not_exists(pk) OR sesMessageId = :m',
      ExpressionAttributeValues: { ':m': claim.sesMessageId },
    });
  }

  async latest(): Promise<Heartbeat | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.heartbeat(), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const { receivedAt, sentAt, sesMessageId, latencyMs } = itemToHeartbeat(out.Item);
    return { receivedAt, sentAt, sesMessageId, latencyMs };
  }
}
