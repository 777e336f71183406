/** Issue 2, simulation: 500 nodes, lookups find the true closest nodes. */
import { describe, expect, it } from 'vitest';
import { createTestnet } from '../../shared/sim/testnet';
import { measureLookups, testSeed } from '../helpers/dht';

const SEED = testSeed(500);

describe('simulation: 500 nodes', () => {
  it('lookups find the true closest nodes (success >= 0.99, kAccuracy >= 0.95 over 200 lookups)', () => {
    console.log(`lookups-500 seed=${SEED}`);
    const tn = createTestnet(500, { seed: SEED });
    const live = tn.live();
    expect(live.length, `seed=${SEED}`).toBe(500);
    const q = measureLookups(tn, 200);
    const msg = `seed=${SEED} success=${q.success} kAccuracy=${q.kAccuracy.toFixed(4)} misses=${q.misses.slice(0, 5).join('; ')}`;
    expect(q.lookups, msg).toBe(200);
    expect(q.success, msg).toBeGreaterThanOrEqual(0.99);
    expect(q.kAccuracy, msg).toBeGreaterThanOrEqual(0.95);
    // Every lookup converged on its own (none hit the query cap or was stopped).
    expect(
      q.results.every((r) => !r.stopped && r.queries < 100),
      msg,
    ).toBe(true);
    // Routing tables are populated: every node knows more than one bucket's worth of peers.
    expect(Math.min(...live.map((s) => s.node.table.size)), msg).toBeGreaterThan(20);
  });
});
