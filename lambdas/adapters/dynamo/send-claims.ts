import type {
  ClaimResult,
  SendClaim,
  SendClaimState,
  SendClaims,
} from '../../domain/ports/send-claims.ts';
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

  /** A read, then a put conditioned on the claim still being `refused`: one retaker wins. */
  async retake(key: string, at: string): Promise<boolean> {
    const item = await this.getItem(keys.sendClaim(key));
    if (item?.state !== 'refused') return false;
    return this.putIf(
      { ...item, state: 'claimed', claimedAt: at, messageId: null, error: null },
      {
        expression: '#state = :refused',
        names: { '#state': 'state' },
        values: { ':refused': 'refused' },
      },
    );
  }

  /**
   * A read, then a put conditioned on the claim still being `claimed`: GetItem and PutItem are
   * what the sending functions are granted on the cases table (no UpdateItem).
   */
  async settle(
    key: string,
    outcome: { state: 'sent'; messageId: string } | { state: 'refused'; error: string },
  ): Promise<void> {
    const item = await this.getItem(keys.sendClaim(key));
    if (item?.state !== 'claimed') return;
    // Settled once: a late writer never turns a recorded outcome into another.
    await this.putIf(
      {
        ...item,
        state: outcome.state,
        messageId: outcome.state === 'sent' ? outcome.messageId : null,
        error: outcome.state === 'refused' ? outcome.error : null,
      },
      {
        expression: '#state = :claimed',
        names: { '#state': 'state' },
        values: { ':claimed': 'claimed' },
      },
    );
  }
}
