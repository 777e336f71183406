import { describe, expect, it } from 'vitest';
import { createRecordsTestnet } from '../../shared/sim/records-testnet';
import { SimOwner } from './scenarios/record-owner';
import { SeededRng } from '../../shared/env/rng';
import { testSeed } from '../helpers/dht';

describe('replica TTL', () => {
  it("an ownerless record expires network-wide once the TTL has passed since its owner's last refresh, though holders keep copying it", () => {
    const seed = testSeed(31);
    // Holders re-replicate every 10 min and new nodes keep arriving (handoff), so copies are passed
    // on all the time; each copy must keep its age.
    const rt = createRecordsTestnet(30, { seed, values: { replicateMs: 600_000, republishMs: 600_000 } });
    const owner = new SimOwner(new SeededRng(seed), 'gone');
    const publisher = rt.peers[0]!;
    owner.publish(publisher.values!, rt.clock);
    rt.clock.runFor(10_000);
    const holders = () => rt.live().filter((p) => p.table.has(owner.targetHex)).length;
    expect(holders(), `holders after put (seed ${seed})`).toBeGreaterThan(10);
    rt.remove(publisher, 'leave');
    const ttl = publisher.table.ttlMs;
    // Before the TTL: still held (re-replication and handoff copy it around).
    for (let i = 0; i < 10; i++) {
      rt.addAndJoin();
      rt.clock.runFor(ttl / 12);
    }
    expect(holders(), `holders before the TTL (seed ${seed})`).toBeGreaterThan(0);
    // After the TTL plus one expiry sweep, nobody holds it.
    rt.clock.runFor(ttl / 12 + 1_200_000);
    expect(holders(), `holders after the TTL (seed ${seed})`).toBe(0);
  });
});
