/**
 * Precision and recall of the classifier on the project's labelled corpus
 * (scripts/fixtures/corpus-data.ts, written as MIME to test/fixtures/corpus by `npm run
 * fixtures`): one confusion table per split, per-class precision and recall, and how often
 * `revocationRequested` is right. Writes the tables into docs/benchmarks.md between the
 * `bench:classify` markers (`--no-write` only prints them).
 *
 * The `dev` split is also asserted item by item by test/unit/classify/corpus.test.ts; the
 * `heldout` split is only measured here, so its figures are the honest ones.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Classification } from '../lambdas/domain/case/types.ts';
import { type CorpusLabel, classifyCorpusItem, corpusLabels } from '../test/support/corpus.ts';

const CLASSES = ['keyCompromise', 'misissuance', 'other', 'notACpr'] as const;
type Cls = (typeof CLASSES)[number];
const DOC = 'docs/benchmarks.md';
const START = '<!-- bench:classify:start -->';
const END = '<!-- bench:classify:end -->';

interface Outcome {
  readonly label: CorpusLabel;
  readonly got: Classification;
  readonly revocationRequested: boolean;
  readonly signals: readonly string[];
}

const outcomes: Outcome[] = [];
for (const label of corpusLabels()) {
  const r = await classifyCorpusItem(label.name);
  outcomes.push({
    label,
    got: r.classification,
    revocationRequested: r.revocationRequested,
    signals: r.signals,
  });
}

function pct(n: number, d: number): string {
  return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(0)} % (${n}/${d})`;
}

function report(title: string, set: readonly Outcome[]): string {
  const count = (want: Cls, got: Cls) =>
    set.filter((o) => o.label.label === want && o.got === got).length;
  const lines = [
    `**${title}** (${set.length} messages): rows are the label, columns what the classifier said.`,
    '',
    `| label \\ classified | ${CLASSES.join(' | ')} | recall |`,
    `|---|${CLASSES.map(() => '---:').join('|')}|---:|`,
  ];
  for (const want of CLASSES) {
    const row = CLASSES.map((got) => count(want, got));
    const total = set.filter((o) => o.label.label === want).length;
    lines.push(`| ${want} | ${row.join(' | ')} | ${pct(count(want, want), total)} |`);
  }
  lines.push(
    `| precision | ${CLASSES.map((c) =>
      pct(count(c, c), set.filter((o) => o.got === c).length),
    ).join(' | ')} | |`,
  );
  const correct = set.filter((o) => o.got === o.label.label).length;
  const revocation = set.filter(
    (o) => o.revocationRequested === o.label.revocationRequested,
  ).length;
  lines.push(
    '',
    `Accuracy ${pct(correct, set.length)}; \`revocationRequested\` right ${pct(revocation, set.length)}.`,
  );
  const wrong = set.filter(
    (o) => o.got !== o.label.label || o.revocationRequested !== o.label.revocationRequested,
  );
  if (wrong.length > 0) {
    lines.push('', 'Misclassified:');
    for (const o of wrong) {
      lines.push(
        `- \`${o.label.name}\`: labelled ${o.label.label}${o.label.revocationRequested ? ' (revocation requested)' : ''}, classified ${o.got}${o.revocationRequested ? ' (revocation requested)' : ''}; signals ${o.signals.join(', ') || 'none'}`,
      );
    }
  }
  return lines.join('\n');
}

const languages = [...new Set(outcomes.map((o) => o.label.language))].sort();
const tables = [
  report(
    'Held-out split',
    outcomes.filter((o) => o.label.split === 'heldout'),
  ),
  report(
    'Dev split (also regression tests)',
    outcomes.filter((o) => o.label.split === 'dev'),
  ),
  report('Whole corpus', outcomes),
  `Languages: ${languages.join(', ')}. Command: \`npm run bench:classify\`.`,
].join('\n\n');

console.log(tables);
if (!process.argv.includes('--no-write')) {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`${DOC} lacks the ${START} / ${END} markers`);
  writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${tables}\n${doc.slice(end)}`);
  console.log(`\nwritten to ${DOC}`);
}
