/**
 * After a long partition heals, routing tables recover: lookups find the true closest node as
 * often as in the same network never partitioned.
 *
 * What this guards: nodes that are each other's nearest neighbours across the divide sit in sparse
 * deep buckets with no replacements. If a contact were dropped after maxFailures timeouts with no
 * replacement waiting, they would forget each other for good, and bucket refreshes after the heal
 * would converge on same-side nodes and never rediscover them. A stale contact is therefore kept
 * (and re-pinged) while no replacement waits.
 *
 * The bar is the same network, same seed, never partitioned (a control run), not a fixed number:
 * a small network misses a few lookups on some seeds without any partition.
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

describe('routing tables recover after a long partition heals', () => {
  // Virtual time: the wall-clock limit only bounds a machine's slowness (56 s seen on saturated cores).
  it('partitioned for 6 refresh intervals, healed for 3: lookups from both sides do as well as in the never-partitioned network', {
    timeout: 600_000,
  }, () => {
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
    expect(
      success,
      `seed=${SEED} success=${success} vs control ${controlSuccess} (${lines.length} misses)\n${lines.slice(0, 6).join('\n')}`,
    ).toBeGreaterThanOrEqual(controlSuccess - 0.01);
  });
});
