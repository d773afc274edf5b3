import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  RawMailNotFoundError,
  type RawMailStore,
  type StoredRawMail,
} from '../../domain/ports/raw-mail.ts';
import { isNoSuchKey } from './errors.ts';

/** The inbound bucket SES writes each raw message to (object key = prefix + SES messageId). */
export class S3RawMailStore implements RawMailStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async get(key: string): Promise<StoredRawMail> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const bytes = await out.Body?.transformToByteArray();
      if (!bytes) throw new RawMailNotFoundError(`s3://${this.bucket}/${key} has no body`);
      return { bytes, storedAt: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNoSuchKey(error)) {
        throw new RawMailNotFoundError(`s3://${this.bucket}/${key} does not exist`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
