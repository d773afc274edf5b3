/** The canary's heartbeat: the newest synthetic report that made it through SES and intake. */
import type { Heartbeat } from '../canary/token.ts';

export interface HeartbeatReader {
  /** The newest heartbeat intake recorded for a canary mail, or null if none ever was. */
  latest(): Promise<Heartbeat | null>;
}

/** Who used a canary token's nonce: the SES message and the Message-ID header it came with. */
export interface CanaryNonceClaim {
  readonly nonce: string;
  readonly sesMessageId: string;
  /** SES's own Message-ID of the canary mail: recorded, not signed (SES sets it after signing). */
  readonly messageIdHeader: string | null;
  readonly receivedAt: string;
}

export interface HeartbeatStore extends HeartbeatReader {
  /** Keeps the newest heartbeat (an older one arriving late does not replace it). */
  record(h: Heartbeat): Promise<void>;
  /**
   * Claims a canary token's nonce for one SES message, once (a conditional write): true when
   * this message holds it (the first claim, or the same message again: a retry or a replay),
   * false when another message used it already (the canary mail sent again).
   */
  claimNonce(claim: CanaryNonceClaim): Promise<boolean>;
}
