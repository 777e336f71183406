/** Small statistics helpers for simulator summaries. */
export declare function percentile(values: number[], p: number): number;
export declare function summarize(values: number[]): {
    p50: number;
    p90: number;
    p99: number;
};
export declare function mean(values: number[]): number;
/** A stable 32-bit hash of an unordered pair of small integers (for per-link properties). */
export declare function pairHash(a: number, b: number, salt: number): number;
