/**
 * Evidence forms through intake against the stand-ins, in real MIME. A certificate no parser
 * accepts is recorded with its fingerprint as sent, looked up in the inventory by that
 * fingerprint and by the serial its tbsCertificate holds, and shown to the team as an unparsed
 * certificate. An OpenSSH private key proves its key and reaches the certificates on it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caseJson } from '../../cli/commands/show.ts';
import { documentClient } from '../../lambdas/adapters/aws-clients.ts';
import { DynamoInventory } from '../../lambdas/adapters/dynamo/inventory.ts';
import { teamNotice } from '../../lambdas/domain/escalation/messages.ts';
import { parseInventoryText } from '../../lambdas/domain/inventory/csv.ts';
import { handleSesEvent } from '../../lambdas/intake/handler-core.ts';
import { readOddFacts } from '../../scripts/fixtures/odd-certificates.ts';
import { compose } from '../support/compose.ts';
import { CPR_ADDRESS, type IntakeEnv, intakeEnv } from '../support/intake-env.ts';

const pki = (name: string) => readFileSync(new URL(`../fixtures/pki/${name}`, import.meta.url));
const odd = readOddFacts();
const PADDED = odd['odd-serial-padded.der']!;
const UTF8 = odd['odd-utf8-name.der']!;
const run = (event: unknown) =>
  handleSesEvent(event, {
    deps: env.deps,
    settings: env.settings,
    inboundPrefix: env.config.inboundPrefix,
  });
const CERTS = (
  JSON.parse(pki('facts.json').toString('utf8')) as {
    certificates: Record<string, { sha256: string }>;
  }
).certificates;
const RSA = CERTS['leaf-rsa.pem']!;
const EC = CERTS['leaf-ec.pem']!;

let env: IntakeEnv;

beforeAll(async () => {
  env = await intakeEnv();
  // The fixture inventory, plus the odd certificate as a CA that issued it so would hold it:
  // under the fingerprint of its bytes, with a serial no report mentions.
  const csv = [
    pki('inventory.csv').toString('utf8').trim(),
    `${UTF8.sha256},7e57,${'00'.repeat(32)},Odd Names GmbH,pki@odd.example,`,
  ].join('\n');
  const { records } = await parseInventoryText(csv);
  await new DynamoInventory(documentClient(), env.config.inventoryTable).put(records);
});
afterAll(async () => env?.stop());

const pem = (bytes: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${(bytes.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;

describe('certificates the parser refuses', () => {
  test('match the inventory by fingerprint and by serial, and are shown as unparsed', async () => {
    const from = 'Jonas <jonas@pruefer.example>';
    const raw = await compose({
      ...{ from, to: CPR_ADDRESS, messageId: '<unparsed-1@pruefer.example>' },
      subject: 'Fehlerhaft kodierte Zertifikate',
      text: 'Guten Tag,\n\ndiese beiden Zertifikate sind falsch kodiert, siehe Anhang.\n\nJonas',
      attachments: [
        { filename: 'seriennummer.cer', content: pki('odd-serial-padded.der') },
        { filename: 'name.pem', content: pem(pki('odd-utf8-name.der')) },
      ],
    });
    const { event } = await env.deliver(raw, { timestamp: new Date('2026-11-27T10:00:00.000Z') });
    const [result] = await run(event);
    const c = await env.deps.cases.get(result?.caseId ?? '');
    if (!c) throw new Error('no case');
    expect(c.evidence.certificates).toEqual([]);
    expect(c.evidence.unparsedCertificates.map((u) => [u.sha256, u.serialCandidates])).toEqual([
      [PADDED.sha256, [PADDED.serial]],
      [UTF8.sha256, [UTF8.serial]],
    ]);
    expect(c.evidenceCounts.unparsedCertificates).toBe(2);
    // The certificates whose serials the refused bytes carry, and the odd one by its own
    // fingerprint.
    expect([...c.affected].sort()).toEqual([RSA.sha256, EC.sha256, UTF8.sha256].sort());
    expect(c.subscribers.map((s) => s.email)).toContain('pki@odd.example');
    expect(c.subscribers.map((s) => s.email)).toContain('rsa-admin@subscriber.example');
    // A case naming a certificate has the 24 h revocation deadline before triage (BR 4.9.1.1).
    expect(c.deadlines.revocation).toBe('2026-11-28T10:00:00.000Z');

    const file = await env.deps.evidence.get(c.messages[0]?.evidenceKey ?? '');
    expect(file?.matchedBy?.[UTF8.sha256]).toEqual(['sha256']);
    // A serial in bytes anyone can write is the weak link, as one written in the text is.
    expect(file?.matchedBy?.[RSA.sha256]).toEqual(['serialOnly']);

    const shown = caseJson(c, {
      full: {
        evidence: file?.evidence ?? c.evidence,
        affected: c.affected,
        subscribers: c.subscribers,
        ...(file?.matchedBy ? { matchedBy: file.matchedBy } : {}),
      },
      missing: [],
    });
    expect(shown.evidence.unparsedCertificates.map((u) => u.error)).toEqual([
      'the serial number INTEGER is not minimally encoded (X.690 8.3.2)',
      'invalid UTF-8 in a UTF8String of the subject name (RFC 5280 4.1.2.4)',
    ]);
    expect(shown.serialOnlyMatches).toEqual([RSA.sha256, EC.sha256].sort());

    const notice = teamNotice(c, { rawMail: (k) => k }).message;
    expect(notice).toContain('Unparsed certificates (read them from the raw message): 2');
    expect(notice).toContain(
      `sha256 ${PADDED.sha256}, serial ${PADDED.serial}: the serial number INTEGER is not minimally encoded`,
    );
  });
});

describe('an OpenSSH private key', () => {
  test('proves its key by signing and reaches every inventory certificate on it', async () => {
    const raw = await compose({
      ...{
        to: CPR_ADDRESS,
        from: 'Ops <ops@subscriber.example>',
        messageId: '<ssh-1@ops.example>',
      },
      subject: 'Unser Server wurde gehackt',
      text: 'Der Schlüssel liegt bei (OpenSSH-Format). Bitte sperren.',
      attachments: [{ filename: 'id_ecdsa', content: pki('leaf-ec.openssh.key') }],
    });
    const { event } = await env.deliver(raw);
    const [result] = await run(event);
    const c = await env.deps.cases.get(result?.caseId ?? '');
    expect(c?.classification).toBe('keyCompromise');
    expect(c?.evidence.keys.map((k) => [k.format, k.proof, k.source])).toEqual([
      ['openssh', true, 'attachment:id_ecdsa'],
    ]);
    expect(c?.affected).toEqual([EC.sha256]);
    expect(c?.subscribers.map((s) => s.email)).toEqual(['ec-admin@subscriber.example']);
  });
});
