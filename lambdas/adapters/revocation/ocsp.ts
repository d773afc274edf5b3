/**
 * OCSP (RFC 6960) as a relying party speaks it: a CertID request with SHA-1 hashes (what RFC
 * 5019 responders index by), a response parsed with @peculiar/asn1-ocsp, signed by the issuer or
 * by a responder certificate the issuer signed for OCSP signing, and fresh (nextUpdate ahead).
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import {
  BasicOCSPResponse,
  CertID,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  id_pkix_ocsp_nonce,
  OCSPRequest,
  OCSPResponse,
  OCSPResponseStatus,
  Request,
  type SingleResponse,
  TBSRequest,
} from '@peculiar/asn1-ocsp';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Extension } from '@peculiar/asn1-x509';
import type { Issuer } from './issuers.ts';
import { signatureValid, UnsupportedSignatureAlgorithmError } from './signature.ts';

const SHA1_OID = '1.3.14.3.2.26';
/** Clock difference we tolerate between us and a responder (thisUpdate slightly ahead). */
export const OCSP_CLOCK_SKEW_MS = 5 * 60_000;

export function hexOf(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(new Uint8Array(bytes)).toString('hex');
}

/** Lowercase hex without leading zero bytes (how serials are compared everywhere here). */
export function serialHexOf(bytes: ArrayBuffer | Uint8Array): string {
  const hex = hexOf(bytes).replace(/^(00)+/, '');
  return hex === '' ? '0' : hex;
}

/** DER INTEGER content for a positive serial given as hex (a leading 00 when the top bit is set). */
function serialBytes(serialHex: string): ArrayBuffer {
  let hex = serialHex.length % 2 === 1 ? `0${serialHex}` : serialHex;
  if (/^[89a-f]/i.test(hex)) hex = `00${hex}`;
  const b = Buffer.from(hex, 'hex');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}

function certId(serialHex: string, issuer: Issuer): CertID {
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1_OID, parameters: null }),
    issuerNameHash: new OctetString(issuer.nameHashSha1),
    issuerKeyHash: new OctetString(issuer.keyHashSha1),
    serialNumber: serialBytes(serialHex),
  });
}

export interface OcspRequestBytes {
  readonly der: Uint8Array;
  readonly nonce: Uint8Array;
}

/** One unsigned request for one serial, with a nonce (RFC 8954: 32 bytes). */
export function buildOcspRequest(serialHex: string, issuer: Issuer): OcspRequestBytes {
  const nonce = new Uint8Array(randomBytes(32));
  const request = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: certId(serialHex, issuer) })],
      requestExtensions: [
        new Extension({
          extnID: id_pkix_ocsp_nonce,
          critical: false,
          extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))),
        }),
      ],
    }),
  });
  return { der: new Uint8Array(AsnConvert.serialize(request)), nonce };
}

export type OcspOutcome =
  | {
      readonly result: 'good' | 'revoked' | 'unknown';
      readonly reasonCode: number | null;
      readonly revokedAt: string | null;
      readonly thisUpdate: string;
      readonly nextUpdate: string | null;
      readonly detail: string;
    }
  | { readonly result: 'error'; readonly detail: string };

function error(detail: string): OcspOutcome {
  return { result: 'error', detail };
}

function sameBytes(a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array): boolean {
  return Buffer.from(new Uint8Array(a)).equals(Buffer.from(new Uint8Array(b)));
}

/** Is the response signed by the issuer, or by a certificate the issuer delegated OCSP to? */
function signedByIssuer(basic: BasicOCSPResponse, issuer: Issuer): string | null {
  const tbs = basic.tbsResponseDataRaw;
  if (!tbs) return 'response data not available for the signature check';
  const alg = basic.signatureAlgorithm.algorithm;
  if (signatureValid(alg, tbs, basic.signature, issuer.certificate.publicKey)) return null;
  for (const c of basic.certs ?? []) {
    const responder = new X509Certificate(Buffer.from(AsnConvert.serialize(c)));
    // RFC 6960 4.2.2.2: a delegated responder is issued by the CA and has id-kp-OCSPSigning.
    if (!responder.verify(issuer.certificate.publicKey)) continue;
    if (!(responder.keyUsage ?? []).includes(id_kp_OCSPSigning)) continue;
    if (signatureValid(alg, tbs, basic.signature, responder.publicKey)) return null;
  }
  return 'signature does not verify against the issuer or a responder it authorised';
}

