/**
 * What SES receiving does before intake runs: the raw message is stored where the receipt rule's
 * S3 action puts it (the inbound prefix plus the SES message id), and the Lambda action's event
 * names it. The local stack, `cpr ingest`, the benches and the tests all deliver this way.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type SesEventInput, sesReceiptEvent, topHeaders } from './ses-event.ts';

export interface InboundLocation {
  readonly bucket: string;
  /** The S3 action's key prefix; the raw message's key is prefix + SES message id. */
  readonly prefix: string;
}

/** Stores `raw` as the S3 action would; the event SES would hand intake for it. */
export async function deliverInbound(
  s3: S3Client,
  where: InboundLocation,
  raw: Uint8Array,
  event: Omit<SesEventInput, 'headers'>,
): Promise<ReturnType<typeof sesReceiptEvent>> {
  await s3.send(
    new PutObjectCommand({
      Bucket: where.bucket,
      Key: `${where.prefix}${event.messageId}`,
      Body: raw,
    }),
  );
  return sesReceiptEvent({ ...event, headers: topHeaders(raw) });
}
