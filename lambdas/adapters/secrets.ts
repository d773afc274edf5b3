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
