/**
 * The presence scenario at 1,000 nodes (a fifth malicious, 60 users): the real chat code, asserted
 * against the goals of the "find a person by their key" issue; then a small run with chosen sizes
 * (users, finds, flood, a sample of the stored records). The seed is printed on failure.
 * About 2 minutes on an idle 2-core machine; the timeout allows a machine many times slower.
 */
import { describe, expect, it } from 'vitest';
import { runPresence } from './scenarios/presence';
import { testSeed } from '../helpers/dht';

const SEED = testSeed(1);

describe('scenario: presence', () => {
  it('requests succeed online and offline, contacts find each other, nothing leaks or is forged', { timeout: 2_400_000 }, async () => {
    const r = await runPresence({ seed: SEED, nodes: 1000, users: 60, findMinutes: 45, flood: 100 });
    const why = `seed ${SEED}: ${JSON.stringify(r)}`;
    console.info(why);
    expect(r.requestSuccess, why).toBeGreaterThanOrEqual(0.999);
    expect(r.offlineRequestSuccess, why).toBeGreaterThanOrEqual(0.99);
    expect(r.findSuccess, why).toBeGreaterThanOrEqual(0.999);
    expect(r.finds as number, why).toBeGreaterThan(60);
    expect(r.periodsCrossed as number, why).toBeGreaterThanOrEqual(1);
    expect(r.identityKeyLeaks, why).toBe(0);
    expect(r.bytesScanned as number, why).toBeGreaterThan(1e7);
    expect(r.linkablePeriods, why).toBe(0);
    expect(r.forgedPresenceAccepted, why).toBe(0);
    expect(r.attackerForgeAttempts as number, why).toBeGreaterThan(0);
    const flood = r.requestFloodCost as Record<string, number>;
    expect(flood.ratio, why).toBeGreaterThan(10);
    expect(flood.pendingKept, why).toBeLessThanOrEqual(100);
  });

  it('sizes: the at-rest IK scan takes a seeded sample of the stored records', { timeout: 600_000 }, async () => {
    const sizes = { seed: SEED, nodes: 200, users: 10, findMinutes: 25, flood: 10, scanRecords: 50 };
    const a = await runPresence(sizes);
    const why = `seed ${SEED}: ${JSON.stringify(a)}`;
    expect(a.recordsScanned, why).toBe(50);
    expect(a.recordsStored as number, why).toBeGreaterThan(50);
    expect(a.identityKeyLeaks, why).toBe(0);
    expect((a.requestFloodCost as Record<string, number>).requests, why).toBe(10);
  });
});
