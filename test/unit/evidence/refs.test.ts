import { describe, expect, test } from 'vitest';
import { extractEvidence } from '../../../lambdas/domain/evidence/extract.ts';
import { attach, certFacts, mail, part, pkiText } from './helpers.ts';

const text = async (body: string) => extractEvidence(mail([body]));
const FP = 'c5ec7c8db49cb0b1eff1f57390a52089743a1c2eb7d7f9e99c3e01a3bcbb5001';
const colons = (hex: string) => hex.match(/../g)?.join(':') ?? '';

describe('crt.sh links', () => {
  test('ids from id, d and numeric q links; fingerprints from sha256 links', async () => {
    const ev = await text(
      [
        'https://crt.sh/?id=1234567890',
        'see <https://crt.sh/?q=987654321>, and crt.sh/?d=555.',
        `https://crt.sh/?sha256=${FP.toUpperCase()}`,
        'https://crt.sh/?id=1234567890&opt=ocsp (again)',
      ].join('\n'),
    );
    expect(ev.crtshIds).toEqual(['1234567890', '987654321', '555']);
    expect(ev.sha256Fingerprints).toEqual([FP]);
  });

  test('non-numeric or domain queries are not ids', async () => {
    const ev = await text('https://crt.sh/?q=example.com https://crt.sh/?id=12ab3 crt.sh/?id=');
    expect(ev.crtshIds).toEqual([]);
    expect(ev.sha256Fingerprints).toEqual([]);
  });

  test('a crt.sh serial link gives a serial', async () => {
    const ev = await text('https://crt.sh/?serial=04A3B2C1D0E1F2030405');
    expect(ev.serials).toEqual(['04a3b2c1d0e1f2030405']);
  });
});

describe('SHA-256 fingerprints', () => {
  test('with and without colons, any case', async () => {
    const other = 'ab'.repeat(32);
    const ev = await text(
      `Fingerprint: ${FP.toUpperCase()}\nSHA256 Fingerprint=${colons(other).toUpperCase()}\n${colons(FP)}`,
    );
    expect(ev.sha256Fingerprints).toEqual([FP, other]);
    // 32 colon-separated bytes are a fingerprint, never a serial.
    expect(ev.serials).toEqual([]);
  });

  test('63 or 65 hex digits, SHA-512 and hex inside words are not fingerprints', async () => {
    const ev = await text(
      [`${FP.slice(1)}`, `${FP}0`, `${FP}${FP}`, `x${FP}`, `${colons(FP)}:00`].join('\n'),
    );
    expect(ev.sha256Fingerprints).toEqual([]);
  });

  test('the fingerprint of a certificate in the mail is left to the certificate entry', async () => {
    const rsa = certFacts('leaf-rsa.pem').sha256;
    const ev = await extractEvidence(
      mail([`sha256 ${rsa} and ${'ef'.repeat(32)}`], [attach('leaf-rsa.der')]),
    );
    expect(ev.certificates.map((c) => c.sha256)).toEqual([rsa]);
    expect(ev.sha256Fingerprints).toEqual(['ef'.repeat(32)]);
  });
});

