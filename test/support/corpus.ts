/**
 * The labelled corpus (scripts/fixtures/corpus-data.ts) run through the same steps intake takes:
 * parse, extract evidence, look the evidence up in the test inventory, classify. Shared by the
 * regression test and `npm run bench:classify`.
 */
import { readFileSync } from 'node:fs';
import { type ClassificationResult, classify } from '../../lambdas/domain/classify/classify.ts';
import { extractEvidence } from '../../lambdas/domain/evidence/extract.ts';
import { parseInventoryText } from '../../lambdas/domain/inventory/csv.ts';
import { inventoryQueryFor } from '../../lambdas/domain/inventory/resolve.ts';
import type { InventoryRecord } from '../../lambdas/domain/inventory/types.ts';
import { parseMail } from '../../lambdas/domain/mail/parse.ts';
import type { CorpusItem } from '../../scripts/fixtures/corpus-data.ts';

export const CORPUS_DIR = 'test/fixtures/corpus';

export type CorpusLabel = Pick<
  CorpusItem,
  'name' | 'language' | 'split' | 'label' | 'revocationRequested' | 'note'
>;

export function corpusLabels(): CorpusLabel[] {
  return JSON.parse(readFileSync(`${CORPUS_DIR}/labels.json`, 'utf8')) as CorpusLabel[];
}

const inventory: Promise<readonly InventoryRecord[]> = parseInventoryText(
  readFileSync('test/fixtures/pki/inventory.csv', 'utf8'),
).then((r) => r.records);

/** The inventory port's contract on an in-memory list: every record matching any value. */
async function lookup(query: ReturnType<typeof inventoryQueryFor>): Promise<InventoryRecord[]> {
  const sha = new Set(query.sha256s);
  const serials = new Set(query.serials);
  const spki = new Set(query.spkiSha256s);
  return (await inventory).filter(
    (r) => sha.has(r.sha256) || serials.has(r.serial) || spki.has(r.spkiSha256),
  );
}

/** Classifies one corpus message as intake would. */
export async function classifyCorpusItem(name: string): Promise<ClassificationResult> {
  const mail = await parseMail(readFileSync(`${CORPUS_DIR}/${name}.eml`));
  const evidence = await extractEvidence(mail.content);
  const records = await lookup(inventoryQueryFor(evidence, { issuersConfigured: false }));
  return classify({ evidence, mail, namesOurCertificate: records.length > 0 });
}
