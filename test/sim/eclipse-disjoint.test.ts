/**
 * The S/Kademlia disjoint-paths experiment (shared/sim/disjoint.ts) on the eclipse scenario,
 * without replica roots: one path cannot get past 20 ground ids that drop stores; two
 * node-disjoint paths (put and get) can, because the second path's closest are the honest nodes
 * past the cluster. The full figures (1,000 nodes, 20 and 40 ids, 1 to 3 paths):
 * npm run sim -- --scenario eclipse --disjoint D --json, and docs/dht-design.md.
 */
import { describe, expect, it } from 'vitest';
import { runEclipse } from './scenarios/eclipse';

describe('eclipse: node-disjoint lookups (the experiment)', () => {
  it('20 ground ids dropping stores: 1 path reads almost nothing, 2 disjoint paths read the newest seq', { timeout: 300_000 }, () => {
    const seed = 16;
    const base = { seed, nodes: 300, attackers: 20, keys: 2, mode: 'drop' as const, minutes: 8, getEveryMs: 4000 };
    const one = runEclipse({ ...base, disjoint: 1 });
    const two = runEclipse({ ...base, disjoint: 2 });
    const at = `(seed ${seed}) ${JSON.stringify({ one, two })}`;
    expect(one.attackersClosest, at).toBe(1);
    expect(one.gets, at).toBeGreaterThanOrEqual(90);
    expect(one.getSuccess, at).toBeLessThan(0.1);
    expect(two.getSuccess, at).toBeGreaterThanOrEqual(0.95);
    expect(two.messagesPerGet, at).toBeGreaterThan(one.messagesPerGet);
  });
});
