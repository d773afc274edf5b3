/**
 * A real test CA for revocation checks: made with `openssl ca`, its OCSP responder is `openssl
 * ocsp -index ... -port` on 127.0.0.1, revocations are `openssl ca -revoke -crl_reason ...`, and
 * CRLs are `openssl ca -gencrl`, served over HTTP by this module. Nothing here computes a status
 * itself: every answer the code under test reads comes from openssl.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The responder must be listening within this time, or the test fails (no endless waits). */
const RESPONDER_START_TIMEOUT_MS = 15_000;

export interface IssuedCertificate {
  readonly name: string;
  readonly pem: string;
  readonly sha256: string;
  /** Lowercase hex, no leading zero bytes. */
  readonly serial: string;
  readonly spkiSha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyFile: string;
}

export interface TestCa {
  readonly dir: string;
  readonly certificatePem: string;
  readonly issuerDn: string;
  readonly ocspUrl: string;
  readonly crlUrl: string;
  /** Issues a certificate; `keyOf` reuses another certificate's key (a sibling on the same key). */
  issue(
    name: string,
    options?: { keyOf?: IssuedCertificate; startDate?: string; endDate?: string },
  ): Promise<IssuedCertificate>;
  /**
   * Revokes in the CA's database. The OCSP responder sees it only when `ocsp` is true (default);
   * false leaves the responder stale, as a responder fed late by the CA would be.
   */
  revoke(cert: IssuedCertificate, reason: string, options?: { ocsp?: boolean }): Promise<void>;
  /** Feeds the responder the CA's current database. */
  publishOcsp(): Promise<void>;
  /** Writes a new CRL (what the HTTP server serves from then on). */
  publishCrl(options?: { hours?: number }): void;
  /** Serves this instead of the CRL (malformed-input tests); null to serve the CRL again. */
  serveCrlOverride(bytes: Uint8Array | null): void;
  stopResponder(): Promise<void>;
  startResponder(): Promise<void>;
  /** The issuers configuration naming this CA. */
  issuersJson(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const CA_CONFIG = `
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = ./index.txt
new_certs_dir = ./certs
serial = ./serial
crlnumber = ./crlnumber
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
default_days = 365
default_crl_hours = 24
policy = any
unique_subject = no
copy_extensions = none
x509_extensions = leaf
crl_extensions = crl_ext
[ any ]
commonName = supplied
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:\${ENV::CPR_TEST_SAN}
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = CPR Test Issuing CA
O = Example CA
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
`;

function spkiSha256Of(pem: string): string {
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/** Creates the CA in a temporary directory and starts its OCSP responder and CRL server. */
export async function startTestCa(): Promise<TestCa> {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-test-ca-'));
  writeFileSync(join(dir, 'openssl.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  execFileSync('mkdir', ['-p', join(dir, 'certs')]);
  const env = { ...process.env, OPENSSL_CONF: join(dir, 'openssl.cnf'), CPR_TEST_SAN: 'ca.test' };
  const ossl = (args: string[], extraEnv: Record<string, string> = {}) =>
    execFileSync('openssl', args, {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...extraEnv },
    });
  ossl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key']);
  ossl([
    'req',
    '-new',
    '-x509',
    '-config',
    'openssl.cnf',
    '-key',
    'ca.key',
    '-days',
    '3650',
    '-extensions',
    'ca_ext',
    '-out',
    'ca.pem',
  ]);
  const certificatePem = readFileSync(join(dir, 'ca.pem'), 'utf8');

  const crlPort = await freePort();
  const ocspPort = await freePort();
  let crlOverride: Uint8Array | null = null;
  const crlServer: Server = createServer((req, res) => {
    if (req.url !== '/ca.crl') {
      res.writeHead(404).end();
      return;
    }
    const body = crlOverride ?? readFileSync(join(dir, 'ca.crl'));
    res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(body));
  });
  await new Promise<void>((r) => crlServer.listen(crlPort, '127.0.0.1', r));
  const ocspUrl = `http://127.0.0.1:${ocspPort}/`;
  const crlUrl = `http://127.0.0.1:${crlPort}/ca.crl`;

  let responder: ChildProcess | null = null;
  const startResponder = async () => {
    const p = spawn(
      'openssl',
      [
        'ocsp',
        '-index',
        'ocsp-index.txt',
        '-port',
        String(ocspPort),
        '-rsigner',
        'ca.pem',
        '-rkey',
        'ca.key',
        '-CA',
        'ca.pem',
        '-nmin',
        '60',
        '-ignore_err',
        // openssl's responder serves one connection at a time: bound how long one may hold it.
        '-timeout',
        '2',
      ],
      { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    responder = p;
    // Ready when it says so: a probing connect that sends nothing would hold the responder.
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `openssl ocsp did not start within ${RESPONDER_START_TIMEOUT_MS} ms: ${seen}`,
            ),
          ),
        RESPONDER_START_TIMEOUT_MS,
      );
      p.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('waiting for OCSP client connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`openssl ocsp exited with ${code}: ${seen}`));
      });
    });
    p.stderr?.resume();
  };
  const stopResponder = async () => {
    const p = responder;
    responder = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
    });
  };

  const publishCrl = (options: { hours?: number } = {}) => {
    ossl([
      'ca',
      '-config',
      'openssl.cnf',
      '-gencrl',
      '-crlhours',
      String(options.hours ?? 24),
      '-out',
      'ca.crl.pem',
    ]);
    ossl(['crl', '-in', 'ca.crl.pem', '-outform', 'DER', '-out', 'ca.crl']);
  };
  // The responder reads its own copy of the database, so a test can leave it stale.
  // openssl ocsp (3.0) reads its index once at start: a publication restarts it.
  const publishOcsp = async () => {
    writeFileSync(join(dir, 'ocsp-index.txt'), readFileSync(join(dir, 'index.txt')));
    if (responder) {
      await stopResponder();
      await startResponder();
    }
  };
  publishCrl();
  await publishOcsp();
  await startResponder();

  const issuerDn = new X509Certificate(certificatePem).subject;
  return {
    dir,
    certificatePem,
    issuerDn,
    ocspUrl,
    crlUrl,
    async issue(name, options = {}) {
      const keyFile = options.keyOf?.keyFile ?? `${name}.key`;
      if (!options.keyOf) {
        ossl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
      }
      ossl(['req', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
      const dates = [
        ...(options.startDate ? ['-startdate', options.startDate] : []),
        ...(options.endDate ? ['-enddate', options.endDate] : []),
      ];
      ossl(
        [
          'ca',
          '-batch',
          '-config',
          'openssl.cnf',
          '-notext',
          '-in',
          `${name}.csr`,
          '-out',
          `${name}.pem`,
          ...dates,
        ],
        { CPR_TEST_SAN: name },
      );
      await publishOcsp();
      const pem = readFileSync(join(dir, `${name}.pem`), 'utf8');
      const x = new X509Certificate(pem);
      return {
        name,
        pem,
        sha256: x.fingerprint256.replaceAll(':', '').toLowerCase(),
        serial: x.serialNumber.toLowerCase().replace(/^(00)+/, ''),
        spkiSha256: spkiSha256Of(pem),
        subject: x.subject,
        issuer: x.issuer,
        notBefore: new Date(x.validFrom).toISOString(),
        notAfter: new Date(x.validTo).toISOString(),
        keyFile,
      };
    },
    async revoke(cert, reason, options = {}) {
      ossl(['ca', '-config', 'openssl.cnf', '-revoke', `${cert.name}.pem`, '-crl_reason', reason]);
      if (options.ocsp ?? true) await publishOcsp();
    },
    publishOcsp,
    publishCrl,
    serveCrlOverride(bytes) {
      crlOverride = bytes;
    },
    startResponder,
    stopResponder,
    issuersJson() {
      return JSON.stringify([
        { name: 'CPR Test Issuing CA', certificate: certificatePem, ocspUrl, crlUrl },
      ]);
    },
    async stop() {
      await stopResponder();
      await new Promise<void>((r) => crlServer.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
