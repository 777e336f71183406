/**
 * CORE BUG (expected to fail until fixed): after a long partition heals, routing tables never
 * recover, however long the network runs.
 *
 * During the partition, RoutingTable.recordFailure() removes a contact after maxFailures timeouts
 * even when its bucket has no replacement waiting. Nodes near the divide sit in sparse deep
 * buckets (no replacements), so nodes that are each other's nearest neighbours across the divide
 * forget each other for good. After heal() nobody on either side remembers the other, so bucket
 * refreshes (lookups for random ids in the emptied bucket's range) converge on same-side nodes and
 * never rediscover them: lookups for targets between them keep returning the wrong closest node.
 * Measured (N=200..300, seeds 1-3): success 0.73-0.86 three refresh intervals after healing, vs
 * 0.99-1.0 for the same network never partitioned; nearly every miss is a cross-group pair that do
 * not know each other. Keeping a failed contact while no replacement waits (recordFailure:
 * `if (b.replacements.length === 0) return false;`) restores 0.99-1.0.
 *
 * The bar is the same network, same seed, never partitioned (a control run): on some seeds a
 * 200-node network misses 3 of 200 lookups without any partition (seeds 2 and 4: 0.985), so a
 * fixed 0.99 failed for reasons that have nothing to do with the partition.
 */
import { describe, expect, it } from 'vitest';
import { createTestnet, type Testnet } from '../../shared/sim/testnet';
import { DEFAULTS } from '../../shared/dht/constants';
import { commonPrefixLength } from '../../shared/dht/node-id';
import { measureLookups, testSeed } from '../helpers/dht';

const SEED = testSeed(1);

/** 200 nodes split in two groups; partitioned (or not) for 6 refresh intervals, then 3 healed. */
function run(partitioned: boolean): Testnet {
  const tn = createTestnet(200, { seed: SEED });
  tn.net.partition((e) => e.index % 2);
  if (!partitioned) tn.net.heal(); // groups assigned, never cut: the control
  tn.runFor(6 * DEFAULTS.refreshIntervalMs);
  tn.net.heal();
  tn.runFor(3 * DEFAULTS.refreshIntervalMs);
  return tn;
}

describe('core bug: routing tables do not recover after a long partition heals', () => {
  it('partitioned for 6 refresh intervals, healed for 3: lookups from both sides do as well as in the never-partitioned network', () => {
    console.log(`partition-recovery seed=${SEED}`);
    const control = run(false);
    const tn = run(true);
    const lines: string[] = [];
    let success = 0;
    for (const g of [0, 1]) {
      const q = measureLookups(tn, 100, { from: (s) => s.endpoint.group === g });
      success += q.success / 2;
      for (const r of q.results) {
        // For each miss, say whether the returned node and the true closest know each other.
        const got = tn.get(r.closest[0]!.hex)!;
        const truth = tn.trueClosest(r.target, 1)[0]!;
        if (got === truth) continue;
        const b = got.node.table.bucketFor(truth.node.id, false);
        lines.push(
          `side ${g}: got ${got.node.hex.slice(0, 8)} (group ${got.endpoint.group}) want ${truth.node.hex.slice(0, 8)} (group ${truth.endpoint.group}), ` +
            `cpl ${commonPrefixLength(got.node.id, truth.node.id)}, got's bucket for it holds ${b ? b.contacts.length : 'no bucket'}, ` +
            `knows it: ${!!got.node.table.get(truth.node.id)}, known by it: ${!!truth.node.table.get(got.node.id)}`,
        );
      }
    }
    let controlSuccess = 0;
    for (const g of [0, 1]) controlSuccess += measureLookups(control, 100, { from: (s) => s.endpoint.group === g }).success / 2;
    expect(controlSuccess, `seed=${SEED}: the never-partitioned control`).toBeGreaterThanOrEqual(0.97);
    expect(success, `seed=${SEED} success=${success} vs control ${controlSuccess} (${lines.length} misses)\n${lines.slice(0, 6).join('\n')}`).toBeGreaterThanOrEqual(controlSuccess - 0.01);
  });
});
