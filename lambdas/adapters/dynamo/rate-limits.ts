import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Admission,
  type RateLimit,
  RateLimitContentionError,
  type RateLimiter,
} from '../../domain/ports/rate-limits.ts';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { CASES_TABLE_SCHEMA } from './schema.ts';

/**
 * Optimistic-lock attempts per counter before giving up. Only writers that still fit under the
 * limit write at all (the others read a full window and stop), so contention ends after at most
 * `limit` winners; the attempts leave room for that with jitter.
 */
export const MAX_COUNTER_ATTEMPTS = 40;
/** Upper bound of the random pause between attempts, so that racing writers spread out. */
const JITTER_MS = 25;

interface Send {
  readonly holder: string;
  readonly at: number;
}

interface Counter {
  readonly sends: readonly Send[];
  readonly version: number;
}

/**
 * One `RATE#key` item per counted key in the cases table, holding the sends of the window (at
 * most `limit` entries: older ones are dropped on every write, so the item stays small). Each
 * write is conditional on the version read (`attribute_not_exists` for the first), which makes
 * the count exact under concurrency without transactions (dynalite has none). Items carry
 * `expiresAt` (epoch seconds) for DynamoDB's TTL where it exists; locally they just stay.
 */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async admit(
    limits: readonly RateLimit[],
    holder: string,
    now: Date,
    windowMs: number,
  ): Promise<Admission> {
    const counted: RateLimit[] = [];
    for (const limit of limits) {
      const ok = await this.add(limit, holder, now.getTime(), windowMs);
      if (!ok) {
        // All or none: give back what this holder took from the earlier keys.
        for (const earlier of counted) {
          await this.remove(earlier.key, holder, now.getTime(), windowMs);
        }
        return { admitted: false, key: limit.key, limit: limit.limit };
      }
      counted.push(limit);
    }
    return { admitted: true };
  }

  private async read(key: string): Promise<Counter | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: keys.rateCounter(key), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    return { sends: (out.Item.sends as Send[]) ?? [], version: out.Item.version as number };
  }

  private async write(
    key: string,
    sends: readonly Send[],
    before: Counter | null,
    now: number,
    windowMs: number,
  ) {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...keys.rateCounter(key),
          itemType: 'rateCounter',
          key,
          sends,
          version: (before?.version ?? 0) + 1,
          [CASES_TABLE_SCHEMA.ttlAttribute]: Math.ceil((now + windowMs) / 1000),
        },
        ...(before
          ? {
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': before.version },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
  }

  /** Adds the holder's send unless the window is full; true when counted (now or before). */
  private async add(
    limit: RateLimit,
    holder: string,
    now: number,
    windowMs: number,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_COUNTER_ATTEMPTS; attempt += 1) {
      const before = await this.read(limit.key);
      const recent = (before?.sends ?? []).filter((s) => s.at > now - windowMs);
      if (recent.some((s) => s.holder === holder)) return true;
      if (recent.length >= limit.limit) return false;
      try {
        await this.write(limit.key, [...recent, { holder, at: now }], before, now, windowMs);
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * JITTER_MS));
      }
    }
    throw new RateLimitContentionError(
      `rate counter ${limit.key}: ${MAX_COUNTER_ATTEMPTS} concurrent writes in a row`,
    );
  }

  private async remove(key: string, holder: string, now: number, windowMs: number): Promise<void> {
    for (let attempt = 0; attempt < MAX_COUNTER_ATTEMPTS; attempt += 1) {
      const before = await this.read(key);
      if (!before?.sends.some((s) => s.holder === holder)) return;
      try {
        await this.write(
          key,
          before.sends.filter((s) => s.holder !== holder),
          before,
          now,
          windowMs,
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // Left counted: the limit errs on the side of fewer mails, never more.
  }
}
