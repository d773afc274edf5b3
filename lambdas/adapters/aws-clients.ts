/**
 * SDK clients, created once per container. Endpoints come from the SDK's own environment
 * variables (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`, ...), so the same code runs
 * against AWS and against the local stand-ins. The shared Tracer captures each client: in Lambda
 * every SDK call is an X-Ray subsegment; elsewhere there is no Tracer and the client is unchanged.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../shared/powertools.ts';

/** The client captured by the Tracer where there is one (in Lambda), else as the SDK made it. */
const traced = <T>(client: T): T => (tracer ? tracer.captureAWSv3Client(client) : client);

export interface ClientOptions {
  /** Path-style bucket addressing, needed by S3 stand-ins without virtual-host DNS. */
  readonly s3ForcePathStyle?: boolean;
}

export function s3Client(options: ClientOptions = {}): S3Client {
  return traced(
    new S3Client({
      forcePathStyle: options.s3ForcePathStyle ?? process.env.S3_FORCE_PATH_STYLE === 'true',
      // Checksums only where S3 requires them: streaming bodies are otherwise re-framed, which
      // some S3-compatible stores corrupt.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
}

export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function sfnClient(): SFNClient {
  return traced(new SFNClient({}));
}

/**
 * `singleAttempt` for notices: SendEmail has no idempotency token, so an SDK retry after a
 * timeout could send a notice twice. Their mailer retries only SES's explicit throttling
 * refusals. The canary keeps the SDK's retries (a duplicate canary is harmless).
 */
export function sesClient(options: { readonly singleAttempt?: boolean } = {}): SESv2Client {
  return traced(new SESv2Client(options.singleAttempt ? { maxAttempts: 1 } : {}));
}

export function snsClient(): SNSClient {
  return traced(new SNSClient({}));
}

export function secretsManagerClient(): SecretsManagerClient {
  return traced(new SecretsManagerClient({}));
}

/** SES v1: receiving (receipt rule sets) has no v2 API. */
export function sesReceivingClient(): SESClient {
  return traced(new SESClient({}));
}
