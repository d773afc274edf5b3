/**
 * `npm run demo`: sends a few realistic reports over SMTP to the running local stack, so a
 * newcomer sees acknowledgments in the outbox and team notices and escalations in the console.
 * Uses a real SMTP client (nodemailer) and the repository's test PKI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';

const port = Number(process.env.CPR_SMTP_PORT ?? 2525);
const to = (process.env.CPR_ADDRESSES ?? 'cpr@ca.example').split(',')[0]!.trim();
const pki = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'pki', name), 'utf-8');

const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });

const reports = [
  {
    from: 'Rita Researcher <rita@researcher.example>',
    subject: 'Key compromise: private key of rsa.example.test published',
    text: `Hello,\n\nthe private key of the certificate below was published on a paste site.\nPlease revoke all certificates for this key.\n\n${pki('leaf-rsa.key')}\n${pki('leaf-rsa.pem')}`,
  },
  {
    from: 'Mark Auditor <mark@audit.example>',
    subject: 'Misissued certificate: invalid SAN',
    text:
      'Dear CA,\n\nthe certificate https://crt.sh/?id=1234567890 was misissued: its SAN contains an ' +
      'internal name, which violates the Baseline Requirements.\nSHA-256 fingerprint: ' +
      `${JSON.parse(pki('facts.json')).certificates['leaf-ec.pem'].sha256}\n\nRegards, Mark\n`,
  },
  {
    from: 'Out Of Office <ooo@subscriber.example>',
    subject: 'Automatic reply: certificate renewal',
    text: 'I am out of the office until Monday.',
    headers: { 'Auto-Submitted': 'auto-replied' },
  },
];

for (const report of reports) {
  const info = await transport.sendMail({ to, ...report });
  console.log(`sent "${report.subject}" -> ${info.response}`);
}
transport.close();
console.log(
  "\nWatch the stack's console for team notices and escalations; the outbox page shows the acknowledgments.",
);
