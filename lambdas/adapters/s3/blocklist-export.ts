import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlockedKey, BlocklistPublisher } from '../../domain/revocation/ports.ts';

/**
 * The object the issuance system reads (BR 6.1.1.3(4): reject keys reported as compromised). In
 * AWS it is the only object of a bucket of its own that nothing expires (`blocklist-bucket.ts`).
 */
export const BLOCKLIST_OBJECT_KEY = 'compromised-keys.json';

/** Rewrites the whole blocklist as one JSON object on each addition (small: one line per key). */
export class S3BlocklistPublisher implements BlocklistPublisher {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string = BLOCKLIST_OBJECT_KEY,
  ) {}

  async publish(keys: readonly BlockedKey[]): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key,
        Body: JSON.stringify({ format: 'spki-sha256', keys }, null, 1),
        ContentType: 'application/json',
      }),
    );
  }
}
