import { expect, test } from 'vitest';
import { CLASSIFICATIONS } from '../../lambdas/domain/case/types.ts';

test('classifications are a closed set', () => {
  expect(CLASSIFICATIONS).toContain('keyCompromise');
});
