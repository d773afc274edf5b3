/**
 * The CA's issuing certificates, from configuration: locally `CPR_ISSUERS=path/to/issuers.json`,
 * in CDK the `issuers` setting. One shape for every consumer:
 * `[{"name", "certificate" (PEM), "ocspUrl", "crlUrl"}]` (the URLs are optional here; a
 * certificate's own AIA and CDP URLs serve when present).
 *
 * Intake uses the certificates to check that a certificate in a report was really signed by us
 * before it matches an inventory record by issuer and serial (a name and a serial are public;
 * anyone can put them in a self-signed certificate).
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

/** A handful of issuers is normal; hundreds would be a configuration mistake. */
export const MAX_ISSUERS = 200;

export class IssuersConfigError extends Error {
  override readonly name = 'IssuersConfigError';
}

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const IssuerConfigSchema = z.object({
  name: z.string().trim().min(1).max(200),
  certificate: z.string().includes('-----BEGIN CERTIFICATE-----'),
  ocspUrl: httpUrl.optional(),
  crlUrl: httpUrl.optional(),
});
/** One entry of the configuration, as written. */
export type IssuerConfig = z.infer<typeof IssuerConfigSchema>;

export const IssuersConfigSchema = z.array(IssuerConfigSchema).max(MAX_ISSUERS);

/** A configured issuer with its certificate parsed once. */
export interface IssuerCertificate {
  readonly name: string;
  readonly certificate: X509Certificate;
  readonly ocspUrl?: string;
  readonly crlUrl?: string;
}

/** Validates the configuration; every problem names the entry and the field. */
export function parseIssuers(value: unknown): readonly IssuerCertificate[] {
  const parsed = IssuersConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IssuersConfigError(
      `issuers${issue?.path.map((p) => `[${String(p)}]`).join('') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data.map((entry: IssuerConfig, i) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(entry.certificate);
    } catch (cause) {
      throw new IssuersConfigError(`issuers[${i}] (${entry.name}): certificate is not readable`, {
        cause,
      });
    }
    if (!certificate.ca) {
      throw new IssuersConfigError(`issuers[${i}] (${entry.name}): certificate is not a CA`);
    }
    return {
      name: entry.name,
      certificate,
      ...(entry.ocspUrl ? { ocspUrl: entry.ocspUrl } : {}),
      ...(entry.crlUrl ? { crlUrl: entry.crlUrl } : {}),
    };
  });
}

/** The JSON text of an issuers file. */
export function parseIssuersJson(text: string): readonly IssuerCertificate[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new IssuersConfigError('issuers: not JSON', { cause });
  }
  return parseIssuers(value);
}

/**
 * The configured issuer that signed `cert`, or null. The name must match (checkIssued also
 * compares key identifiers) and the signature must verify under the issuer's key.
 */
export function signingIssuer(
  cert: X509Certificate,
  issuers: readonly IssuerCertificate[],
): IssuerCertificate | null {
  for (const issuer of issuers) {
    try {
      if (cert.checkIssued(issuer.certificate) && cert.verify(issuer.certificate.publicKey)) {
        return issuer;
      }
    } catch {
      // A key type OpenSSL cannot use is no signature of ours.
    }
  }
  return null;
}
