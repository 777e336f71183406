import { describe, expect, it } from 'vitest';
import { runPartition } from './scenarios/partition';

describe('scenario: partition and heal', () => {
  it('the k closest replicas all hold the newest seq one republish interval after healing', () => {
    const seed = 5;
    const s = runPartition({
      seed,
      nodes: 80,
      owners: 4,
      partitionMs: 10 * 60_000,
      values: { republishMs: 5 * 60_000, replicateMs: 10 * 60_000 },
    });
    const at = `(seed ${seed})`;
    expect(s.convergedAtHeal as number, `the split must leave stale replicas ${at}`).toBeLessThan(1);
    expect(s.converged, `converged ${at}`).toBe(1);
    expect(s.convergeSeconds as number, `convergeSeconds ${at}`).toBeLessThanOrEqual(300);
  });
});
