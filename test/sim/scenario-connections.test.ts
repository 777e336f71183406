import { describe, expect, it } from 'vitest';
import { runMode } from './scenarios/connections';
import { testSeed } from '../helpers/dht';

interface Day {
  connectionsPerNodePerDay: { p50: number; p90: number; max: number };
  lookupSuccess: number;
  getSuccess: number;
  tunneledRequests?: number;
}

describe('scenario: connections (the WebRTC connection budget)', () => {
  it('tunneling over kept links opens far fewer connections than dialing every contact, and lookups stay right', () => {
    const seed = testSeed(21);
    const ctx = { seed, nodes: 60, log: () => {}, sampleHeap: () => {} };
    const direct = runMode(ctx, 'direct', 0, 2) as unknown as Day;
    const overlay = runMode(ctx, 'overlay', 0, 2) as unknown as Day;
    const why = `(seed ${seed}) direct ${JSON.stringify(direct)} overlay ${JSON.stringify(overlay)}`;
    expect(overlay.tunneledRequests, why).toBeGreaterThan(1000);
    expect(overlay.connectionsPerNodePerDay.p50 * 4, why).toBeLessThan(direct.connectionsPerNodePerDay.p50);
    expect(overlay.connectionsPerNodePerDay.max, why).toBeLessThan(150);
    expect(overlay.lookupSuccess, why).toBeGreaterThanOrEqual(0.95);
    expect(overlay.getSuccess, why).toBeGreaterThanOrEqual(0.95);
    // A bound, not a target: ~25 s alone, 68 s once beside a 100,000-node simulation.
  }, 180_000);
});
