/**
 * Issue 2, simulation: a partition splits the network in two, routing tables lose the other side,
 * the partition heals and the tables recover. The full recovery bar (success >= 0.99 from both
 * sides) currently fails for this seed: see partition-recovery-bug.test.ts and the report.
 */
import { describe, expect, it } from 'vitest';
import { createTestnet, type Testnet } from '../../shared/sim/testnet';
import { DEFAULTS } from '../../shared/dht/constants';
import { measureLookups, testSeed } from '../helpers/dht';

const SEED = testSeed(1);
const N = 300;

/** Fraction of all routing-table entries that point to the other group. */
function crossFraction(tn: Testnet): number {
  let cross = 0;
  let all = 0;
  for (const s of tn.live())
    for (const c of s.node.table.contacts()) {
      all++;
      if (tn.get(c.hex)!.endpoint.group !== s.endpoint.group) cross++;
    }
  return cross / all;
}

describe('simulation: partition and heal', () => {
  it('tables lose the other side during a partition, each side keeps working, and cross links come back after heal()', () => {
    console.log(`partition seed=${SEED}`);
    const tn = createTestnet(N, { seed: SEED });
    tn.net.partition((e) => e.index % 2);
    const before = crossFraction(tn);
    expect(before, `seed=${SEED}`).toBeGreaterThan(0.4);

    // Two refresh intervals: refreshes and lookups time out on the other side and drop it.
    tn.runFor(2 * DEFAULTS.refreshIntervalMs);
    const during = crossFraction(tn);
    expect(during, `seed=${SEED} cross-group contacts before=${before.toFixed(3)} during=${during.toFixed(3)}`).toBeLessThan(before / 2);

    // Each side alone still finds its own closest nodes.
    for (const g of [0, 1]) {
      const side = tn.live().filter((s) => s.endpoint.group === g);
      let ok = 0;
      const L = 60;
      for (let i = 0; i < L; i++) {
        const from = side[tn.rng.int(side.length)]!;
        const target = tn.rng.bytes(20);
        const want = tn.trueClosest(target, 1, side)[0]!.node.hex;
        from.node.lookup(target, (r) => (ok += r.closest[0]?.hex === want ? 1 : 0));
        tn.runFor(10);
      }
      tn.runFor(20_000);
      expect(ok / L, `seed=${SEED} side ${g} during the partition`).toBeGreaterThanOrEqual(0.99);
    }

    tn.net.heal();
    tn.runFor(2 * DEFAULTS.refreshIntervalMs);
    const after = crossFraction(tn);
    expect(after, `seed=${SEED} cross-group contacts during=${during.toFixed(3)} after=${after.toFixed(3)}`).toBeGreaterThan(during + 0.1);
    expect(tn.live().every((s) => [...s.node.table.contacts()].some((c) => tn.get(c.hex)!.endpoint.group !== s.endpoint.group)), `seed=${SEED}`).toBe(true);
    // Most lookups find the true closest across the whole network again (the 0.99 bar: see the bug file).
    for (const g of [0, 1]) {
      const q = measureLookups(tn, 100, { from: (s) => s.endpoint.group === g });
      expect(q.success, `seed=${SEED} side ${g} after heal: success=${q.success} misses=${q.misses.slice(0, 3).join('; ')}`).toBeGreaterThanOrEqual(0.9);
    }
  });
});
