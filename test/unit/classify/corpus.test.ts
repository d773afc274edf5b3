/**
 * The labelled corpus (scripts/fixtures/corpus-data.ts): every `dev` item is a regression test,
 * including each misclassification found so far. The `heldout` items are measured by
 * `npm run bench:classify` only, so the figures reported for them are not tuned to.
 */
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../../lambdas/domain/classify/lexicon.ts';
import { classifyCorpusItem, corpusLabels } from '../../support/corpus.ts';

const labels = corpusLabels();

describe('the corpus', () => {
  it('covers every language of the lexicon, with held-out items in each', () => {
    for (const language of LANGUAGES) {
      expect(labels.some((l) => l.language === language && l.split === 'dev')).toBe(true);
      expect(labels.some((l) => l.language === language && l.split === 'heldout')).toBe(true);
    }
  });

  it.each(labels.filter((l) => l.split === 'dev').map((l) => [l.name, l] as const))(
    '%s',
    async (_name, label) => {
      const result = await classifyCorpusItem(label.name);
      expect({
        classification: result.classification,
        revocationRequested: result.revocationRequested,
      }).toEqual({ classification: label.label, revocationRequested: label.revocationRequested });
      expect(result.signals.length).toBeGreaterThan(label.label === 'notACpr' ? -1 : 0);
    },
  );
});
