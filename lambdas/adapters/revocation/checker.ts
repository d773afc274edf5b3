/**
 * The relying party's view: for each certificate, an OCSP request to its responder and a look at
 * its issuer's current CRL. CRLs are downloaded once per URL per round (and kept until their
 * nextUpdate, at most `CRL_RECHECK_MS`); OCSP answers are kept for the lifetime they state
 * (nextUpdate, Cache-Control max-age), a `good` one at most `GOOD_OCSP_RECHECK_MS`. Freshness is judged by the wall clock, not the case clock: a responder's nextUpdate
 * is real time even when the local stack runs simulated time.
 */
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  Certificate,
  CRLDistributionPoints,
  id_ce_cRLDistributionPoints,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import type { CertificateToCheck, StatusChecker } from '../../domain/revocation/ports.ts';
import type { RevocationCheck } from '../../domain/revocation/types.ts';
import { type CrlEntry, type ParsedCrl, parseCrl } from './crl.ts';
import {
  HttpFetchError,
  type HttpGetter,
  MAX_CRL_BYTES,
  MAX_OCSP_RESPONSE_BYTES,
  PoliteHttp,
} from './http.ts';
import { findIssuer, type Issuer } from './issuers.ts';
import { buildOcspRequest, type OcspOutcome, parseOcspResponse } from './ocsp.ts';

const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';

/** The OCSP and CDP URLs a certificate names for itself (AIA, CRLDistributionPoints). */
export function urlsOf(pem: string): { ocsp: string | null; crl: string | null } {
  try {
    const cert = AsnConvert.parse(new X509Certificate(pem).raw, Certificate);
    const exts = cert.tbsCertificate.extensions ?? [];
    let ocsp: string | null = null;
    let crl: string | null = null;
    const aia = exts.find((e) => e.extnID === id_pe_authorityInfoAccess);
    if (aia) {
      const list = AsnConvert.parse(aia.extnValue.buffer, AuthorityInfoAccessSyntax);
      ocsp =
        list.find((a) => a.accessMethod === ID_AD_OCSP)?.accessLocation.uniformResourceIdentifier ??
        null;
    }
    const cdp = exts.find((e) => e.extnID === id_ce_cRLDistributionPoints);
    if (cdp) {
      const points = AsnConvert.parse(cdp.extnValue.buffer, CRLDistributionPoints);
      for (const p of points) {
        const uri = p.distributionPoint?.fullName?.find(
          (n) => n.uniformResourceIdentifier,
        )?.uniformResourceIdentifier;
        if (uri && /^https?:/i.test(uri)) {
          crl = uri;
          break;
        }
      }
    }
    return { ocsp, crl };
  } catch {
    return { ocsp: null, crl: null };
  }
}

interface Cached<T> {
  readonly value: T;
  readonly until: number;
}

/** Nothing we cache outlives this, whatever a server states (a bad clock must not freeze us). */
export const MAX_CACHE_MS = 24 * 3_600_000;

/**
 * A `good` OCSP answer is what a recorded revocation waits to see change, so it is kept only this
 * long (or less, if the responder states less): fresh enough to see a revocation within a round
 * or two, and never more than one request per certificate per responder in this time, however
 * often rounds run (RFC 5019 2.2.1: clients must not hammer a responder).
 */
export const GOOD_OCSP_RECHECK_MS = 20_000;

/**
 * A CA publishes a new CRL when it revokes, long before the old one's nextUpdate (BR 4.9.7), so
 * a CRL is downloaded again after this: at most one download per URL in this time.
 */
export const CRL_RECHECK_MS = 20_000;

export interface RelyingPartyOptions {
  readonly issuers: readonly Issuer[];
  readonly http?: HttpGetter;
  /** Real time, for freshness and caching. */
  readonly wallClock?: () => Date;
}

export class RelyingPartyChecker implements StatusChecker {
  private readonly http: HttpGetter;
  private readonly wall: () => Date;
  private readonly crlCache = new Map<string, Cached<ParsedCrl>>();
  private readonly ocspCache = new Map<string, Cached<OcspOutcome>>();
  /** CRL downloads made, per URL (for tests and the "one per issuer per round" figure). */
  readonly crlDownloads = new Map<string, number>();

  constructor(private readonly options: RelyingPartyOptions) {
    this.http = options.http ?? new PoliteHttp();
    this.wall = options.wallClock ?? (() => new Date());
  }

  private async crl(url: string, issuer: Issuer, round: Map<string, Promise<ParsedCrl>>) {
    const now = this.wall();
    const cached = this.crlCache.get(url);
    if (cached && cached.until > now.getTime()) return cached.value;
    let pending = round.get(url);
    if (!pending) {
      pending = (async (): Promise<ParsedCrl> => {
        this.crlDownloads.set(url, (this.crlDownloads.get(url) ?? 0) + 1);
        try {
          const got = await this.http.fetch({
            url,
            method: 'GET',
            accept: 'application/pkix-crl',
            maxBytes: MAX_CRL_BYTES,
          });
          const parsed = parseCrl(got.bytes, issuer, this.wall());
          if (parsed.ok && parsed.nextUpdate) {
            const until = Math.min(Date.parse(parsed.nextUpdate), now.getTime() + CRL_RECHECK_MS);
            this.crlCache.set(url, { value: parsed, until });
          }
          return parsed;
        } catch (error) {
          if (error instanceof HttpFetchError) return { ok: false, detail: error.message };
          return { ok: false, detail: `CRL fetch failed: ${(error as Error).message}` };
        }
      })();
      round.set(url, pending);
    }
    return pending;
  }

