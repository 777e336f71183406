/** Issue 2, simulation: a quarter of the nodes crash silently; lookups still find the closest live node. */
import { describe, expect, it } from 'vitest';
import { createTestnet } from '../../shared/sim/testnet';
import { measureLookups, testSeed } from '../helpers/dht';

const SEED = testSeed(2525);

describe('simulation: 25% of nodes crash', () => {
  it('after a silent crash of 25% of the nodes, lookups still succeed (>= 0.99 on the closest live node)', () => {
    console.log(`crash seed=${SEED}`);
    const tn = createTestnet(500, { seed: SEED });
    const live = tn.live();
    // Crash a seeded random quarter, after the routing tables have formed. Nobody is told.
    const order = [...live];
    for (let i = order.length - 1; i > 0; i--) {
      const j = tn.rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const victims = order.slice(0, live.length / 4);
    for (const v of victims) tn.crash(v);
    expect(tn.live().length, `seed=${SEED}`).toBe(375);
    // Tables still hold the dead: check the crash really is silent before lookups run.
    const deadKnown = tn.live().reduce((a, s) => a + [...s.node.table.contacts()].filter((c) => !tn.get(c.hex)!.endpoint.alive).length, 0);
    expect(deadKnown, `seed=${SEED}`).toBeGreaterThan(1000);
    const q = measureLookups(tn, 200);
    const msg = `seed=${SEED} success=${q.success} kAccuracy=${q.kAccuracy.toFixed(4)} misses=${q.misses.slice(0, 5).join('; ')}`;
    expect(q.lookups, msg).toBe(200);
    expect(q.success, msg).toBeGreaterThanOrEqual(0.99);
    // No dead node is ever reported first.
    expect(
      q.results.every((r) => tn.get(r.closest[0]!.hex)!.endpoint.alive),
      msg,
    ).toBe(true);
    // Lookups met dead nodes on the way and routed around them.
    expect(q.results.reduce((a, r) => a + r.failures, 0) + q.results.reduce((a, r) => a + r.queries - r.responses, 0), msg).toBeGreaterThan(
      0,
    );
  });
});