describe('serial numbers', () => {
  test.each([
    ['Serial Number: 04:a3:b2:c1:d0:e1:f2:03', '04a3b2c1d0e1f203'],
    ['serial: 0x4A3B2C1D0E1F2030405', '04a3b2c1d0e1f2030405'],
    ['Serial Number (hex): 00:8B:AD:F0:0D', '8badf00d'],
    ['serial no. 8badf00d5eed1234cafe0001 is affected', '8badf00d5eed1234cafe0001'],
    ['serial_number=04a3b2c1', '04a3b2c1'],
    ['    Serial Number: 4660 (0x1234)', '1234'],
    ['Serial number: 0c 9f 2e 44 a1 b2 c3 d4', '0c9f2e44a1b2c3d4'],
    ['serial (decimal): 1234', '04d2'],
    ['Serial Number (decimal): 340282366920938463463374607431768211455', 'ff'.repeat(16)],
    ['decimal serial 1234', '04d2'],
    ['Serial (hex): 1234', '1234'],
    ['Serial: 0x1234', '1234'],
    ['Seriennummer: 04:A3:B2:C1:D0:E1:F2:03', '04a3b2c1d0e1f203'],
    ['numéro de série : 04-a3-b2-c1-d0-e1-f2-03', '04a3b2c1d0e1f203'],
    ['número de serie: 0x8BADF00D', '8badf00d'],
    ['número de série: 04 a3 b2 c1 d0 e1', '04a3b2c1d0e1'],
    ['numero di serie: 5ca1ab1e', '5ca1ab1e'],
    ['Serienummer: 04:a3:b2:c1', '04a3b2c1'],
    ['o numerze seryjnym 04a3b2c1d0e1f203', '04a3b2c1d0e1f203'],
    ['シリアル番号：04:A3:B2:C1', '04a3b2c1'],
    ['序列号为 04:a3:b2:c1', '04a3b2c1'],
    ['Serien-Nr. 0x04a3', '04a3'],
  ])('labelled: %s', async (line, serial) => {
    expect((await text(line)).serials).toEqual([serial]);
  });

  test('several values on one labelled line', async () => {
    const ev = await text('Serials: 0x01020304, 0x05060708; 090a0b0c0d and more');
    expect(ev.serials).toEqual(['01020304', '05060708', '090a0b0c0d']);
  });

  test('a list under a label line, until the first line that is not a serial', async () => {
    const ev = await text(
      [
        'Please revoke the following serial numbers:',
        '',
        '  - 04:a3:b2:c1:d0:e1:f2:03',
        '  - 0x1122334455667788',
        '> 8badf00d5eed1234cafe0001',
        '',
        'deadbeef00112233',
      ].join('\n'),
    );
    expect(ev.serials).toEqual([
      '04a3b2c1d0e1f203',
      '1122334455667788',
      '8badf00d5eed1234cafe0001',
    ]);
  });

  test('openssl -text output yields its serial and none of its hex dumps', async () => {
    const ev = await text(pkiText('leaf-rsa.txt'));
    expect(ev.serials).toEqual([certFacts('leaf-rsa.pem').serial]);
    expect(ev.sha256Fingerprints).toEqual([]);
  });

  test('unlabelled: a line of 8 to 20 colon-separated bytes', async () => {
    const ev = await text(
      [
        'These are compromised:',
        '04:a3:b2:c1:d0:e1:f2:03:04:05:06:07:08:09:0a:0b',
        '  8b:ad:f0:0d:5e:ed:12:34',
        'Also 11:22:33:44:55:66:77:88 in a sentence is not taken.',
        '12:30:45',
        'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee',
      ].join('\n'),
    );
    expect(ev.serials).toEqual(['04a3b2c1d0e1f2030405060708090a0b', '8badf00d5eed1234']);
  });

  test('hex words without a serial label are not serials', async () => {
    const ev = await text(
      [
        'commit 3f786850e387550fdab836ed7e6dc881de23001b',
        'Message-ID: <0123456789abcdef@example.test>',
        'The serial added was decade old. cafe babe',
        'Subject: C=DE, O=Example, serialNumber=HRB12345',
        'token a1b2c3d4e5f60718',
      ].join('\n'),
    );
    expect(ev.serials).toEqual([]);
  });

  test('serials are normalised and deduplicated across forms', async () => {
    const ev = await text('serial: 0x04A3B2C1\nSerial Number: 04:a3:b2:c1\nserial 4a3b2c1');
    expect(ev.serials).toEqual(['04a3b2c1']);
  });
});

