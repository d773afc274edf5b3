import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from './aws-clients.ts';

export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** Reads a secret's string value once (at cold start); a missing value fails loudly. */
export async function readSecretString(
  arn: string,
  client = secretsManagerClient(),
): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new SecretUnavailableError(`secret ${arn} has no string value`);
  return out.SecretString;
}

/** Where a key comes from: Secrets Manager in AWS, the plain value locally. */
export type SecretSource =
  | { readonly kind: 'secretsManager'; readonly secretArn: string }
  | { readonly kind: 'plain'; readonly secret: string };

/**
 * Reads the key once per container; a failed read is not cached, so the next run tries again.
 * A rotated secret reaches a warm container only when it is recycled (docs/operations.md).
 */
export function cachedSecret(
  source: SecretSource,
  read: (arn: string) => Promise<string> = (arn) => readSecretString(arn),
): () => Promise<string> {
  if (source.kind === 'plain') return async () => source.secret;
  let pending: Promise<string> | null = null;
  return () => {
    pending ??= read(source.secretArn).catch((error: unknown) => {
      pending = null;
      throw error;
    });
    return pending;
  };
}
