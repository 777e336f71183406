import { describe, expect, it } from 'vitest';
import { createRecordsTestnet } from '../../shared/sim/records-testnet';
import { Adversary, AdversaryShared } from '../../shared/sim/adversary';
import { SimOwner, weibull } from './scenarios/record-owner';
import { SeededRng } from '../../shared/env/rng';
import type { GetResult, PutResult } from '../../shared/records/values';

describe('records testnet', () => {
  it('every node carries the record layer; put, get, add and remove nodes over time', () => {
    const seed = 21;
    const rt = createRecordsTestnet(40, { seed, values: { maintenance: false } });
    expect(rt.live().length, `seed ${seed}`).toBe(40);
    expect(rt.peers.every((p) => p.values !== undefined)).toBe(true);
    const owner = new SimOwner(new SeededRng(seed), 'test');
    let put: PutResult | undefined;
    owner.publish(rt.peers[0]!.values!, rt.clock, (r) => (put = r));
    rt.clock.runFor(10_000);
    expect(put?.replicas, `put replicas (seed ${seed})`).toBe(20);
    expect(owner.requiredSeq(rt.clock.now(), 10_000)).toBe(1);

    // Churn: remove 10 holders, add 10 fresh nodes; the record is still found.
    const holders = rt.live().filter((p) => p.table.has(owner.targetHex) && p !== rt.peers[0]);
    holders.slice(0, 10).forEach((p, i) => {
      rt.remove(p, i % 2 ? 'crash' : 'leave');
    });
    for (let i = 0; i < 10; i++) rt.addAndJoin();
    rt.clock.runFor(30_000);
    expect(rt.live().length, `seed ${seed}`).toBe(40);
    let got: GetResult | undefined;
    rt.live()[5]!.values!.getRecord(owner.target, (r) => (got = r));
    rt.clock.runFor(10_000);
    expect(got?.record?.type === 'mutable' && got.record.seq, `get after churn (seed ${seed})`).toBe(1);
  });

  it('a `before` extension replaces the honest layer on chosen nodes', () => {
    const shared = new AdversaryShared();
    const rng = new SeededRng(1);
    const rt = createRecordsTestnet(20, {
      seed: 2,
      values: { maintenance: false },
      before: (node, i) => (i % 4 === 0 ? new Adversary(node, rng.fork(), shared) : undefined),
    });
    expect(rt.peers.filter((p) => p.values === undefined).length).toBe(5);
    expect(shared.members.size).toBe(5);
  });

  it('a node whose join reached nobody re-bootstraps, so no node is left isolated', () => {
    // Seed 6 leaves nodes 22, 26 and 28 isolated without retries (their few seeds unreachable).
    const seed = 6;
    const opts = { seed, network: { unreachable: 0.3 }, values: { maintenance: false }, settleMs: 5000 };
    const without = createRecordsTestnet(60, { ...opts, joinRetries: 0 });
    expect(without.peers.filter((p) => p.node.table.size === 0).length, `isolated without retries (seed ${seed})`).toBeGreaterThan(0);
    const rt = createRecordsTestnet(60, opts);
    const isolated = rt.peers.filter((p) => p.node.table.size === 0).map((p) => p.index);
    expect(rt.joinRetried, `seed ${seed}`).toBeGreaterThan(0);
    expect(isolated, `isolated nodes (seed ${seed})`).toEqual([]);
  });

  it('Weibull sessions have the requested median', () => {
    const rng = new SeededRng(9);
    const xs = Array.from({ length: 4001 }, () => weibull(rng, 0.5, 30 * 60_000)).sort((a, b) => a - b);
    const median = xs[2000]! / 60_000;
    expect(median).toBeGreaterThan(27);
    expect(median).toBeLessThan(33);
  });
});
