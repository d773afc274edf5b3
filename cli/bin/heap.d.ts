/** Types of heap.js (plain JavaScript, so that the launcher runs on any Node). */
export declare const STREAMING_OLD_SPACE_MB: number;
export declare const STREAMING_SEMI_SPACE_MB: number;
export declare function heapFlagsFor(args: readonly string[]): string[];