/**
 * Reads an OCSP response for `serialHex` issued by `issuer`, at `now`. Every way it can be
 * wrong (not successful, unsigned by the issuer, for another certificate, stale, not DER)
 * gives `error`: a broken answer never counts as revoked.
 */
export function parseOcspResponse(
  der: Uint8Array,
  serialHex: string,
  issuer: Issuer,
  now: Date,
  nonce: Uint8Array | null = null,
): OcspOutcome {
  let response: OCSPResponse;
  try {
    response = AsnConvert.parse(der, OCSPResponse);
  } catch (e) {
    return error(`malformed OCSP response: ${(e as Error).message}`);
  }
  if (response.responseStatus !== OCSPResponseStatus.successful) {
    return error(
      `responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}`,
    );
  }
  const bytes = response.responseBytes;
  if (!bytes || bytes.responseType !== id_pkix_ocsp_basic) {
    return error('response is not a basic OCSP response');
  }
  let basic: BasicOCSPResponse;
  try {
    basic = AsnConvert.parse(bytes.response.buffer, BasicOCSPResponse);
  } catch (e) {
    return error(`malformed basic OCSP response: ${(e as Error).message}`);
  }
  let problem: string | null;
  try {
    problem = signedByIssuer(basic, issuer);
  } catch (e) {
    if (e instanceof UnsupportedSignatureAlgorithmError) return error(e.message);
    return error(`signature check failed: ${(e as Error).message}`);
  }
  if (problem) return error(problem);
  const data = basic.tbsResponseData;
  if (nonce) {
    const echoed = data.responseExtensions?.find((x) => x.extnID === id_pkix_ocsp_nonce);
    // A responder may omit the nonce (RFC 5019 pre-signed responses); a different one is a replay.
    if (echoed) {
      const value = AsnConvert.parse(echoed.extnValue.buffer, OctetString);
      if (!sameBytes(value.buffer, nonce))
        return error('response nonce does not match the request');
    }
  }
  const want = serialHexOf(serialBytes(serialHex));
  const single: SingleResponse | undefined = data.responses.find(
    (r) =>
      serialHexOf(r.certID.serialNumber) === want &&
      sameBytes(r.certID.issuerNameHash.buffer, issuer.nameHashSha1) &&
      sameBytes(r.certID.issuerKeyHash.buffer, issuer.keyHashSha1),
  );
  if (!single) return error('response does not answer for this certificate');
  if (single.thisUpdate.getTime() > now.getTime() + OCSP_CLOCK_SKEW_MS) {
    return error(`thisUpdate ${single.thisUpdate.toISOString()} is in the future`);
  }
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime()) {
    return error(`stale response: nextUpdate ${single.nextUpdate.toISOString()} has passed`);
  }
  const base = {
    thisUpdate: single.thisUpdate.toISOString(),
    nextUpdate: single.nextUpdate?.toISOString() ?? null,
  };
  const status = single.certStatus;
  if (status.revoked) {
    const code = status.revoked.revocationReason?.reason ?? null;
    return {
      result: 'revoked',
      reasonCode: code,
      revokedAt: status.revoked.revocationTime.toISOString(),
      ...base,
      detail: `revoked at ${status.revoked.revocationTime.toISOString()}${code === null ? ' (no reason)' : ` reason ${code}`}`,
    };
  }
  if (status.unknown !== undefined && status.good === undefined) {
    return { result: 'unknown', reasonCode: null, revokedAt: null, ...base, detail: 'unknown' };
  }
  return { result: 'good', reasonCode: null, revokedAt: null, ...base, detail: 'good' };
}
