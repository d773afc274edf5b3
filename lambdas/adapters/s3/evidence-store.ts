import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { upgradeEvidence } from '../../domain/case/upgrade.ts';
import type { EvidenceStore, MessageEvidence } from '../../domain/ports/evidence-store.ts';
import { isNoSuchKey } from './errors.ts';

/**
 * The full evidence of each message as JSON, next to the raw mail. The case item keeps a bounded
 * sample; this file keeps everything (thousands of certificates in a mass report).
 */
export class S3EvidenceStore implements EvidenceStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  keyFor(caseId: string, sesMessageId: string): string {
    return `${this.prefix}${caseId}/${sesMessageId}.json`;
  }

  mergedKeyFor(caseId: string, version: number, sesMessageId: string): string {
    return `${this.prefix}${caseId}/merged/${version}-${sesMessageId}.json`;
  }

  async put(key: string, evidence: MessageEvidence): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(evidence),
        ContentType: 'application/json',
      }),
    );
  }

  async get(key: string): Promise<MessageEvidence | null> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await out.Body?.transformToString('utf-8');
      if (!text) return null;
      const stored = JSON.parse(text) as MessageEvidence;
      return { ...stored, evidence: upgradeEvidence(stored.evidence) };
    } catch (error) {
      if (isNoSuchKey(error)) {
        return null;
      }
      throw error;
    }
  }
}