  private async ocsp(url: string, serial: string, issuer: Issuer): Promise<OcspOutcome> {
    const key = `${url} ${issuer.name} ${serial}`;
    const now = this.wall();
    const cached = this.ocspCache.get(key);
    if (cached && cached.until > now.getTime()) return cached.value;
    const request = buildOcspRequest(serial, issuer);
    let outcome: OcspOutcome;
    let maxAge: number | null = null;
    try {
      const got = await this.http.fetch({
        url,
        method: 'POST',
        body: request.der,
        contentType: 'application/ocsp-request',
        accept: 'application/ocsp-response',
        maxBytes: MAX_OCSP_RESPONSE_BYTES,
      });
      maxAge = got.maxAgeSeconds;
      outcome = parseOcspResponse(got.bytes, serial, issuer, this.wall(), request.nonce);
    } catch (error) {
      outcome = { result: 'error', detail: (error as Error).message };
    }
    if (outcome.result !== 'error') {
      const limits = [now.getTime() + MAX_CACHE_MS];
      if (outcome.nextUpdate) limits.push(Date.parse(outcome.nextUpdate));
      if (maxAge !== null) limits.push(now.getTime() + maxAge * 1000);
      if (outcome.result === 'good') {
        // Asked again soon (what a recorded revocation waits for), but not every round.
        limits.push(now.getTime() + GOOD_OCSP_RECHECK_MS);
        this.ocspCache.set(key, { value: outcome, until: Math.min(...limits) });
      } else if (outcome.nextUpdate || maxAge !== null) {
        // Revoked and unknown answers are kept as long as they say; no stated lifetime: ask
        // again next time rather than guess one.
        this.ocspCache.set(key, { value: outcome, until: Math.min(...limits) });
      }
    }
    return outcome;
  }

  async check(
    certificates: readonly CertificateToCheck[],
    at: Date,
  ): Promise<ReadonlyMap<string, readonly RevocationCheck[]>> {
    const round = new Map<string, Promise<ParsedCrl>>();
    const stamp = at.toISOString();
    const results = new Map<string, RevocationCheck[]>();
    await Promise.all(
      certificates.map(async (c) => {
        const issuer = findIssuer(this.options.issuers, c.issuer);
        const own = c.pem ? urlsOf(c.pem) : { ocsp: null, crl: null };
        const ocspUrl = own.ocsp ?? issuer?.ocspUrl ?? null;
        const crlUrl = own.crl ?? issuer?.crlUrl ?? null;
        const fail = (
          source: 'ocsp' | 'crl',
          url: string | null,
          detail: string,
        ): RevocationCheck => ({
          source,
          url,
          at: stamp,
          result: 'error',
          reasonCode: null,
          detail,
        });
        if (!issuer || !c.serial) {
          const why = !issuer
            ? `no configured issuer matches ${c.issuer ?? 'an unknown issuer'}`
            : 'serial number unknown';
          results.set(c.certificate, [fail('ocsp', ocspUrl, why), fail('crl', crlUrl, why)]);
          return;
        }
        const serial = c.serial;
        const [ocsp, crl] = await Promise.all([
          ocspUrl
            ? this.ocsp(ocspUrl, serial, issuer).then(
                (o): RevocationCheck =>
                  o.result === 'error'
                    ? fail('ocsp', ocspUrl, o.detail)
                    : {
                        source: 'ocsp',
                        url: ocspUrl,
                        at: stamp,
                        result: o.result,
                        reasonCode: o.result === 'revoked' ? (o.reasonCode ?? 0) : null,
                        revokedAt: o.revokedAt,
                        detail: o.detail,
                      },
              )
            : Promise.resolve(fail('ocsp', null, 'no OCSP URL (certificate or issuer config)')),
          crlUrl
            ? this.crl(crlUrl, issuer, round).then((p): RevocationCheck => {
                if (!p.ok) return fail('crl', crlUrl, p.detail);
                const entry: CrlEntry | undefined = p.entries.get(serial);
                return entry
                  ? {
                      source: 'crl',
                      url: crlUrl,
                      at: stamp,
                      result: 'revoked',
                      reasonCode: entry.reasonCode ?? 0,
                      revokedAt: entry.revokedAt,
                      detail: `on the CRL of ${p.thisUpdate} (next update ${p.nextUpdate ?? 'none'})`,
                    }
                  : {
                      source: 'crl',
                      url: crlUrl,
                      at: stamp,
                      result: 'good',
                      reasonCode: null,
                      detail: `not on the CRL of ${p.thisUpdate}`,
                    };
              })
            : Promise.resolve(fail('crl', null, 'no CRL URL (certificate or issuer config)')),
        ]);
        results.set(c.certificate, [ocsp, crl]);
      }),
    );
    return results;
  }
}
