import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  ClaimResult,
  SendClaim,
  SendClaimState,
  SendClaims,
} from '../../domain/ports/send-claims.ts';
import { isConditionFailure, putIf } from './conditions.ts';
import { keys } from './keys.ts';

/** Send claims as `CLAIM#key` items of the cases table, taken with `attribute_not_exists`. */
export class DynamoSendClaims implements SendClaims {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(key: string, at: string): Promise<ClaimResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...keys.sendClaim(key),
            itemType: 'sendClaim',
            key,
            state: 'claimed',
            claimedAt: at,
            messageId: null,
            error: null,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { taken: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.sendClaim(key), ConsistentRead: true }),
    );
    const item = out.Item;
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

  /**
   * A read, then a put conditioned on the claim still being `claimed`: GetItem and PutItem are
   * what the sending functions are granted on the cases table (no UpdateItem).
   */
  async settle(
    key: string,
    outcome: { state: 'sent'; messageId: string } | { state: 'refused'; error: string },
  ): Promise<void> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.sendClaim(key), ConsistentRead: true }),
    );
    if (out.Item?.state !== 'claimed') return;
    await putIf(this.db, {
      TableName: this.table,
      Item: {
        ...out.Item,
        state: outcome.state,
        messageId: outcome.state === 'sent' ? outcome.messageId : null,
        error: outcome.state === 'refused' ? outcome.error : null,
      },
      // Settled once: a late writer never turns a recorded outcome into another.
      ConditionExpression: '#state = :claimed',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':claimed': 'claimed' },
    });
  }
}
