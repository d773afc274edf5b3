/**
 * A mass report as CAs receive them: one mail with a PEM bundle of many certificates and a CSV
 * of serials. Certificates are real X.509 (signed with P-256 by @peculiar/x509), built in memory
 * because thousands of openssl runs would take minutes.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface MassReport {
  readonly raw: Buffer;
  readonly certificatePems: readonly string[];
  readonly serials: readonly string[];
}

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function buildMassReport(options: {
  certificates: number;
  serials: number;
  from?: string;
  to?: string;
  messageId?: string;
  /** DNS names per certificate (a CDN's certificates carry 100). */
  sansPerCertificate?: number;
  /** Where the PEM bundle goes: pasted into the body, or attached as a .pem file (base64). */
  bundleIn?: 'body' | 'attachment';
}): Promise<MassReport> {
  const caKeys = (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const leafKeys = (await webcrypto.subtle.generateKey(EC, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const pems: string[] = [];
  for (let i = 0; i < options.certificates; i += 1) {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: `7f${(i + 1).toString(16).padStart(6, '0')}`,
      subject: `CN=mass-${i}.example.test`,
      issuer: 'CN=Mass Test Issuing CA',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-01-01T00:00:00Z'),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      publicKey: leafKeys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.SubjectAlternativeNameExtension(
          Array.from({ length: options.sansPerCertificate ?? 1 }, (_, j) => ({
            type: 'dns' as const,
            value: j === 0 ? `mass-${i}.example.test` : `www${j}.mass-${i}.example.test`,
          })),
        ),
      ],
    });
    pems.push(cert.toString('pem'));
  }
  const serials = Array.from({ length: options.serials }, (_, i) =>
    (0x5a000000 + i).toString(16).replace(/(..)(?!$)/g, '$1:'),
  );
  const csv = `serial,reason\n${serials.map((s) => `${s},misissued`).join('\n')}\n`;
  const intro =
    'Hello,\n\nthe certificates below were misissued: their subject violates the Baseline ' +
    'Requirements. The attached CSV lists further affected serial numbers.\n\n';
  const inBody = options.bundleIn === 'body';
  const raw = await new MailComposer({
    from: options.from ?? 'Mass Reporter <mass@researcher.example>',
    to: options.to ?? 'cpr@ca.example',
    subject: `Certificate problem report: ${options.certificates} misissued certificates`,
    messageId: options.messageId ?? '<mass-report-1@researcher.example>',
    date: new Date('2026-11-27T08:59:00Z'),
    text: inBody ? `${intro}${pems.join('')}\nRegards\n` : `${intro}Regards\n`,
    attachments: [
      ...(inBody
        ? []
        : [
            {
              filename: 'certificates.pem',
              content: pems.join(''),
              contentType: 'application/x-pem-file',
            },
          ]),
      { filename: 'serials.csv', content: csv, contentType: 'text/csv' },
    ],
  })
    .compile()
    .build();
  return { raw, certificatePems: pems, serials };
}
