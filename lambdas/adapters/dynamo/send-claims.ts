import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ClaimResult,
  SendClaim,
  SendClaimState,
  SendClaims,
} from '../../domain/ports/send-claims.ts';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { TableItems } from './table-items.ts';

/** Send claims as `CLAIM#key` items of the cases table, taken with `attribute_not_exists`. */
export class DynamoSendClaims extends TableItems implements SendClaims {
  async claim(key: string, at: string): Promise<ClaimResult> {
    const fresh = { state: 'claimed', claimedAt: at, messageId: null, error: null };
    if (await this.putIf({ ...keys.sendClaim(key), itemType: 'sendClaim', key, ...fresh })) {
      return { taken: true };
    }
    const item = await this.getItem(keys.sendClaim(key));
    if (!item) throw new Error(`send claim ${key}: refused as taken, but not found`);
    const existing: SendClaim = {
      key,
      state: item.state as SendClaimState,
      claimedAt: item.claimedAt as string,
      messageId: (item.messageId as string | null) ?? null,
      error: (item.error as string | null) ?? null,
    };
    return { taken: false, existing };
  }

  async settle(
    key: string,
    outcome: { state: 'sent'; messageId: string } | { state: 'refused'; error: string },
  ): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.sendClaim(key),
          UpdateExpression: 'SET #state = :s, messageId = :m, #error = :e',
          ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
          ExpressionAttributeValues: {
            ':s': outcome.state,
            ':m': outcome.state === 'sent' ? outcome.messageId : null,
            ':e': outcome.state === 'refused' ? outcome.error : null,
            ':claimed': 'claimed',
          },
          // Settled once: a late writer never turns a recorded outcome into another.
          ConditionExpression: 'attribute_exists(pk) AND #state = :claimed',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
}
