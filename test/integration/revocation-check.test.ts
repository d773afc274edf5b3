/**
 * The relying-party checker against a real CA: `openssl ocsp` as responder, CRLs from `openssl ca
 * -gencrl` over HTTP. Every status the checker reports must be the one openssl published.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CRL_RECHECK_MS,
  GOOD_OCSP_RECHECK_MS,
  RelyingPartyChecker,
} from '../../lambdas/adapters/revocation/checker.ts';
import { type HttpGetter, PoliteHttp } from '../../lambdas/adapters/revocation/http.ts';
import { revocationIssuers } from '../../lambdas/adapters/revocation/issuers.ts';
import { judge } from '../../lambdas/domain/revocation/verdict.ts';
import { type IssuedCertificate, startTestCa, type TestCa } from '../support/test-ca.ts';

let ca: TestCa;
beforeAll(async () => {
  ca = await startTestCa();
}, 60_000);
afterAll(async () => ca?.stop());

function checker(options: { ocspUrl?: string; crlUrl?: string } = {}) {
  const json = JSON.parse(ca.issuersJson()) as Record<string, string>[];
  const issuers = revocationIssuers(JSON.stringify(json.map((i) => ({ ...i, ...options }))));
  return new RelyingPartyChecker({ issuers, http: new PoliteHttp({ timeoutMs: 3_000 }) });
}

const toCheck = (c: IssuedCertificate) => ({
  certificate: c.sha256,
  serial: c.serial,
  issuer: c.issuer,
  pem: null,
});

describe('revocation seen from outside', () => {
  test('a valid certificate: OCSP good, not on the CRL, not verified', async () => {
    const cert = await ca.issue('good.example.test');
    ca.publishCrl();
    const checks = (await checker().check([toCheck(cert)], new Date())).get(cert.sha256)!;
    expect(checks.map((c) => [c.source, c.result])).toEqual([
      ['ocsp', 'good'],
      ['crl', 'good'],
    ]);
    expect(judge(checks, 'keyCompromise')).toEqual({
      verified: false,
      problems: ['ocspGood', 'notOnCrl'],
    });
  });

  test('revoked for key compromise and on a new CRL: verified, with reason code 1', async () => {
    const cert = await ca.issue('kc.example.test');
    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    const checks = (await checker().check([toCheck(cert)], new Date())).get(cert.sha256)!;
    expect(checks.map((c) => [c.source, c.result, c.reasonCode])).toEqual([
      ['ocsp', 'revoked', 1],
      ['crl', 'revoked', 1],
    ]);
    expect(judge(checks, 'keyCompromise').verified).toBe(true);
    expect(judge(checks, 'superseded')).toEqual({ verified: false, problems: ['wrongReason'] });
  });

  test('revoked but the CRL not yet published: not verified (notOnCrl)', async () => {
    const cert = await ca.issue('late-crl.example.test');
    ca.publishCrl();
    await ca.revoke(cert, 'keyCompromise');
    const checks = (await checker().check([toCheck(cert)], new Date())).get(cert.sha256)!;
    expect(judge(checks, 'keyCompromise')).toEqual({ verified: false, problems: ['notOnCrl'] });
    ca.publishCrl();
  });

  test('a stale responder still answering good after the revocation: ocspGood', async () => {
    const cert = await ca.issue('stale.example.test');
    await ca.revoke(cert, 'keyCompromise', { ocsp: false });
    ca.publishCrl();
    const checks = (await checker().check([toCheck(cert)], new Date())).get(cert.sha256)!;
    expect(judge(checks, 'keyCompromise')).toEqual({ verified: false, problems: ['ocspGood'] });
    await ca.publishOcsp();
  });

  test('responder down: error, never verified', async () => {
    const cert = await ca.issue('down.example.test');
    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    await ca.stopResponder();
    try {
      const checks = (await checker().check([toCheck(cert)], new Date())).get(cert.sha256)!;
      expect(checks[0]).toMatchObject({ source: 'ocsp', result: 'error' });
      expect(judge(checks, 'keyCompromise')).toEqual({ verified: false, problems: ['ocspError'] });
    } finally {
      await ca.startResponder();
    }
  });

  test('a CRL signed by another key, a garbage CRL, a truncated CRL: error', async () => {
    const cert = await ca.issue('badcrl.example.test');
    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    const other = await startTestCa();
    try {
      other.publishCrl();
      const { readFileSync } = await import('node:fs');
      const foreign = readFileSync(`${other.dir}/ca.crl`);
      const good = readFileSync(`${ca.dir}/ca.crl`);
      for (const bytes of [foreign, Buffer.from('not a CRL'), good.subarray(0, good.length - 7)]) {
        ca.serveCrlOverride(bytes);
        const checks = (await checker().check([toCheck(cert)], new Date())).get(cert.sha256)!;
        expect(checks[1]).toMatchObject({ source: 'crl', result: 'error' });
        expect(judge(checks, 'keyCompromise').verified).toBe(false);
      }
    } finally {
      ca.serveCrlOverride(null);
      await other.stop();
    }
  });

  test('OCSP answers of tryLater, unauthorized, garbage, a slow server: error', async () => {
    const cert = await ca.issue('hostile.example.test');
    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    // DER OCSPResponse { responseStatus ENUMERATED 3 / 6 } with no responseBytes.
    const bodies: (Buffer | null)[] = [
      Buffer.from('30030a0103', 'hex'),
      Buffer.from('30030a0106', 'hex'),
      Buffer.from('garbage'),
      null,
    ];
    for (const body of bodies) {
      const server = createServer((_req, res) => {
        if (body) res.writeHead(200).end(body);
        // null: never answer; the checker's timeout must end it.
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      try {
        const c = new RelyingPartyChecker({
          issuers: revocationIssuers(ca.issuersJson()).map((i) => ({
            ...i,
            ocspUrl: `http://127.0.0.1:${port}/`,
          })),
          http: new PoliteHttp({ timeoutMs: 500 }),
        });
        const checks = (await c.check([toCheck(cert)], new Date())).get(cert.sha256)!;
        expect(checks[0]).toMatchObject({ source: 'ocsp', result: 'error' });
        expect(judge(checks, 'keyCompromise').verified).toBe(false);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    }
  });

  test('a mass round: one CRL download for many certificates of one issuer', async () => {
    const certs = [] as IssuedCertificate[];
    for (let i = 0; i < 12; i += 1) certs.push(await ca.issue(`mass-${i}.example.test`));
    for (const c of certs.slice(0, 6)) await ca.revoke(c, 'keyCompromise', { ocsp: false });
    await ca.publishOcsp();
    ca.publishCrl();
    const c = checker();
    const results = await c.check(certs.map(toCheck), new Date());
    expect([...c.crlDownloads.values()]).toEqual([1]);
    const verified = certs.filter((x) => judge(results.get(x.sha256)!, 'keyCompromise').verified);
    expect(verified.map((x) => x.sha256)).toEqual(certs.slice(0, 6).map((x) => x.sha256));
  });

  test('a good answer and a CRL are asked again after their recheck time, not every round', async () => {
    const cert = await ca.issue('recheck.example.test');
    ca.publishCrl();
    const polite = new PoliteHttp({ timeoutMs: 3_000 });
    const sent = { POST: 0, GET: 0 };
    const http: HttpGetter = {
      fetch: (request) => {
        sent[request.method] += 1;
        return polite.fetch(request);
      },
    };
    let wall = Date.now();
    const c = new RelyingPartyChecker({
      issuers: revocationIssuers(ca.issuersJson()),
      http,
      wallClock: () => new Date(wall),
    });
    const round = async () => (await c.check([toCheck(cert)], new Date(wall))).get(cert.sha256)!;

    expect((await round()).map((x) => x.result)).toEqual(['good', 'good']);
    await ca.revoke(cert, 'keyCompromise');
    ca.publishCrl();
    // A round soon after: the cached answers, no new request to the responder or the CRL host.
    wall += 5_000;
    expect((await round()).map((x) => x.result)).toEqual(['good', 'good']);
    expect(sent).toEqual({ POST: 1, GET: 1 });
    // Past the recheck time: asked again, and the revocation is seen on both.
    wall += Math.max(GOOD_OCSP_RECHECK_MS, CRL_RECHECK_MS);
    const checks = await round();
    expect(checks.map((x) => [x.source, x.result, x.reasonCode])).toEqual([
      ['ocsp', 'revoked', 1],
      ['crl', 'revoked', 1],
    ]);
    expect(judge(checks, 'keyCompromise').verified).toBe(true);
    expect(sent).toEqual({ POST: 2, GET: 2 });
  });
});
