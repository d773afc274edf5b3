/**
 * The CA's issuing certificates (`issuers` in the configuration) travel with the code of the
 * functions that need them, as `issuers.json` next to the bundle, named by CPR_ISSUERS: the same
 * file format and variable as the local stack. A few PEMs already exceed Lambda's 4 KB of
 * environment variables and an SSM String parameter's 4 KB; a bundled file needs no grant, no
 * call at cold start, and changes with a deploy like the code.
 */
import type { IssuerConfig } from '../../lambdas/domain/issuers/config.ts';
import { ENV } from '../../lambdas/shared/env-names.ts';
import type { BundledFile } from './cpr-function.ts';

export const ISSUERS_FILE_NAME = 'issuers.json';

/** The bundled issuers file, or nothing when no issuer is configured (CPR_ISSUERS stays unset). */
export function issuersFile(issuers: readonly IssuerConfig[]): BundledFile[] {
  return issuers.length === 0
    ? []
    : [{ name: ISSUERS_FILE_NAME, content: JSON.stringify(issuers), envName: ENV.issuersFile }];
}
