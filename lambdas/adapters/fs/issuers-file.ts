/**
 * The issuers file named by CPR_ISSUERS: a path locally, the copy bundled next to the code in
 * AWS (`issuers` in the CDK config). Read once at cold start; a bad file fails the start.
 */
import { readFileSync } from 'node:fs';
import { type IssuerCertificate, parseIssuersJson } from '../../domain/issuers/config.ts';
import { ENV } from '../../shared/env-names.ts';

export function readIssuersFile(path: string | undefined): readonly IssuerCertificate[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf-8');
  } catch (error) {
    throw new Error(
      `${ENV.issuersFile}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  try {
    return parseIssuersJson(text);
  } catch (error) {
    throw new Error(`${ENV.issuersFile} (${path}): ${(error as Error).message}`, { cause: error });
  }
}
