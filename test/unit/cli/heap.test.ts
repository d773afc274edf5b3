/** Heap limits the `cpr` launcher gives the streaming inventory commands, and only them. */
import { describe, expect, test } from 'vitest';
import {
  heapFlagsFor,
  STREAMING_OLD_SPACE_MB,
  STREAMING_SEMI_SPACE_MB,
} from '../../../cli/bin/heap.js';

describe('heapFlagsFor', () => {
  const limits = [
    `--max-old-space-size=${STREAMING_OLD_SPACE_MB}`,
    `--max-semi-space-size=${STREAMING_SEMI_SPACE_MB}`,
  ];

  test('inventory import and export-ddb-json run with the limits, global options or not', () => {
    expect(heapFlagsFor(['inventory', 'import', 'x.csv'])).toEqual(limits);
    expect(heapFlagsFor(['inventory', '--sync', 'import', 'x.csv'])).toEqual(limits);
    expect(heapFlagsFor(['--json', 'inventory', 'export-ddb-json', 'x.csv', 'out'])).toEqual(
      limits,
    );
  });

  test('every other command runs with Node’s defaults (a large mail may need more heap)', () => {
    expect(heapFlagsFor(['inventory', 'lookup', '01'])).toEqual([]);
    expect(heapFlagsFor(['ingest', 'import.eml'])).toEqual([]);
    expect(heapFlagsFor([])).toEqual([]);
  });
});
