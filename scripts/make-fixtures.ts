/**
 * Regenerates every committed test fixture. Each step is a plain function call so a new fixture
 * family is one more line here. Run: `npm run fixtures`.
 */
import { CORPUS_DEFAULT_DIR, makeCorpusFixtures } from './fixtures/corpus.ts';
import { makeForgedKeyFixtures } from './fixtures/forged-keys.ts';
import { makeFormatFixtures } from './fixtures/formats.ts';
import { LINT_DEFAULT_DIR, makeLintFixtures } from './fixtures/lint.ts';
import { MAIL_DEFAULT_DIR, makeMailFixtures } from './fixtures/mails.ts';
import { makeOddCertificateFixtures } from './fixtures/odd-certificates.ts';
import { makeOpenSshKeyFixtures } from './fixtures/openssh-keys.ts';
import { makePkiFixtures } from './fixtures/pki.ts';

const PKI_DIR = 'test/fixtures/pki';

makePkiFixtures(PKI_DIR);
console.log(`pki fixtures: ${PKI_DIR}`);
// Forgeries carry the public keys of the PKI's certificates, so they follow them.
makeForgedKeyFixtures(PKI_DIR);
console.log(`forged key fixtures: ${PKI_DIR}`);
makeFormatFixtures(PKI_DIR);
console.log(`PKCS#12, RSA-PSS and DER key fixtures: ${PKI_DIR}`);
makeOddCertificateFixtures(PKI_DIR);
console.log(`odd certificate fixtures: ${PKI_DIR}`);
makeOpenSshKeyFixtures(PKI_DIR);
console.log(`OpenSSH key fixtures: ${PKI_DIR}`);

makeLintFixtures(LINT_DEFAULT_DIR);
console.log(`lint fixtures: ${LINT_DEFAULT_DIR}`);

// Mail fixtures embed the PKI ones (keys are new on every PKI run), so they always come after.
await makeMailFixtures(MAIL_DEFAULT_DIR, PKI_DIR);
console.log(`mail fixtures: ${MAIL_DEFAULT_DIR}`);

// The corpus attaches the lint and PKI certificates, so it comes last.
await makeCorpusFixtures(CORPUS_DEFAULT_DIR);
console.log(`corpus fixtures: ${CORPUS_DEFAULT_DIR}`);
