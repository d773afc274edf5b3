import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the closing line `N passed, N failed[, N skipped]` on its own, which CI reads.
 * A test file that fails to load counts as one failure, so a broken import cannot pass quietly.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let seen = 0;
      for (const test of module.children.allTests()) {
        seen += 1;
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
      if (seen === 0 && module.state() === 'failed') failed += 1;
    }
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\n${passed} passed, ${failed} failed${tail}\n`);
  }
}
