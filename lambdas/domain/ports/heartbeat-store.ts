/** The canary's heartbeat: the newest synthetic report that made it through SES and intake. */
import type { Heartbeat } from '../canary/token.ts';

export interface HeartbeatReader {
  /** The newest heartbeat intake recorded for a canary mail, or null if none ever was. */
  latest(): Promise<Heartbeat | null>;
}

export interface HeartbeatStore extends HeartbeatReader {
  /** Keeps the newest heartbeat (an older one arriving late does not replace it). */
  record(h: Heartbeat): Promise<void>;
}
