import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/** Reads a secret's string value once (at cold start); a missing value fails loudly. */
export async function readSecretString(
  arn: string,
  client = new SecretsManagerClient({}),
): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new SecretUnavailableError(`secret ${arn} has no string value`);
  return out.SecretString;
}