describe('CSV mass reports', () => {
  test('5,000 serials and fingerprints by column', async () => {
    const rows = ['id;Serial Number;SHA-256 Fingerprint;note'];
    const expectedSerials: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const serial = (0x1000000000000000n + BigInt(i) * 7919n).toString(16);
      expectedSerials.push(serial);
      const fp = i < 3 ? `;${'0123456789abcdef'.repeat(4).slice(i)}${'x'.repeat(i)}` : ';';
      rows.push(`${i};"${colons(serial)}"${fp};"free, text"`);
    }
    const ev = await extractEvidence(mail([], [part(rows.join('\r\n'), 'mass.csv', 'text/csv')]));
    expect(ev.serials).toEqual(expectedSerials);
    expect(ev.sha256Fingerprints).toEqual(['0123456789abcdef'.repeat(4)]);
  });

  test('the inventory-style CSV: serial and sha256 columns, spki_sha256 ignored', async () => {
    const ev = await extractEvidence(mail([], [attach('inventory.csv', 'text/csv')]));
    const certs = ['leaf-rsa.pem', 'leaf-rsa-reissued.pem', 'leaf-ec.pem', 'leaf-other.pem'];
    expect(ev.serials).toEqual(certs.map((c) => certFacts(c).serial));
    expect(ev.sha256Fingerprints).toEqual(certs.map((c) => certFacts(c).sha256));
    expect(ev.sha256Fingerprints).not.toContain(certFacts('leaf-rsa.pem').spkiSha256);
  });

  test('a decimal serial column and a .txt list with a header', async () => {
    const csv = 'decimal_serial,crtsh_id\n1234,https://crt.sh/?id=42\n4660,43\n';
    const txt = 'serial\r\n04a3b2c1\r\n0x0506\r\n';
    const ev = await extractEvidence(
      mail([], [part(csv, 'list.csv', 'text/csv'), part(txt, 'serials.txt', 'text/plain')]),
    );
    expect(ev.serials).toEqual(['04d2', '1234', '04a3b2c1', '0506']);
    expect(ev.crtshIds).toEqual(['42', '43']);
  });
});

describe('text around PEM blocks', () => {
  test('references are read outside PEM blocks, never from the base64 inside them', async () => {
    const { outsidePemBlocks } = await import('../../../lambdas/domain/evidence/extract.ts');
    const hex = 'ab'.repeat(32);
    const text = `before ${hex}\n-----BEGIN CERTIFICATE-----\n${'cd'.repeat(32)}\n-----END CERTIFICATE-----\nSerial Number: 04:a3:b2\n-----BEGIN X\nunterminated ${'ef'.repeat(32)}`;
    const prose = outsidePemBlocks(text);
    expect(prose).toContain(hex);
    expect(prose).toContain('Serial Number: 04:a3:b2');
    expect(prose).not.toContain('cd'.repeat(32));
    // An unterminated block is kept: nothing is lost to a malformed marker.
    expect(prose).toContain('ef'.repeat(32));
  });
});

describe('digit-only serials are read both ways', () => {
  test.each([
    ['Serial: 1234', { text: '1234', asHex: '1234', asDecimal: '04d2' }],
    ['Seriennummer 4660', { text: '4660', asHex: '4660', asDecimal: '1234' }],
    ['シリアル番号: 100', { text: '100', asHex: '0100', asDecimal: '64' }],
  ])('%s', async (line, pair) => {
    const e = await text(line);
    expect(e.serials).toEqual([]);
    expect(e.ambiguousSerials).toEqual([pair]);
  });

  test('a stated base, separators or a 0x prefix decide alone', async () => {
    for (const line of [
      'Serial (hex): 1234',
      'Serial (decimal): 4660',
      'Serial: 0x1234',
      'Serial: 12:34',
      'Serial: 12-34',
    ]) {
      const e = await text(line);
      expect({ line, serials: e.serials, ambiguous: e.ambiguousSerials }).toEqual({
        line,
        serials: ['1234'],
        ambiguous: [],
      });
    }
  });

  test('digits that read the same both ways are one serial', async () => {
    expect((await text('Serial: 7')).serials).toEqual(['07']);
  });
});
