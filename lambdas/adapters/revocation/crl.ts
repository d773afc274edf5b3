/**
 * CRLs (RFC 5280 section 5) parsed with @peculiar/asn1-x509: current (nextUpdate ahead), issued
 * by the issuer (name and signature), and the serial looked up in it. A CRL is parsed once per
 * round and answers for every serial of that issuer (a mass revocation costs one download).
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLReason, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import type { Issuer } from './issuers.ts';
import { serialHexOf } from './ocsp.ts';
import { signatureValid, UnsupportedSignatureAlgorithmError } from './signature.ts';

export interface CrlEntry {
  readonly revokedAt: string;
  /** RFC 5280 reason code; null when the entry has no reasonCode extension (unspecified). */
  readonly reasonCode: number | null;
}

export type ParsedCrl =
  | {
      readonly ok: true;
      readonly thisUpdate: string;
      readonly nextUpdate: string | null;
      readonly entries: ReadonlyMap<string, CrlEntry>;
    }
  | { readonly ok: false; readonly detail: string };

function bad(detail: string): ParsedCrl {
  return { ok: false, detail };
}

/** Parses and checks a DER (or PEM) CRL of `issuer` at `now`. */
export function parseCrl(input: Uint8Array, issuer: Issuer, now: Date): ParsedCrl {
  let der = input;
  const text = Buffer.from(input.subarray(0, 64)).toString('latin1');
  if (text.includes('-----BEGIN X509 CRL-----')) {
    const b64 = Buffer.from(input)
      .toString('latin1')
      .replace(/-----(BEGIN|END) X509 CRL-----/g, '')
      .replace(/\s+/g, '');
    der = new Uint8Array(Buffer.from(b64, 'base64'));
  }
  let crl: CertificateList;
  try {
    crl = AsnConvert.parse(der, CertificateList);
  } catch (e) {
    return bad(`malformed CRL: ${(e as Error).message}`);
  }
  const tbs = crl.tbsCertList;
  const issuerDer = new Uint8Array(AsnConvert.serialize(tbs.issuer));
  if (!Buffer.from(issuerDer).equals(Buffer.from(issuer.subjectDer))) {
    return bad('CRL is issued by another name than the issuer');
  }
  if (!crl.tbsCertListRaw) return bad('CRL data not available for the signature check');
  try {
    const ok = signatureValid(
      crl.signatureAlgorithm.algorithm,
      crl.tbsCertListRaw,
      crl.signature,
      issuer.certificate.publicKey,
    );
    if (!ok) return bad('CRL signature does not verify against the issuer certificate');
  } catch (e) {
    if (e instanceof UnsupportedSignatureAlgorithmError) return bad(e.message);
    throw e;
  }
  const thisUpdate = tbs.thisUpdate.getTime();
  const nextUpdate = tbs.nextUpdate?.getTime() ?? null;
  if (nextUpdate && nextUpdate.getTime() < now.getTime()) {
    return bad(`stale CRL: nextUpdate ${nextUpdate.toISOString()} has passed`);
  }
  const entries = new Map<string, CrlEntry>();
  for (const r of tbs.revokedCertificates ?? []) {
    const ext = r.crlEntryExtensions?.find((x) => x.extnID === id_ce_cRLReasons);
    let reasonCode: number | null = null;
    if (ext) {
      try {
        reasonCode = AsnConvert.parse(ext.extnValue.buffer, CRLReason).reason;
      } catch {
        return bad('CRL entry with a malformed reasonCode');
      }
    }
    entries.set(serialHexOf(r.userCertificate), {
      revokedAt: r.revocationDate.getTime().toISOString(),
      reasonCode,
    });
  }
  return {
    ok: true,
    thisUpdate: thisUpdate.toISOString(),
    nextUpdate: nextUpdate?.toISOString() ?? null,
    entries,
  };
}
