import { readFileSync } from 'node:fs';
import { extractEvidence } from './lambdas/domain/evidence/extract.ts';
import { scanPem } from './lambdas/domain/evidence/pem.ts';
import { parseCertificate } from './lambdas/domain/evidence/certificate.ts';
import { scanTextRefs } from './lambdas/domain/evidence/refs.ts';
const der = readFileSync('test/fixtures/pki/leaf-rsa.der');
const facts = JSON.parse(readFileSync('test/fixtures/pki/facts.json', 'utf8'));
const serial = Buffer.from(facts.certificates['leaf-rsa.pem'].serial, 'hex');
const at = der.indexOf(serial) + serial.length - 2;
const pems = Array.from({ length: 2000 }, (_, i) => { const c = Buffer.from(der); c.writeUInt16BE(i, at); return `-----BEGIN CERTIFICATE-----\n${c.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`; });
const csv = ['serial,subscriber'];
for (let i = 0; i < 5000; i++) csv.push(`${(0xabc000000000n + BigInt(i)).toString(16)},x`);
const content = { texts: [{ source: 'body', text: pems.join('\n') }], parts: [{ source: 'a', filename: 's.csv', contentType: 'text/csv', content: new TextEncoder().encode(csv.join('\n')) }] };
for (let r = 0; r < 5; r++) {
  let t = performance.now();
  const ev = await extractEvidence(content);
  const total = performance.now() - t;
  t = performance.now(); const scan = scanPem(content.texts[0]!.text, 1e6); const tPem = performance.now() - t;
  t = performance.now(); for (const b of scan.blocks) parseCertificate(b.der); const tParse = performance.now() - t;
  t = performance.now(); scanTextRefs(content.texts[0]!.text, { serial: () => true, fingerprint: () => true, crtshId: () => true }); const tRefs = performance.now() - t;
  console.log(`total ${total.toFixed(0)}ms certs=${ev.certificates.length} serials=${ev.serials.length} | pem ${tPem.toFixed(0)} parse ${tParse.toFixed(0)} refs ${tRefs.toFixed(0)}`);
}
