/**
 * Issue 2, simulation: a partition splits the network in two, routing tables lose (part of) the
 * other side, the partition heals, and after bucket refreshes the tables recover: lookups from
 * both sides find the true closest node across the whole network again.
 * Longer partitions and recovery against a never-partitioned control: partition-recovery.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createTestnet } from '../../shared/sim/testnet';
import { DEFAULTS } from '../../shared/dht/constants';
import { crossGroupFraction, measureLookups, testSeed } from '../helpers/dht';

const SEED = testSeed(1);
const N = 300;

describe('simulation: partition and heal', () => {
  it('tables lose the other side during a partition, each side keeps working, and after heal() lookups find the true closest again', {
    timeout: 600_000,
  }, () => {
    console.log(`partition seed=${SEED}`);
    const tn = createTestnet(N, { seed: SEED });
    tn.net.partition((e) => e.index % 2);
    const before = crossGroupFraction(tn);
    expect(before, `seed=${SEED}`).toBeGreaterThan(0.4);

    // Two refresh intervals: refreshes and lookups time out on the other side and drop it.
    tn.runFor(2 * DEFAULTS.refreshIntervalMs);
    const during = crossGroupFraction(tn);
    expect(during, `seed=${SEED} cross-group contacts before=${before.toFixed(3)} during=${during.toFixed(3)}`).toBeLessThan(before - 0.1);

    // Each side alone still finds its own closest nodes (a live peer slower than its soft timeout
    // can be missed by design, so allow 2 in 100).
    for (const g of [0, 1]) {
      const side = tn.live().filter((s) => s.endpoint.group === g);
      let ok = 0;
      const L = 100;
      for (let i = 0; i < L; i++) {
        const from = side[tn.rng.int(side.length)]!;
        const target = tn.rng.bytes(20);
        const want = tn.trueClosest(target, 1, side)[0]!.node.hex;
        from.node.lookup(target, (r) => (ok += r.closest[0]?.hex === want ? 1 : 0));
        tn.runFor(10);
      }
      tn.runFor(20_000);
      expect(ok / L, `seed=${SEED} side ${g} during the partition: success=${ok / L}`).toBeGreaterThanOrEqual(0.98);
    }

    // Heal, then give every bucket time to be refreshed (refreshIntervalMs plus the timer period).
    tn.net.heal();
    tn.runFor(3 * DEFAULTS.refreshIntervalMs);
    const after = crossGroupFraction(tn);
    expect(after, `seed=${SEED} cross-group contacts during=${during.toFixed(3)} after=${after.toFixed(3)}`).toBeGreaterThan(during + 0.05);
    let success = 0;
    for (const g of [0, 1]) {
      const q = measureLookups(tn, 100, { from: (s) => s.endpoint.group === g });
      success += q.success / 2;
      expect(q.kAccuracy, `seed=${SEED} side ${g} after heal: kAccuracy=${q.kAccuracy}`).toBeGreaterThanOrEqual(0.95);
      expect(
        q.success,
        `seed=${SEED} side ${g} after heal: success=${q.success} misses=${q.misses.slice(0, 3).join('; ')}`,
      ).toBeGreaterThanOrEqual(0.98);
    }
    expect(success, `seed=${SEED} both sides after heal`).toBeGreaterThanOrEqual(0.99);
  });
});
