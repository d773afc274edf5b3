import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RawMailArchive } from '../../domain/ports/raw-mail.ts';

/**
 * The Object Lock archive bucket (compliance mode: nobody can delete or shorten retention, not
 * even the account root). SES cannot write to a bucket with a default retention, so intake
 * copies each raw message here. A retry finds the object and does not add a second version.
 */
export class S3RawMailArchive implements RawMailArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async keep(key: string, bytes: Uint8Array): Promise<'stored' | 'alreadyThere'> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return 'alreadyThere';
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      if (status !== 404 && (error as { name?: string }).name !== 'NotFound') throw error;
    }
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: bytes,
        // S3 refuses a put without an integrity header on a bucket with default Object Lock
        // retention; it also proves the stored copy is the message we read.
        ContentMD5: createHash('md5').update(bytes).digest('base64'),
        ContentType: 'message/rfc822',
      }),
    );
    return 'stored';
  }
}
